"""IP-pledge subsidies, investments and the listing-readiness pipeline.

Subsidies: a programme's budget is ``finsubsidy:S:budget`` (funded from the region's treasury); a payment is one
ledger transaction ``budget −X, finsubsidy:S:paid +X`` with ``−X`` on the enterprise's headroom for the year
(``finsubsidy:S:cap:enterprise:E:year:Y``, opened with the programme's cap) — neither the budget nor the cap can be
passed, even by concurrent payments.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from techsme.accounts.models import Organisation
from techsme.accounts.roles import OrgKind
from techsme.core.errors import Conflict, PermissionDenied
from techsme.core.ledger import do_post_transaction, get_or_create_account
from techsme.core.models import LedgerAccount
from techsme.core.permissions import can
from techsme.finance import accounts
from techsme.finance.models import (
    Collateral,
    Fund,
    FundKind,
    Investment,
    ListingMarket,
    ListingStage,
    ListingTrack,
    Loan,
    LoanState,
    Subsidy,
    SubsidyKind,
    SubsidyProgramme,
)
from techsme.finance.services.common import (
    ZERO,
    Problem,
    enforce,
    event,
    invalid,
    local_today,
    now,
    parse_amount,
    parse_pct,
    required_text,
    retrying,
    share_of,
    user_of,
    yuan,
)
from techsme.registry.models import Enterprise

LISTING_CHECKLIST = ("financial_audit", "shareholding_reform", "sponsor_engaged", "compliance_review",
                     "ip_review", "governance")


# ---------------------------------------------------------------------------------------------------------------------
# subsidies


def _budget(programme: SubsidyProgramme) -> LedgerAccount:
    return get_or_create_account(f"finsubsidy:{programme.pk}:budget", name=programme.name, kind="budget",
                                 region_code=programme.region_code, organisation=programme.agency)


def do_create_subsidy_programme(*, actor: Any, agency_id: int, name: str, interest_share_pct: Any,
                                fee_share_pct: Any, cap_per_enterprise_year: Any, budget: Any,
                                request_key: str) -> SubsidyProgramme:
    agency = Organisation.objects.filter(pk=agency_id, kind=OrgKind.AGENCY).first()
    programme = SubsidyProgramme(agency=agency, region_code=agency.region_code if agency else "")
    if agency is None or not can(actor, "finance.subsidy.manage", programme):
        raise PermissionDenied(_("You may not create a subsidy programme for this agency."))
    programme.name = required_text(name, "name", _("Give the programme a name."), 200)
    programme.interest_share_pct = parse_pct(interest_share_pct, "interest_share_pct")
    programme.fee_share_pct = parse_pct(fee_share_pct, "fee_share_pct")
    programme.cap_per_enterprise_year = parse_amount(cap_per_enterprise_year, "cap_per_enterprise_year")
    amount = parse_amount(budget, "budget")
    with transaction.atomic():
        programme.save()
        do_post_transaction(actor=actor, idempotency_key=f"finsubsidy:{programme.pk}:fund:{request_key[:60]}",
                            legs=[(accounts.treasury(programme.region_code), -amount), (_budget(programme), amount)],
                            kind="fund", reference=programme, memo="subsidy budget")
        event(actor, "create_subsidy_programme", programme, programme.region_code, agency.pk, budget=amount)
    return programme


def subsidy_problems(programme: SubsidyProgramme, loan: Loan) -> list[Problem]:
    problems = []
    if loan.collateral != Collateral.IP_PLEDGE:
        problems.append(Problem("not_ip_pledge", _("Only loans secured by a pledge of patents or trademarks are "
                                                   "subsidised."), False))
    if loan.state not in (LoanState.ENROLLED, LoanState.REPAID):
        problems.append(Problem("loan_not_live", _("Loan %(loan)s is %(state)s.")
                                % {"loan": loan.contract_number, "state": loan.get_state_display()}, False))
    if not loan.enterprise.region_code.startswith(programme.agency.region_prefix):
        problems.append(Problem("outside_region", _("%(enterprise)s is outside the programme's region.")
                                % {"enterprise": loan.enterprise.name}, True))
    return problems


@retrying
def do_pay_subsidy(*, actor: Any, programme_id: int, loan_id: int, kind: str, year: Any, basis: Any,
                   override_reason: str = "") -> Subsidy:
    """Pay the programme's share of the interest (or appraisal/insurance fee) paid in ``year``, within the
    enterprise's yearly cap and the budget (both on the ledger)."""
    if kind not in SubsidyKind.values:
        raise invalid("kind", _("Choose the kind of subsidy."))
    basis_amount = parse_amount(basis, "basis")
    try:
        year_value = int(year)
    except (TypeError, ValueError):
        year_value = 0
    if not 2000 <= year_value <= local_today().year:
        raise invalid("year", _("Enter a year from 2000 to this year."))
    with transaction.atomic():
        programme = SubsidyProgramme.objects.select_related("agency").filter(pk=programme_id).first()
        loan = Loan.objects.select_for_update().filter(pk=loan_id).first()
        if programme is None or loan is None or not can(actor, "finance.subsidy.manage", programme):
            raise PermissionDenied(_("You may not pay subsidies of this programme."))
        if Subsidy.objects.filter(loan=loan, kind=kind, year=year_value).exists():
            raise Conflict(_("This subsidy was already paid for %(year)d.") % {"year": year_value})
        codes, reason = enforce(subsidy_problems(programme, loan), actor=actor, override_reason=override_reason,
                                scope_obj=programme)
        pct = programme.interest_share_pct if kind == SubsidyKind.INTEREST else programme.fee_share_pct
        cap = accounts.Cap("enterprise_year",
                           f"finsubsidy:{programme.pk}:cap:enterprise:{loan.enterprise_id}:year:{year_value}",
                           programme.cap_per_enterprise_year)
        limits = get_or_create_account(f"finsubsidy:{programme.pk}:caps:limits", name="caps", kind="world",
                                       allow_negative=True, region_code=programme.region_code)
        headroom = get_or_create_account(cap.code, name=cap.code, kind="cap", region_code=programme.region_code)
        do_post_transaction(actor=None, idempotency_key=f"open:{cap.code}", kind="cap_open",
                            legs=[(limits, -cap.amount), (headroom, cap.amount)])
        budget = _budget(programme)
        locked = {a.pk: a.balance for a in LedgerAccount.objects.select_for_update()
                  .filter(pk__in=[budget.pk, headroom.pk]).order_by("pk")}
        amount = min(share_of(basis_amount, pct), locked[headroom.pk])
        if amount <= 0:
            raise Conflict(_("The enterprise has reached the programme's cap for %(year)d.") % {"year": year_value})
        if locked[budget.pk] < amount:
            raise Conflict(_("The programme's budget holds %(left)s, less than the %(amount)s due.")
                           % {"left": yuan(locked[budget.pk]), "amount": yuan(amount)})
        paid = get_or_create_account(f"finsubsidy:{programme.pk}:paid", name=f"{programme.name} · paid",
                                     kind="paid", region_code=programme.region_code)
        used = get_or_create_account(f"finsubsidy:{programme.pk}:caps:used", name="caps used", kind="cap_used",
                                     region_code=programme.region_code)
        subsidy = Subsidy(programme=programme, loan=loan, kind=kind, year=year_value, basis=basis_amount,
                          amount=amount, decided_by=user_of(actor), decided_at=now(), overridden=codes,
                          override_reason=reason)
        subsidy.save()
        subsidy.txn = do_post_transaction(
            actor=actor, idempotency_key=f"finsubsidy:{programme.pk}:pay:{subsidy.pk}", kind="subsidy_paid",
            legs=[(budget, -amount), (paid, amount), (headroom, -amount), (used, amount)], reference=subsidy,
            memo=f"{kind} subsidy {year_value}")
        subsidy.save(update_fields=["txn"])
        event(actor, "pay_subsidy", subsidy, programme.region_code, programme.agency_id, loan=loan.pk, kind=kind,
              year=year_value, basis=basis_amount, amount=amount, overridden=codes, override_reason=reason)
    return subsidy


