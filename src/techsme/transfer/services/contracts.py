"""Technology-contract registration (技术合同认定登记), following ``data/contract_rules.yaml``:

the seller enters the contract → the registrar classifies it, determines the technology-transaction amount (at most
the contract amount) and registers it with a number, or refuses it with a reason → a contract claimed for tax relief
goes to a second review by another agency administrator before it is registered. The decision is due within the
working days of the rules, counted from submission. A registered amount never changes except by an audited
amendment. Registered transfers (and exclusive licences of five years or more) feed the seller enterprise's
``tech_transfer_income`` fact, which the rules engine reads for the EIT exemption.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.accounts.models import Organisation
from techsme.core import audit, workdays
from techsme.core.errors import Conflict, FieldError, InvalidInput
from techsme.core.permissions import can
from techsme.registry.models import AnnualFacts, Enterprise
from techsme.transfer import notifications, patents, rules
from techsme.transfer.models import (
    BrokerRating,
    ContractAmendment,
    ContractState,
    NumberCounter,
    Outcome,
    TechContract,
)
from techsme.transfer.services.common import a_date, industry, money, refuse_if, require, text

AMENDABLE = ("contract_amount", "tech_amount")


def _classification(data: dict[str, Any]) -> tuple[str, str, list[FieldError]]:
    category = str(data.get("category") or "")
    subtype = str(data.get("subtype") or "")
    if ":" in category and not subtype:
        category, subtype = category.split(":", 1)
    row = rules.categories().get(category)
    if row is None:
        return category, subtype, [FieldError("category", _("Choose a contract category from the list."))]
    if subtype not in row.subtypes:
        return category, subtype, [FieldError("subtype", _("Choose a subtype of this category."))]
    return category, subtype, []


def validity_end(contract: TechContract) -> Any:
    days = int(rules.registration()["default_validity_days"])
    return contract.valid_until or contract.signed_on + timedelta(days=days)


def _clean(data: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    out["title"], e = text(data, "title", limit=200)
    errors += e
    out["buyer_name"], e = text(data, "buyer_name", limit=200)
    errors += e
    out["category"], out["subtype"], e = _classification(data)
    errors += e
    out["industry_code"], e = industry(data)
    errors += e
    out["contract_amount"], e = money(data, "contract_amount", required=True, positive=True)
    errors += e
    out["signed_on"], e = a_date(data, "signed_on")
    errors += e
    out["valid_until"], e = a_date(data, "valid_until", required=False)
    errors += e
    today = timezone.localdate()
    if out["signed_on"] and out["signed_on"] > today:
        errors.append(FieldError("signed_on", _("A contract is registered after it is signed; the date is in the "
                                                "future.")))
    if out["signed_on"] and out["valid_until"] and out["valid_until"] < out["signed_on"]:
        errors.append(FieldError("valid_until", _("The contract cannot end before it was signed.")))
    country = str(data.get("buyer_country") or "CN").strip().upper()
    if len(country) != 2 or not country.isalpha():
        errors.append(FieldError("buyer_country", _("Give the buyer's country as a two-letter code (CN, DE, KZ…).")))
    out["buyer_country"] = country
    raw = data.get("patent_numbers") or ""
    out["patent_numbers"], problems = patents.parse_list("\n".join(raw) if isinstance(raw, list | tuple) else str(raw))
    errors += [FieldError("patent_numbers", m) for m in problems]
    years = data.get("licence_years")
    out["licence_years"] = None
    if years not in (None, ""):
        try:
            out["licence_years"] = int(years)
        except (TypeError, ValueError):
            out["licence_years"] = -1
        if not 0 < out["licence_years"] <= 50:
            errors.append(FieldError("licence_years", _("The licence term is a whole number of years (1–50).")))
    out["claims_tax_relief"] = bool(data.get("claims_tax_relief"))
    return out, errors


def _due(contract_amount: Decimal) -> Any:
    reg = rules.registration()
    days = reg["large_decision_working_days"] if contract_amount >= rules.large_threshold() \
        else reg["decision_working_days"]
    return workdays.add_workdays(timezone.localdate(), int(days))


def do_submit_contract(*, actor: Any, seller: Organisation, data: dict[str, Any]) -> TechContract:
    """The seller (卖方登记) enters a signed contract for registration."""
    values, errors = _clean(data)
    buyer = None
    if data.get("buyer_id"):
        buyer = Organisation.objects.filter(pk=data["buyer_id"]).first()
        if buyer is None:
            errors.append(FieldError("buyer_id", _("Unknown buyer organisation.")))
    outcome = None
    if data.get("outcome_id"):
        outcome = Outcome.objects.filter(pk=data["outcome_id"], owner=seller).first()
        if outcome is None:
            errors.append(FieldError("outcome_id", _("The outcome must be one of the seller's own.")))
    with transaction.atomic():
        contract = TechContract(seller=seller, region_code=seller.region_code, submitted_by=actor, buyer=buyer,
                                outcome=outcome, buyer_region=buyer.region_code if buyer else "")
        require(actor, "transfer.contract.submit", contract, _("You may not register contracts for this seller."))
        if errors:
            raise InvalidInput(errors)
        if values["signed_on"] and timezone.localdate() > validity_end(TechContract(**{
                "signed_on": values["signed_on"], "valid_until": values["valid_until"]})):
            raise InvalidInput([FieldError("signed_on", _("The contract's term of validity has ended; the rules "
                                                          "accept applications only while it is valid."))])
        for key, value in values.items():
            setattr(contract, key, value)
        contract.seller_enterprise = Enterprise.objects.filter(organisation=seller).first()
        if any(g.role == "broker" for g in _grants(actor)):
            contract.broker = actor
        contract.due_on = _due(contract.contract_amount)
        contract.save()
        audit.record(actor=actor, verb="transfer.submit_contract", obj=contract, organisation_id=seller.pk,
                     changes=audit.diff({}, {k: getattr(contract, k) for k in values} | {"due_on": contract.due_on}))
    return contract


def _grants(actor: Any) -> list[Any]:
    from techsme.core.permissions import grants

    return grants(actor)


def registration_problems(contract: TechContract, actor: Any, tech_amount: Decimal | None,
                          category: str, subtype: str, expert_opinion: str) -> list[str]:
    """Every registration criterion that fails (empty: the contract can be registered)."""
    problems = []
    row = rules.categories().get(category)
    if row is None or subtype not in row.subtypes:
        problems.append(_("The classification is not one of the registration rules."))
    elif row.subtypes[subtype].needs_patent and not contract.patent_numbers:
        problems.append(_("A %(kind)s names the patent or application concerned; none is given.")
                        % {"kind": rules.subtype_label(category, subtype)})
    if tech_amount is None or tech_amount <= 0:
        problems.append(_("Determine the technology-transaction amount (greater than zero)."))
    elif tech_amount > contract.contract_amount:
        problems.append(_("The technology-transaction amount cannot exceed the contract amount."))
    if contract.submitted_at.date() > validity_end(contract):
        problems.append(_("The application came after the contract's term of validity."))
    if (tech_amount or Decimal(0)) >= rules.large_threshold() and not expert_opinion.strip():
        problems.append(_("A large contract (technology-transaction amount of %(limit)s yuan or more) needs the "
                          "expert review's opinion.") % {"limit": f"{rules.large_threshold():,.0f}"})
    duplicate = TechContract.objects.filter(
        seller_id=contract.seller_id, buyer_name=contract.buyer_name, title=contract.title,
        signed_on=contract.signed_on, state=ContractState.REGISTERED).exclude(pk=contract.pk)
    if duplicate.exists():
        problems.append(_("The same contract is already registered (number %(number)s): a contract is registered "
                          "once.") % {"number": duplicate.first().registration_number})
    if can(actor, "transfer.contract.submit", contract) and not actor.is_superuser:
        problems.append(_("A registrar cannot register a contract of an organisation they belong to."))
    return problems


def _number(contract: TechContract, on: Any) -> str:
    office = contract.region_code[:4] + "00"
    counter, _created = NumberCounter.objects.select_for_update().get_or_create(year=on.year, region_code=office)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{on.year}{office}{counter.last:06d}"


def _finish(actor: Any, contract: TechContract) -> None:
    today = timezone.localdate()
    contract.state = ContractState.REGISTERED
    contract.registered_on = today
    contract.registration_number = _number(contract, today)
    contract.save()
    feed_transfer_income(contract)
    number = contract.registration_number
    notifications.tell(contract.seller_id, lambda: (
        _("Technology contract registered: %(number)s") % {"number": number},
        _("Your technology contract was registered with number %(number)s. The registration certificate can be "
          "downloaded on the platform.") % {"number": number},
    ))


def do_register_contract(*, actor: Any, contract_id: int, tech_amount: Any, category: str = "", subtype: str = "",
                         expert_opinion: str = "") -> TechContract:
    """The registrar classifies the contract, determines the technology-transaction amount and registers it — or,
    when it is claimed for tax relief, passes it to the second review. Refused with every failing criterion."""
    amount, errors = money({"tech_amount": tech_amount}, "tech_amount", required=True, positive=True)
    with transaction.atomic():
        contract = TechContract.objects.select_for_update().get(pk=contract_id)
        require(actor, "transfer.contract.register", contract, _("You may not register contracts of this region."))
        if errors:
            raise InvalidInput(errors)
        if contract.state != ContractState.SUBMITTED:
            raise Conflict(_("Not possible while the contract is “%(state)s”.")
                           % {"state": contract.get_state_display()})
        category, subtype = category or contract.category, subtype or contract.subtype
        refuse_if(registration_problems(contract, actor, amount, category, subtype, expert_opinion))
        before = {"category": contract.category, "subtype": contract.subtype, "tech_amount": contract.tech_amount,
                  "state": contract.state}
        contract.category, contract.subtype, contract.tech_amount = category, subtype, amount
        contract.expert_opinion, contract.reviewed_by = expert_opinion.strip()[:4000], actor
        if contract.claims_tax_relief:
            contract.state = ContractState.SECOND_REVIEW
            contract.save()
        else:
            _finish(actor, contract)
        audit.record(actor=actor, verb="transfer.register_contract", obj=contract, organisation_id=contract.seller_id,
                     changes=audit.diff(before, {"category": category, "subtype": subtype, "tech_amount": amount,
                                                 "state": contract.state})
                     | {"number": [None, contract.registration_number]})
    return contract


def do_second_review(*, actor: Any, contract_id: int, approve: bool, note: str = "") -> TechContract:
    """Second review of a contract claimed for tax relief, by another agency administrator."""
    with transaction.atomic():
        contract = TechContract.objects.select_for_update().get(pk=contract_id)
        require(actor, "transfer.contract.second_review", contract,
                _("Only an agency administrator of the region makes the second review."))
        if contract.state != ContractState.SECOND_REVIEW:
            raise Conflict(_("The contract is not awaiting a second review."))
        if approve:
            problems = []
            if contract.reviewed_by_id == actor.pk:
                problems.append(_("The second review is made by someone other than the first registrar."))
            if not rules.categories()[contract.category].tax:
                problems.append(_("A %(category)s supports no tax relief; register it without the claim.")
                                % {"category": rules.category_label(contract.category)})
            refuse_if(problems + registration_problems(contract, actor, contract.tech_amount, contract.category,
                                                       contract.subtype, contract.expert_opinion))
            contract.second_reviewer = actor
            _finish(actor, contract)
        else:
            if not note.strip():
                raise InvalidInput([FieldError("note", _("Give the reason for not registering."))])
            contract.second_reviewer, contract.state = actor, ContractState.REFUSED
            contract.refusal_reason = note.strip()[:2000]
            contract.save()
        audit.record(actor=actor, verb="transfer.second_review", obj=contract, organisation_id=contract.seller_id,
                     changes={"state": [ContractState.SECOND_REVIEW, contract.state], "note": note[:2000],
                              "number": [None, contract.registration_number]})
    return contract


def do_refuse_contract(*, actor: Any, contract_id: int, reason: str) -> TechContract:
    with transaction.atomic():
        contract = TechContract.objects.select_for_update().get(pk=contract_id)
        require(actor, "transfer.contract.register", contract, _("You may not decide contracts of this region."))
        if not (reason or "").strip():
            raise InvalidInput([FieldError("reason", _("Give the reason for not registering."))])
        if contract.state != ContractState.SUBMITTED:
            raise Conflict(_("Not possible while the contract is “%(state)s”.")
                           % {"state": contract.get_state_display()})
        contract.state, contract.refusal_reason, contract.reviewed_by = ContractState.REFUSED, reason.strip(), actor
        contract.save()
        audit.record(actor=actor, verb="transfer.refuse_contract", obj=contract, organisation_id=contract.seller_id,
                     changes={"state": [ContractState.SUBMITTED, ContractState.REFUSED], "reason": reason.strip()})
        text_reason = reason.strip()
        notifications.tell(contract.seller_id, lambda: (
            _("Technology contract not registered"),
            _("Your contract “%(title)s” was not registered: %(reason)s") % {"title": contract.title,
                                                                             "reason": text_reason}))
    return contract


def do_amend_contract(*, actor: Any, contract_id: int, field: str, value: Any, reason: str) -> ContractAmendment:
    """Correct a registered amount: an amendment row with its reason; the income fact follows."""
    with transaction.atomic():
        contract = TechContract.objects.select_for_update().get(pk=contract_id)
        require(actor, "transfer.contract.amend", contract, _("Only an agency administrator amends registrations."))
        if field not in AMENDABLE:
            raise InvalidInput([FieldError("field", _("Only the contract amount or the technology-transaction "
                                                      "amount can be amended."))])
        new, errors = money({field: value}, field, required=True, positive=True)
        if not (reason or "").strip():
            errors.append(FieldError("reason", _("Give the reason for the amendment.")))
        if errors:
            raise InvalidInput(errors)
        if contract.state != ContractState.REGISTERED:
            raise Conflict(_("Only a registered contract is amended; change the application instead."))
        old = getattr(contract, field)
        amounts = {"contract_amount": contract.contract_amount, "tech_amount": contract.tech_amount, field: new}
        if amounts["tech_amount"] > amounts["contract_amount"]:
            raise InvalidInput([FieldError(field, _("The technology-transaction amount cannot exceed the contract "
                                                    "amount."))])
        setattr(contract, field, new)
        contract.save(update_fields=[field])
        amendment = ContractAmendment.objects.create(contract=contract, field=field, old_value=old, new_value=new,
                                                     reason=reason.strip(), amended_by=actor)
        feed_transfer_income(contract)
        audit.record(actor=actor, verb="transfer.amend_contract", obj=contract, organisation_id=contract.seller_id,
                     changes={field: [old, new], "reason": reason.strip()})
    return amendment


def qualifying_income(enterprise: Enterprise, year: int) -> Decimal:
    """Registered technology-transaction amounts of the enterprise's qualifying transfers signed in ``year``."""
    total = Decimal("0.00")
    for contract in TechContract.objects.filter(seller_enterprise=enterprise, state=ContractState.REGISTERED,
                                                signed_on__year=year):
        if rules.qualifies_for_transfer_exemption(contract.category, contract.subtype, contract.licence_years):
            total += contract.tech_amount or Decimal("0.00")
    return total


