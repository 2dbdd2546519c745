"""Loans under an agreement: the bank saves or files them, the platform checks eligibility at filing and records why,
the agency confirms the enrolment (a decision resting on that check), the bank reports repayments and defaults.

Loan states are explicit (``LOAN_WORKFLOW``): a repayment is refused unless the loan is enrolled — a loan in default
or written off never takes a repayment as if it were live (money recovered after a default is a *recovery* on the
claim, which flows back to the pool in the agreed share).
"""

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from techsme.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from techsme.core.ledger import do_post_transaction
from techsme.core.permissions import can
from techsme.finance import accounts, eligibility
from techsme.finance.models import (
    Agreement,
    AgreementState,
    Collateral,
    Investment,
    Loan,
    LoanState,
    PoolKind,
    Repayment,
)
from techsme.finance.services.common import (
    Problem,
    authorize,
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
from techsme.finance.services.pools import update_suspension
from techsme.registry.models import Enterprise, IPAsset

EDITABLE = ("contract_number", "amount", "term_months", "rate_pct", "collateral", "granted_on",
            "pledge_registration_number", "valuation_amount", "appraiser")


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _loan(pk: int) -> Loan:
    loan = Loan.objects.select_for_update().filter(pk=pk).first()
    if loan is None:
        raise PermissionDenied(_("This loan does not exist or is not yours to change."))
    return loan


def _date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise invalid(field, _("Enter a date such as 2026-03-15.")) from None


def _values(data: dict[str, Any], today: date) -> dict[str, Any]:
    """Every field of a loan checked at once (all problems reported together)."""
    errors: list[FieldError] = []
    out: dict[str, Any] = {}

    def take(field: str, fn: Any) -> None:
        try:
            out[field] = fn()
        except InvalidInput as exc:
            errors.extend(exc.errors)

    take("contract_number", lambda: required_text(data.get("contract_number"), "contract_number",
                                                  _("Enter the loan contract number."), 60))
    take("amount", lambda: parse_amount(data.get("amount"), "amount"))
    take("rate_pct", lambda: parse_pct(data.get("rate_pct"), "rate_pct", Decimal("0"), Decimal("36")))

    def term() -> int:
        try:
            months = int(str(data.get("term_months")).strip())
        except (TypeError, ValueError):
            months = 0
        if not 1 <= months <= 360:
            raise invalid("term_months", _("Enter the term in months, from 1 to 360."))
        return months

    take("term_months", term)

    def collateral() -> str:
        value = data.get("collateral")
        if value not in Collateral.values:
            raise invalid("collateral", _("Choose the collateral."))
        return str(value)

    take("collateral", collateral)

    def granted() -> date:
        day = _date(data.get("granted_on"), "granted_on")
        if day > today:
            raise invalid("granted_on",
                          _("A loan is filed once it has been granted; the date cannot be in the future."))
        if day.year < 2000:
            raise invalid("granted_on", _("Enter a date from 2000 on."))
        return day

    take("granted_on", granted)
    out["pledge_registration_number"] = str(data.get("pledge_registration_number") or "").strip()[:60]
    out["appraiser"] = str(data.get("appraiser") or "").strip()[:200]
    valuation = data.get("valuation_amount")
    out["valuation_amount"] = None
    if valuation not in (None, ""):
        take("valuation_amount", lambda: parse_amount(valuation, "valuation_amount"))
    if errors:
        raise InvalidInput(errors)
    return out


def _enterprise(uscc: Any) -> Enterprise:
    enterprise = Enterprise.objects.filter(uscc=str(uscc or "").strip().upper()).first()
    if enterprise is None:
        raise invalid("enterprise_uscc", _("No enterprise with this unified social credit code is registered."))
    return enterprise


def _pledged(enterprise: Enterprise, ids: Any) -> list[IPAsset]:
    wanted = sorted({int(i) for i in (ids or [])})
    assets = list(IPAsset.objects.filter(pk__in=wanted, enterprise=enterprise))
    if len(assets) != len(wanted):
        raise invalid("pledged_assets", _("A pledged patent or trademark must be one of the borrower's own."))
    return assets


def _check_pledge(loan: Loan) -> None:
    """An IP-pledge loan names what is pledged, where the pledge is registered and what it is worth."""
    if loan.collateral != Collateral.IP_PLEDGE:
        return
    errors = []
    if not loan.pledged_assets.exists():
        errors.append(FieldError("pledged_assets", _("Choose the patents or trademarks pledged.")))
    elif loan.pledged_assets.exclude(status="valid").exists():
        errors.append(FieldError("pledged_assets", _("Only a valid patent or trademark can be pledged.")))
    if not loan.pledge_registration_number:
        errors.append(FieldError("pledge_registration_number", _("Enter the pledge registration number.")))
    if loan.valuation_amount is None or not loan.appraiser:
        errors.append(FieldError("valuation_amount", _("Enter the appraised value and the appraiser.")))
    if errors:
        raise InvalidInput(errors)


def do_create_loan(*, actor: Any, agreement_id: int, enterprise_uscc: str, pledged_asset_ids: Any = (),
                   linked_investment_id: int | None = None, file: bool = True, **data: Any) -> Loan:
    """Save a loan under the agreement (``file=True``: and file it at once, with the eligibility check)."""
    agreement = Agreement.objects.select_related("pool").filter(pk=agreement_id).first()
    if agreement is None or not can(actor, "finance.loan.create", agreement):
        raise PermissionDenied(_("You may not file loans under this agreement."))
    values = _values(data, local_today())
    enterprise = _enterprise(enterprise_uscc)
    assets = _pledged(enterprise, pledged_asset_ids)
    investment = None
    if linked_investment_id:
        investment = Investment.objects.filter(pk=linked_investment_id, enterprise=enterprise).first()
        if investment is None:
            raise invalid("linked_investment", _("The linked investment must be an investment in the borrower."))
    with transaction.atomic():
        if agreement.loans.filter(contract_number=values["contract_number"]).exists():
            raise invalid("contract_number", _("A loan with this contract number was already filed under this "
                                               "agreement."))
        loan = Loan.objects.create(agreement=agreement, enterprise=enterprise, outstanding=values["amount"],
                                   maturity_on=add_months(values["granted_on"], values["term_months"]),
                                   linked_investment=investment, **values)
        loan.pledged_assets.set(assets)
        event(actor, "create_loan", loan, agreement.pool.region_code, agreement.bank_id,
              enterprise=enterprise.uscc, amount=loan.amount)
        if file:
            _file(actor, loan)
    return loan


def do_update_loan(*, actor: Any, loan_id: int, pledged_asset_ids: Any = None, **data: Any) -> Loan:
    with transaction.atomic():
        loan = _loan(loan_id)
        authorize(actor, "loan", "edit", loan, loan.state)
        values = _values(data, local_today())
        for field in EDITABLE:
            setattr(loan, field, values[field])
        loan.outstanding = loan.amount
        loan.maturity_on = add_months(loan.granted_on, loan.term_months)
        loan.save()
        if pledged_asset_ids is not None:
            loan.pledged_assets.set(_pledged(loan.enterprise, pledged_asset_ids))
        event(actor, "update_loan", loan, loan.agreement.pool.region_code, loan.agreement.bank_id,
              amount=loan.amount)
    return loan


def _file(actor: Any, loan: Loan) -> None:
    agreement = loan.agreement
    authorize(actor, "loan", "file", loan, loan.state)
    if agreement.state != AgreementState.ACTIVE:
        raise Conflict(_("The bank's enrolments in pool “%(pool)s” are suspended or ended; no loan can be filed now.")
                       % {"pool": agreement.pool.name})
    _check_pledge(loan)
    checks = eligibility.check_borrower(agreement.eligibility, loan.enterprise, loan.granted_on)
    checks += eligibility.check_terms(agreement, amount=loan.amount, term_months=loan.term_months,
                                      rate_pct=loan.rate_pct, granted_on=loan.granted_on)
    loan.eligibility_checks = checks
    loan.eligible = not eligibility.failed(checks)
    loan.checked_at = now()
    loan.state, loan.filed_by, loan.filed_at, loan.returned_note = LoanState.FILED, user_of(actor), now(), ""
    loan.save()
    event(actor, "file_loan", loan, agreement.pool.region_code, agreement.bank_id, eligible=loan.eligible,
          failed=[c["condition"] for c in eligibility.failed(checks)])


def do_file_loan(*, actor: Any, loan_id: int) -> Loan:
    with transaction.atomic():
        loan = _loan(loan_id)
        _file(actor, loan)
    return loan


def do_withdraw_loan(*, actor: Any, loan_id: int) -> Loan:
    with transaction.atomic():
        loan = _loan(loan_id)
        authorize(actor, "loan", "withdraw", loan, loan.state)
        before, loan.state = loan.state, LoanState.WITHDRAWN
        loan.save()
        event(actor, "withdraw_loan", loan, loan.agreement.pool.region_code, loan.agreement.bank_id,
              state=[before, loan.state])
    return loan


def acceptance_problems(loan: Loan) -> list[Problem]:
    problems = []
    if loan.agreement.state != AgreementState.ACTIVE:
        problems.append(Problem("suspended", _(
            "The bank's enrolments in this pool are suspended or ended; no loan can be enrolled now."), False))
    failed = eligibility.failed(loan.eligibility_checks)
    borrower = [eligibility.describe(c)["label"] for c in failed if c.get("kind") == "borrower"]
    terms = [eligibility.describe(c)["label"] for c in failed if c.get("kind") == "terms"]
    if borrower:
        problems.append(Problem("not_eligible", _(
            "When the loan was filed, %(enterprise)s did not meet the agreement's rule: %(conditions)s.")
            % {"enterprise": loan.enterprise.name, "conditions": "; ".join(borrower)}, True))
    if terms:
        problems.append(Problem("terms", _("The loan's terms are outside the agreement: %(terms)s.")
                                % {"terms": "; ".join(terms)}, True))
    return problems


def _premiums(actor: Any, loan: Loan) -> None:
    """Capital-access variant: borrower and lender premiums, matched by the agency, into the bank's reserve."""
    pool = loan.agreement.pool
    if pool.kind != PoolKind.CAPITAL_ACCESS:
        return
    paid = share_of(loan.amount, pool.borrower_premium_pct) + share_of(loan.amount, pool.lender_premium_pct)
    match = (paid * pool.match_ratio).quantize(Decimal("0.01"))
    legs = [(accounts.premiums_source(pool.region_code), -paid), (accounts.pool_account(pool), -match),
            (accounts.reserve(pool, loan.agreement.bank), paid + match)]
    legs = [(acct, amount) for acct, amount in legs if amount != 0]
    if len(legs) >= 2:
        loan.premium_txn = do_post_transaction(actor=actor, idempotency_key=f"riskpool:loan:{loan.pk}:premiums",
                                               legs=legs, kind="premium_match", reference=loan,
                                               memo=f"premiums and match for loan {loan.pk}")


@retrying
def do_accept_loan(*, actor: Any, loan_id: int, note: str = "", override_reason: str = "") -> Loan:
    """Confirm the enrolment: rests on the check made at filing (refused, or overridden with a reason)."""
    with transaction.atomic():
        loan = _loan(loan_id)
        authorize(actor, "loan", "accept", loan, loan.state)
        codes, reason = enforce(acceptance_problems(loan), actor=actor, override_reason=override_reason,
                                scope_obj=loan)
        loan.state = LoanState.ENROLLED
        loan.decided_by, loan.decided_at, loan.decision_note = user_of(actor), now(), (note or "").strip()[:2000]
        loan.overridden, loan.override_reason = codes, reason
        _premiums(actor, loan)
        loan.save()
        for cap in accounts.caps_for(loan.agreement, loan, loan.granted_on.year)[:2]:  # per loan, per enterprise
            accounts.open_cap(loan.agreement.pool, cap)
        event(actor, "accept_loan", loan, loan.agreement.pool.region_code, loan.agreement.bank_id,
              state=[LoanState.FILED, LoanState.ENROLLED], overridden=codes, override_reason=reason)
    return loan


def do_refuse_loan(*, actor: Any, loan_id: int, note: str) -> Loan:
    note = required_text(note, "note", _("Say why the loan is refused."))
    with transaction.atomic():
        loan = _loan(loan_id)
        authorize(actor, "loan", "refuse", loan, loan.state)
        loan.state, loan.decision_note = LoanState.REFUSED, note
        loan.decided_by, loan.decided_at = user_of(actor), now()
        loan.save()
        event(actor, "refuse_loan", loan, loan.agreement.pool.region_code, loan.agreement.bank_id, note=note)
    return loan


def do_return_loan(*, actor: Any, loan_id: int, note: str) -> Loan:
    note = required_text(note, "note", _("Say what the bank should correct."))
    with transaction.atomic():
        loan = _loan(loan_id)
        authorize(actor, "loan", "return", loan, loan.state)
        loan.state, loan.returned_note = LoanState.DRAFT, note
        loan.save()
        event(actor, "return_loan", loan, loan.agreement.pool.region_code, loan.agreement.bank_id, note=note)
    return loan


def do_record_repayment(*, actor: Any, loan_id: int, amount: Any, paid_on: Any) -> Repayment:
    amount = parse_amount(amount)
    day = _date(paid_on, "paid_on")
    with transaction.atomic():
        loan = _loan(loan_id)
        if loan.state in (LoanState.DEFAULTED, LoanState.WRITTEN_OFF) and can(actor, "finance.view", loan):
            raise Conflict(_("Loan %(loan)s is %(state)s: money recovered now is recorded as a recovery on its claim, "
                             "not as a repayment.") % {"loan": loan.contract_number, "state": loan.get_state_display()})
        authorize(actor, "loan", "repay", loan, loan.state)
        if amount > loan.outstanding:
            raise invalid("amount", _("At most %(left)s is outstanding.") % {"left": yuan(loan.outstanding)})
        if day < loan.granted_on or day > local_today():
            raise invalid("paid_on", _("The date must lie between the grant and today."))
        repayment = Repayment.objects.create(loan=loan, amount=amount, paid_on=day, recorded_by=user_of(actor))
        loan.outstanding -= amount
        if loan.outstanding == 0:
            loan.state = LoanState.REPAID
        loan.save()
        event(actor, "record_repayment", loan, loan.agreement.pool.region_code, loan.agreement.bank_id,
              amount=amount, outstanding=loan.outstanding, state=loan.state)
    return repayment


def do_report_default(*, actor: Any, loan_id: int, defaulted_on: Any) -> Loan:
    day = _date(defaulted_on, "defaulted_on")
    with transaction.atomic():
        loan = _loan(loan_id)
        authorize(actor, "loan", "default", loan, loan.state)
        if day < loan.granted_on or day > local_today():
            raise invalid("defaulted_on", _("The date must lie between the grant and today."))
        loan.state, loan.defaulted_on = LoanState.DEFAULTED, day
        loan.save()
        event(actor, "report_default", loan, loan.agreement.pool.region_code, loan.agreement.bank_id,
              state=[LoanState.ENROLLED, LoanState.DEFAULTED], outstanding=loan.outstanding)
        agreement = Agreement.objects.select_for_update().get(pk=loan.agreement_id)
        update_suspension(actor, agreement)
    return loan
