"""Pools, bank admission, agreements, suspension.

- ``do_create_pool`` / ``do_fund_pool``: ``world:finance:<region>`` → ``riskpool:P:available``.
- ``do_apply_admission`` (bank) → ``do_admit_bank`` / ``do_refuse_admission`` (agency; admission is a decision that
  rests on the scheme's criteria: a branch in the pool's region and a technology branch or dedicated staff).
- ``do_sign_agreement``: loss share, caps, eligible borrowers, loan terms, leverage commitment.
- ``update_suspension``: after every default the bank's loss ratio under the agreement is compared with the pool's
  threshold; above it the agreement is suspended (no new enrolments) until the agency resumes it with a reason.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from techsme.accounts.models import Organisation
from techsme.accounts.roles import OrgKind
from techsme.core.errors import Conflict, InvalidInput, PermissionDenied
from techsme.core.ledger import do_post_transaction
from techsme.core.models import LedgerTransaction
from techsme.core.permissions import can
from techsme.finance import accounts, eligibility
from techsme.finance.models import (
    AdmissionState,
    Agreement,
    AgreementState,
    BankAdmission,
    Claim,
    ClaimState,
    LoanState,
    Pool,
    PoolKind,
    PoolState,
)
from techsme.finance.services.common import (
    ZERO,
    Problem,
    authorize,
    enforce,
    event,
    invalid,
    now,
    parse_amount,
    parse_pct,
    required_text,
    retrying,
    user_of,
    yuan,
)

MIN_TECH_STAFF = 3


def _get(model: Any, pk: int, lock: bool = True) -> Any:
    qs = model.objects.select_for_update() if lock else model.objects
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise PermissionDenied(_("This record does not exist or is not yours to change."))
    return obj


def _int(value: Any, field: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise invalid(field, _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
    return number


def _choice(value: Any, allowed: list[str], field: str, message: str) -> str:
    if value not in allowed:
        raise invalid(field, message)
    return str(value)


# ---------------------------------------------------------------------------------------------------------------------
# pools


def do_create_pool(*, actor: Any, agency_id: int, name: str, kind: str = PoolKind.RISK_SHARE,
                   first_review_workdays: Any = 5, approval_workdays: Any = 25, claim_window_days: Any = 180,
                   suspension_loss_ratio_pct: Any = "5", borrower_premium_pct: Any = "0",
                   lender_premium_pct: Any = "0", match_ratio: Any = "1") -> Pool:
    if not can(actor, "finance.pool.manage"):
        raise PermissionDenied(_("You may not create a pool for this agency."))
    agency = Organisation.objects.filter(pk=agency_id, kind=OrgKind.AGENCY).first()
    if agency is None:
        raise invalid("agency_id", _("Choose an agency."))
    pool = Pool(agency=agency, region_code=agency.region_code)
    if not can(actor, "finance.pool.manage", pool):
        raise PermissionDenied(_("You may not create a pool for this agency."))
    errors = []
    values: dict[str, Any] = {}
    checks = {
        "name": lambda: required_text(name, "name", _("Give the pool a name."), 200),
        "kind": lambda: _choice(kind, PoolKind.values, "kind", _("Choose the kind of pool.")),
        "first_review_workdays": lambda: _int(first_review_workdays, "first_review_workdays", 1, 60),
        "approval_workdays": lambda: _int(approval_workdays, "approval_workdays", 1, 120),
        "claim_window_days": lambda: _int(claim_window_days, "claim_window_days", 1, 1000),
        "suspension_loss_ratio_pct": lambda: parse_pct(suspension_loss_ratio_pct, "suspension_loss_ratio_pct",
                                                       Decimal("0.01")),
        "borrower_premium_pct": lambda: parse_pct(borrower_premium_pct, "borrower_premium_pct", high=Decimal(10)),
        "lender_premium_pct": lambda: parse_pct(lender_premium_pct, "lender_premium_pct", high=Decimal(10)),
        "match_ratio": lambda: parse_pct(match_ratio, "match_ratio", high=Decimal(10)),
    }
    for field, check in checks.items():
        try:
            values[field] = check()
        except InvalidInput as exc:
            errors.extend(exc.errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        for field, value in values.items():
            setattr(pool, field, value)
        pool.created_by = user_of(actor)
        pool.save()
        accounts.pool_account(pool)
        event(actor, "create_pool", pool, pool.region_code, pool.agency_id, name=pool.name, kind=pool.kind)
    return pool


@retrying
def do_fund_pool(*, actor: Any, pool_id: int, amount: Any, request_key: str) -> LedgerTransaction:
    """Add ``amount`` to the pool from the region's treasury (the key comes from the request: funds once)."""
    amount = parse_amount(amount)
    key = (request_key or "").strip()[:100]
    if not key:
        raise invalid("request_key", _("This form has expired; reload the page and submit it again."))
    with transaction.atomic():
        pool = _get(Pool, pool_id)
        if not can(actor, "finance.pool.manage", pool):
            raise PermissionDenied(_("You may not fund this pool."))
        if pool.state != PoolState.OPEN:
            raise Conflict(_("Pool “%(pool)s” is closed.") % {"pool": pool.name})
        ledger_key = f"riskpool:{pool.pk}:fund:{key}"
        if LedgerTransaction.objects.filter(idempotency_key=ledger_key).exists():
            raise Conflict(_("This funding was already made; it was not made again."))
        txn = do_post_transaction(actor=actor, idempotency_key=ledger_key, kind="fund",
                                  legs=[(accounts.treasury(pool.region_code), -amount),
                                        (accounts.pool_account(pool), amount)],
                                  memo=f"pool {pool.pk} funded", reference=pool)
        event(actor, "fund_pool", pool, pool.region_code, pool.agency_id, amount=amount)
    return txn