def feed_transfer_income(contract: TechContract) -> None:
    """Write the seller enterprise's ``tech_transfer_income`` for the year of signature from its registered
    qualifying contracts (inside the caller's transaction, audited). Sellers outside the registry feed nothing."""
    enterprise = contract.seller_enterprise
    if enterprise is None or not rules.qualifies_for_transfer_exemption(contract.category, contract.subtype,
                                                                         contract.licence_years):
        return
    year = contract.signed_on.year
    total = qualifying_income(enterprise, year)
    facts, _created = AnnualFacts.objects.select_for_update().get_or_create(enterprise=enterprise, tax_year=year)
    before = facts.tech_transfer_income
    if before == total:
        return
    facts.tech_transfer_income = total
    facts.save(update_fields=["tech_transfer_income", "updated_at"])
    audit.record(actor=None, verb="transfer.feed_transfer_income", obj=facts, region_code=enterprise.region_code,
                 organisation_id=enterprise.organisation_id,
                 changes={"tech_transfer_income": [before, total], "contract": contract.registration_number})


def do_rate_broker(*, actor: Any, contract_id: int, organisation: Organisation, stars: int,
                   comment: str = "") -> BrokerRating:
    with transaction.atomic():
        contract = TechContract.objects.select_for_update().get(pk=contract_id)
        if organisation.pk not in (contract.seller_id, contract.buyer_id) or not can(
                actor, "transfer.contract.rate", organisation):
            raise PermissionDenied(_("Only the parties to the contract rate its broker."))
        if not isinstance(stars, int) or not 1 <= stars <= 5:
            raise InvalidInput([FieldError("stars", _("Give one to five stars."))])
        if contract.state != ContractState.REGISTERED or contract.broker_id is None:
            raise Conflict(_("Only the broker of a registered contract is rated."))
        if BrokerRating.objects.filter(contract=contract, rater_org=organisation).exists():
            raise Conflict(_("Your side has already rated this broker."))
        rating = BrokerRating.objects.create(contract=contract, broker_id=contract.broker_id, rater_org=organisation,
                                             stars=stars, comment=(comment or "").strip()[:500])
        audit.record(actor=actor, verb="transfer.rate_broker", obj=contract, organisation_id=organisation.pk,
                     changes={"stars": stars})
    return rating


def brokered_totals(broker_ids: list[int]) -> dict[int, Decimal]:
    rows = (TechContract.objects.filter(broker_id__in=broker_ids, state=ContractState.REGISTERED)
            .values("broker_id").annotate(total=Sum("tech_amount")))
    return {r["broker_id"]: r["total"] or Decimal("0.00") for r in rows}