# ---------------------------------------------------------------------------------------------------------------------
# investments


def do_record_fund(*, actor: Any, name: str, kind: str, region_code: str, size: Any, manager_id: int | None = None,
                   parent_id: int | None = None, limited_partnership: bool = False) -> Fund:
    if kind not in FundKind.values:
        raise invalid("kind", _("Choose the kind of fund."))
    fund = Fund(name=required_text(name, "name", _("Give the fund's name."), 200), kind=kind,
                region_code=str(region_code or "").strip()[:6], size=parse_amount(size, "size"),
                manager=Organisation.objects.filter(pk=manager_id).first() if manager_id else None,
                parent=Fund.objects.filter(pk=parent_id).first() if parent_id else None,
                limited_partnership=bool(limited_partnership))
    if not fund.region_code.isdigit() or len(fund.region_code) != 6:
        raise invalid("region_code", _("Enter the six-digit GB/T 2260 code of the fund's region."))
    if kind == FundKind.SUB_FUND and (fund.parent is None or fund.parent.kind != FundKind.GUIDANCE):
        raise invalid("parent", _("A sub-fund belongs to a government guidance fund."))
    if not can(actor, "finance.investment.record", fund):
        raise PermissionDenied(_("You may not record this fund."))
    with transaction.atomic():
        fund.save()
        event(actor, "record_fund", fund, fund.region_code, fund.manager_id, name=fund.name, kind=kind)
    return fund