# ---------------------------------------------------------------------------------------------------------------------
# admission


def do_apply_admission(*, actor: Any, pool_id: int, local_branch_address: str, bank_id: int | None = None,
                       tech_branch_name: str = "", tech_credit_staff: Any = 0) -> BankAdmission:
    """A bank applies to join a pool (``bank_id`` may be left out by an officer of one bank: that bank)."""
    if bank_id is None:
        from techsme.core.permissions import organisations

        own = organisations(actor, {"bank_officer"})
        bank_id = own[0] if len(own) == 1 else 0
    bank = Organisation.objects.filter(pk=bank_id, kind=OrgKind.BANK).first()
    pool = Pool.objects.filter(pk=pool_id).first()
    admission = BankAdmission(pool=pool, bank=bank)
    if bank is None or pool is None or not can(actor, "finance.admission.apply", admission):
        raise PermissionDenied(_("You may not apply for this bank."))
    address = required_text(local_branch_address, "local_branch_address",
                            _("Give the address of the bank's branch in the pool's region."), 300)
    staff = _int(tech_credit_staff or 0, "tech_credit_staff", 0, 10000)
    with transaction.atomic():
        if pool.state != PoolState.OPEN:
            raise Conflict(_("Pool “%(pool)s” is closed.") % {"pool": pool.name})
        if BankAdmission.objects.filter(pool=pool, bank=bank, state__in=["applied", "admitted"]).exists():
            raise Conflict(_("%(bank)s has already applied to or been admitted to this pool.") % {"bank": bank.name})
        admission.local_branch_address = address
        admission.tech_branch_name = (tech_branch_name or "").strip()[:200]
        admission.tech_credit_staff = staff
        admission.applied_by = user_of(actor)
        admission.save()
        event(actor, "apply_admission", admission, pool.region_code, bank.pk, pool=pool.pk)
    return admission


def admission_problems(admission: BankAdmission) -> list[Problem]:
    problems = []
    prefix = admission.pool.agency.region_prefix
    if not admission.bank.region_code.startswith(prefix):
        problems.append(Problem("no_local_presence", _(
            "%(bank)s is registered outside the pool's region; the scheme admits banks with a branch in the region.")
            % {"bank": admission.bank.name}, True))
    if not admission.tech_branch_name and admission.tech_credit_staff < MIN_TECH_STAFF:
        problems.append(Problem("no_tech_branch", _(
            "%(bank)s has no technology branch and fewer than %(n)d staff dedicated to technology credit.")
            % {"bank": admission.bank.name, "n": MIN_TECH_STAFF}, True))
    if admission.pool.state != PoolState.OPEN:
        problems.append(Problem("pool_closed", _("The pool is closed."), False))
    return problems


def do_admit_bank(*, actor: Any, admission_id: int, note: str = "", override_reason: str = "") -> BankAdmission:
    with transaction.atomic():
        admission = _get(BankAdmission, admission_id)
        authorize(actor, "admission", "admit", admission, admission.state)
        codes, reason = enforce(admission_problems(admission), actor=actor, override_reason=override_reason,
                                scope_obj=admission)
        admission.state = AdmissionState.ADMITTED
        admission.decided_by, admission.decided_at = user_of(actor), now()
        admission.decision_note = (note or "").strip()[:2000]
        admission.overridden, admission.override_reason = codes, reason
        admission.save()
        event(actor, "admit_bank", admission, admission.pool.region_code, admission.bank_id,
              state=[AdmissionState.APPLIED, AdmissionState.ADMITTED], overridden=codes, override_reason=reason)
    return admission


def do_refuse_admission(*, actor: Any, admission_id: int, note: str) -> BankAdmission:
    note = required_text(note, "note", _("Say why the bank is refused."))
    with transaction.atomic():
        admission = _get(BankAdmission, admission_id)
        authorize(actor, "admission", "refuse", admission, admission.state)
        admission.state = AdmissionState.REFUSED
        admission.decided_by, admission.decided_at, admission.decision_note = user_of(actor), now(), note
        admission.save()
        event(actor, "refuse_admission", admission, admission.pool.region_code, admission.bank_id, note=note)
    return admission


def do_withdraw_admission(*, actor: Any, admission_id: int) -> BankAdmission:
    with transaction.atomic():
        admission = _get(BankAdmission, admission_id)
        authorize(actor, "admission", "withdraw", admission, admission.state)
        admission.state = AdmissionState.WITHDRAWN
        admission.save()
        event(actor, "withdraw_admission", admission, admission.pool.region_code, admission.bank_id)
    return admission


# ---------------------------------------------------------------------------------------------------------------------
# agreements


def _agreement_values(data: dict[str, Any]) -> dict[str, Any]:
    errors, out = [], {}

    def take(field: str, fn: Any) -> None:
        try:
            out[field] = fn()
        except InvalidInput as exc:
            errors.extend(exc.errors)

    take("loss_share_pct", lambda: parse_pct(data.get("loss_share_pct"), "loss_share_pct", Decimal("1")))
    for field in ("cap_per_loan", "cap_per_enterprise", "cap_per_year", "allocation", "max_loan_amount"):
        take(field, lambda f=field: parse_amount(data.get(f), f))
    take("leverage_multiple", lambda: parse_pct(data.get("leverage_multiple"), "leverage_multiple", Decimal(1)))
    take("max_term_months", lambda: _int(data.get("max_term_months"), "max_term_months", 1, 120))
    take("rate_ceiling_pct", lambda: parse_pct(data.get("rate_ceiling_pct"), "rate_ceiling_pct", Decimal("0.01"),
                                               Decimal(36)))
    take("eligibility", lambda: eligibility.normalise(data.get("eligibility") or []))
    for field in ("valid_from", "valid_until"):
        value = data.get(field)
        if isinstance(value, date):
            out[field] = value
        else:
            try:
                out[field] = date.fromisoformat(str(value))
            except ValueError:
                errors.append(invalid(field, _("Enter a date such as 2026-01-01.")).errors[0])
    if not errors:
        if out["valid_until"] < out["valid_from"]:
            errors.append(invalid("valid_until", _("The agreement cannot end before it starts.")).errors[0])
        if out["cap_per_loan"] > out["cap_per_enterprise"]:
            errors.append(invalid("cap_per_loan", _("The cap per loan cannot exceed the cap per enterprise."))
                          .errors[0])
    if errors:
        raise InvalidInput(errors)
    return out


def do_sign_agreement(*, actor: Any, admission_id: int, **data: Any) -> Agreement:
    """Record the agreement with an admitted bank (one per admission); the caps of its years are opened on the
    ledger at once."""
    values = _agreement_values(data)
    with transaction.atomic():
        admission = _get(BankAdmission, admission_id)
        if not can(actor, "finance.pool.manage", admission.pool):
            raise PermissionDenied(_("You may not sign agreements for this pool."))
        if admission.state != AdmissionState.ADMITTED:
            raise Conflict(_("Only an admitted bank can sign an agreement."))
        if Agreement.objects.filter(admission=admission).exists():
            raise Conflict(_("This bank already has an agreement with the pool."))
        agreement = Agreement.objects.create(pool=admission.pool, bank=admission.bank, admission=admission,
                                             signed_by=user_of(actor), **values)
        for year in range(agreement.valid_from.year, agreement.valid_until.year + 1):
            accounts.open_cap(agreement.pool, accounts.Cap(
                "year", f"riskpool:{agreement.pool_id}:cap:agreement:{agreement.pk}:year:{year}",
                agreement.cap_per_year))
        event(actor, "sign_agreement", agreement, agreement.pool.region_code, agreement.bank_id,
              **{k: v for k, v in values.items() if k != "eligibility"}, eligibility=values["eligibility"])
    return agreement