def do_record_investment(*, actor: Any, fund_id: int, enterprise_id: int, invested_on: Any, amount: Any,
                         stake_pct: Any, round: str, cash_direct_equity: bool = True) -> Investment:
    fund = Fund.objects.filter(pk=fund_id).first()
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if fund is None or enterprise is None:
        raise invalid("fund", _("Choose the fund and the enterprise."))
    try:
        day = invested_on if isinstance(invested_on, date) else date.fromisoformat(str(invested_on))
    except ValueError:
        raise invalid("invested_on", _("Enter a date such as 2024-06-30.")) from None
    if day > local_today():
        raise invalid("invested_on", _("The investment date cannot be in the future."))
    investment = Investment(fund=fund, enterprise=enterprise, invested_on=day, amount=parse_amount(amount),
                            stake_pct=parse_pct(stake_pct, "stake_pct", Decimal("0.01")),
                            round=required_text(round, "round", _("Name the round, e.g. angel or A."), 20),
                            cash_direct_equity=bool(cash_direct_equity), recorded_by=user_of(actor))
    if not (can(actor, "finance.investment.record", investment) or can(actor, "finance.investment.record", fund)):
        raise PermissionDenied(_("You may not record investments of this fund."))
    with transaction.atomic():
        investment.save()
        event(actor, "record_investment", investment, enterprise.region_code, fund.manager_id,
              amount=investment.amount, invested_on=day, stake_pct=investment.stake_pct)
    return investment


def do_record_exit(*, actor: Any, investment_id: int, exited_on: Any, exit_amount: Any) -> Investment:
    with transaction.atomic():
        investment = Investment.objects.select_for_update().select_related("fund").filter(pk=investment_id).first()
        if investment is None or not (can(actor, "finance.investment.record", investment)
                                      or can(actor, "finance.investment.record", investment.fund)):
            raise PermissionDenied(_("You may not record the exit of this investment."))
        if investment.exited_on:
            raise Conflict(_("The exit was already recorded."))
        try:
            day = exited_on if isinstance(exited_on, date) else date.fromisoformat(str(exited_on))
        except ValueError:
            raise invalid("exited_on", _("Enter a date such as 2026-06-30.")) from None
        if day < investment.invested_on or day > local_today():
            raise invalid("exited_on", _("The exit lies between the investment and today."))
        investment.exited_on, investment.exit_amount = day, parse_amount(exit_amount, "exit_amount")
        investment.save()
        event(actor, "record_exit", investment, investment.enterprise.region_code, investment.fund.manager_id,
              exited_on=day, exit_amount=investment.exit_amount)
    return investment


# ---------------------------------------------------------------------------------------------------------------------
# listing readiness


def do_open_listing_track(*, actor: Any, enterprise_id: int, market: str) -> ListingTrack:
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    track = ListingTrack(enterprise=enterprise, market=market)
    if enterprise is None or not can(actor, "finance.listing.manage", track):
        raise PermissionDenied(_("You may not keep the listing track of this enterprise."))
    if market not in ListingMarket.values:
        raise invalid("market", _("Choose the target market."))
    with transaction.atomic():
        if ListingTrack.objects.filter(enterprise=enterprise).exists():
            raise Conflict(_("%(enterprise)s is already on the listing pipeline.") % {"enterprise": enterprise.name})
        track.checklist = dict.fromkeys(LISTING_CHECKLIST, False)
        track.save()
        event(actor, "open_listing_track", track, enterprise.region_code, enterprise.organisation_id, market=market)
    return track


def do_give_listing_consent(*, actor: Any, track_id: int) -> ListingTrack:
    with transaction.atomic():
        track = ListingTrack.objects.select_for_update().filter(pk=track_id).first()
        if track is None or not can(actor, "finance.listing.consent", track):
            raise PermissionDenied(_("Only the enterprise's administrator gives this consent."))
        track.consent_at, track.consent_by = now(), user_of(actor)
        track.save()
        event(actor, "give_listing_consent", track, track.enterprise.region_code, track.enterprise.organisation_id)
    return track


def do_update_listing_track(*, actor: Any, track_id: int, stage: str, checklist: dict[str, Any]) -> ListingTrack:
    if stage not in ListingStage.values:
        raise invalid("stage", _("Choose the stage."))
    unknown = set(checklist or {}) - set(LISTING_CHECKLIST)
    if unknown:
        raise invalid("checklist", _("Unknown checklist items."))
    with transaction.atomic():
        track = ListingTrack.objects.select_for_update().filter(pk=track_id).first()
        if track is None or not can(actor, "finance.listing.manage", track):
            raise PermissionDenied(_("You may not keep the listing track of this enterprise."))
        if track.consent_at is None:
            raise Conflict(_("The enterprise has not consented yet; the agency keeps its track only with consent."))
        before = (track.stage, dict(track.checklist))
        track.stage = stage
        track.checklist = {item: bool((checklist or {}).get(item, track.checklist.get(item, False)))
                           for item in LISTING_CHECKLIST}
        track.save()
        event(actor, "update_listing_track", track, track.enterprise.region_code, track.enterprise.organisation_id,
              stage=[before[0], stage], checklist=[before[1], track.checklist])
    return track


def subsidy_budget_left(programme: SubsidyProgramme) -> Decimal:
    return accounts.balance(f"finsubsidy:{programme.pk}:budget") or ZERO