def loss_ratio_pct(agreement: Agreement) -> Decimal:
    """Principal lost in default ÷ principal enrolled under the agreement, in % (0 without loans)."""
    enrolled = agreement.loans.filter(
        state__in=[LoanState.ENROLLED, LoanState.REPAID, LoanState.DEFAULTED, LoanState.WRITTEN_OFF]
    ).aggregate(total=Sum("amount"))["total"] or ZERO
    if enrolled <= 0:
        return ZERO
    lost = agreement.loans.filter(state__in=[LoanState.DEFAULTED, LoanState.WRITTEN_OFF]).aggregate(
        total=Sum("outstanding"))["total"] or ZERO
    claimed = Claim.objects.filter(loan__agreement=agreement, state__in=[ClaimState.APPROVED, ClaimState.PAID]
                                   ).aggregate(total=Sum("loss"))["total"] or ZERO
    return (max(lost, claimed) * 100 / enrolled).quantize(Decimal("0.01"))


def update_suspension(actor: Any, agreement: Agreement) -> bool:
    """Suspend an active agreement whose loss ratio passed the pool's threshold (inside the caller's transaction)."""
    ratio = loss_ratio_pct(agreement)
    if agreement.state != AgreementState.ACTIVE or ratio <= agreement.pool.suspension_loss_ratio_pct:
        return False
    agreement.state = AgreementState.SUSPENDED
    agreement.suspended_loss_ratio_pct = ratio
    agreement.suspended_reason = ""
    agreement.save(update_fields=["state", "suspended_loss_ratio_pct", "suspended_reason"])
    event(None, "suspend_agreement", agreement, agreement.pool.region_code, agreement.bank_id,
          state=[AgreementState.ACTIVE, AgreementState.SUSPENDED], loss_ratio_pct=ratio,
          threshold_pct=agreement.pool.suspension_loss_ratio_pct, automatic=True)
    return True


def do_suspend_agreement(*, actor: Any, agreement_id: int, reason: str) -> Agreement:
    reason = required_text(reason, "reason", _("Say why the bank's enrolments are suspended."))
    with transaction.atomic():
        agreement = _get(Agreement, agreement_id)
        authorize(actor, "agreement", "suspend", agreement, agreement.state)
        agreement.state, agreement.suspended_reason = AgreementState.SUSPENDED, reason
        agreement.suspended_loss_ratio_pct = None
        agreement.save()
        event(actor, "suspend_agreement", agreement, agreement.pool.region_code, agreement.bank_id, reason=reason)
    return agreement


def do_resume_agreement(*, actor: Any, agreement_id: int, reason: str) -> Agreement:
    reason = required_text(reason, "reason", _("Say why the bank may enrol loans again."))
    with transaction.atomic():
        agreement = _get(Agreement, agreement_id)
        authorize(actor, "agreement", "resume", agreement, agreement.state)
        ratio = loss_ratio_pct(agreement)
        agreement.state, agreement.suspended_reason = AgreementState.ACTIVE, ""
        agreement.suspended_loss_ratio_pct = None
        agreement.save()
        event(actor, "resume_agreement", agreement, agreement.pool.region_code, agreement.bank_id, reason=reason,
              loss_ratio_pct=ratio)
    return agreement


def leverage(agreement: Agreement) -> dict[str, Any]:
    """The bank's commitment (allocation × multiple) against the loans enrolled under the agreement."""
    enrolled = agreement.loans.exclude(
        state__in=[LoanState.DRAFT, LoanState.FILED, LoanState.REFUSED, LoanState.WITHDRAWN]
    ).aggregate(total=Sum("amount"))["total"] or ZERO
    committed = (agreement.allocation * agreement.leverage_multiple).quantize(Decimal("0.01"))
    achieved = (enrolled / agreement.allocation).quantize(Decimal("0.01")) if agreement.allocation else ZERO
    return {"committed": committed, "enrolled": enrolled, "achieved_multiple": achieved,
            "met": enrolled >= committed, "text": yuan(enrolled)}
