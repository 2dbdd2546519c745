"""Every state change of the voucher process: one verb per step, atomic, scope-checked, audited, on the ledger.

Money moves only through ``core.ledger`` (see docs/ledger.md for the legs); each verb derives its idempotency key from
the domain object (``application:12:issue``, ``contract:7:redeem``, ``voucher:3:expire``) or from the request (a form
token / ``Idempotency-Key`` header for new applications, contracts and refunds), so a double-submitted form or a
retried API call applies once. Lock order everywhere: voucher → contract/application → enterprise → ledger accounts.
"""

import functools
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.accounts.models import Organisation
from techsme.accounts.roles import OrgKind, Role
from techsme.core import audit
from techsme.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from techsme.core.ledger import (
    InsufficientFunds,
    do_post_transaction,
    do_reverse_transaction,
    get_or_create_account,
)
from techsme.core.models import LedgerTransaction
from techsme.core.permissions import can
from techsme.core.permissions import roles as roles_of
from techsme.core.uploads import sniff_type
from techsme.core.workflow import PUBLIC, SYSTEM, Transition
from techsme.registry.models import Enterprise
from techsme.vouchers import codes, eligibility, notifications
from techsme.vouchers.models import (
    Application,
    ApplicationState,
    Contract,
    ContractState,
    Programme,
    ProgrammeState,
    ProviderService,
    ProviderState,
    ReimbursementBatch,
    ServiceCategory,
    ServiceProvider,
    Voucher,
    VoucherState,
)
from techsme.vouchers.permissions import action_name
from techsme.vouchers.workflows import WORKFLOWS

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {".pdf", ".jpg", ".jpeg", ".png"}
T = TypeVar("T")


class DuplicateSubmission(Conflict):
    """The same form (or API request key) was submitted before; nothing was changed. ``existing`` is the first."""

    def __init__(self, existing: Any, message: str):
        super().__init__(message)
        self.existing = existing


# ---------------------------------------------------------------------------------------------------------------
# helpers


def _today() -> date:
    return timezone.localdate()


def _yuan(amount: Decimal) -> str:
    """Money in messages: ``¥20,000.00`` (the same in both languages)."""
    return f"¥{amount:,.2f}"


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput([FieldError(field, message)])


def parse_amount(value: Any, field: str = "amount") -> Decimal:
    """A positive amount of money with at most two decimals (text such as ``"12,000.50"`` is accepted)."""
    if isinstance(value, float):
        value = str(value)
    try:
        amount = Decimal(str(value).replace(",", "").replace("¥", "").strip()) if value not in (None, "") else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise _invalid(field, _("Enter an amount of money, for example 20000 or 12500.50."))
    if amount <= 0:
        raise _invalid(field, _("The amount must be greater than zero."))
    if amount != amount.quantize(CENT) or amount >= Decimal("1e15"):
        raise _invalid(field, _("The amount must be below 10¹⁵ with at most two decimal places."))
    return amount.quantize(CENT)


def _retrying(func: Callable[..., T]) -> Callable[..., T]:
    """Retry a whole verb on a transient lock error (SQLite "database is locked", PostgreSQL deadlock)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        if connection.in_atomic_block:
            return func(*args, **kwargs)
        for attempt in range(1, 6):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                message = str(exc).lower()
                if attempt == 5 or not ("locked" in message or "deadlock" in message):
                    raise
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    return wrapper


def _actor_roles(actor: Any) -> set[str]:
    if actor is None:
        return {SYSTEM, PUBLIC}
    if getattr(actor, "is_superuser", False):
        return set(Role.values) | {PUBLIC}
    return roles_of(actor) | {PUBLIC}


def _authorize(actor: Any, key: str, name: str, obj: Any, state: str, scope_obj: Any = None) -> Transition:
    """Scope first (an outsider learns nothing about the state), then the state table."""
    workflow = WORKFLOWS[key]
    t = workflow.transition(name)
    system = actor is None and SYSTEM in t.roles
    if not system and not can(actor, action_name(key, name), scope_obj if scope_obj is not None else obj):
        raise PermissionDenied(
            _("You may not %(action)s this %(subject)s.") % {"action": t.label, "subject": workflow.subject}
        )
    return workflow.check(name, state, _actor_roles(actor), obj)


def _record(actor: Any, verb: str, obj: Any, region: str, org: int | None, **changes: Any) -> None:
    audit.record(actor=actor, verb=verb, obj=obj, changes=changes, region_code=region, organisation_id=org)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _budget_left_message(programme: Programme, free: Decimal, wanted: Decimal) -> str:
    return _(
        "The remaining budget of programme “%(programme)s” is %(free)s, less than the %(amount)s requested."
    ) % {"programme": programme.name, "free": _yuan(free), "amount": _yuan(wanted)}


def _check_programme_open(programme: Programme) -> None:
    """Only an open programme takes applications and issues vouchers (see ``programme_services``)."""
    if programme.state == ProgrammeState.SUSPENDED:
        raise Conflict(_("Programme “%(programme)s” is suspended; it takes no applications and issues no vouchers "
                         "for now.") % {"programme": programme.name})
    if programme.state == ProgrammeState.CLOSED:
        raise Conflict(_("Programme “%(programme)s” has closed; it no longer takes applications.")
                       % {"programme": programme.name})


def _check_voucher_usable(voucher: Voucher, today: date) -> None:
    if voucher.state == VoucherState.EXPIRED or voucher.valid_until < today:
        raise Conflict(_("Voucher %(code)s expired on %(date)s and can no longer be used.")
                       % {"code": voucher.code, "date": voucher.valid_until.isoformat()})
    if voucher.state != VoucherState.ACTIVE:
        raise Conflict(_("Voucher %(code)s has been cancelled and can no longer be used.") % {"code": voucher.code})


def accepts(provider: ServiceProvider, voucher: Voucher) -> bool:
    """Whether the provider's programme accepts vouchers of the voucher's programme (own or recognised)."""
    return provider.programme_id == voucher.programme_id or provider.programme.recognised.filter(
        pk=voucher.programme_id
    ).exists()


# ---------------------------------------------------------------------------------------------------------------
# programmes


def _categories(values: Iterable[str]) -> list[str]:
    values = [str(v).strip() for v in values if str(v).strip()]
    unknown = [v for v in values if v not in ServiceCategory.values]
    if unknown:
        raise _invalid("categories", _("Unknown service category: %(name)s.") % {"name": ", ".join(unknown)})
    if not values:
        raise _invalid("categories", _("Choose at least one eligible service category."))
    return sorted(set(values), key=ServiceCategory.values.index)


@_retrying
def do_create_programme(
    *,
    actor: Any,
    agency: Organisation,
    name: str,
    year: int,
    budget: Any,
    cap_per_enterprise_year: Any,
    cap_per_application: Any,
    max_contract_share: Any,
    categories: Iterable[str],
    valid_until: date,
    eligibility_rule: Any = None,
    recognised: Iterable[int] = (),
) -> Programme:
    """Create a programme of ``agency`` and fund its budget (``world:finance:<region>`` → ``programme:P:budget``)."""
    if agency.kind != OrgKind.AGENCY or not can(actor, "vouchers.programme.manage", agency):
        raise PermissionDenied(_("You may not run voucher programmes for this agency."))
    errors: list[FieldError] = []

    def collect(func: Callable[[], Any]) -> Any:
        try:
            return func()
        except InvalidInput as exc:
            errors.extend(exc.errors)
            return None

    name = (name or "").strip()
    if not name:
        errors.append(FieldError("name", _("Enter the name of the programme.")))
    budget_amount = collect(lambda: parse_amount(budget, "budget"))
    cap_year = collect(lambda: parse_amount(cap_per_enterprise_year, "cap_per_enterprise_year"))
    cap_app = collect(lambda: parse_amount(cap_per_application, "cap_per_application"))
    try:
        share = Decimal(str(max_contract_share).strip().rstrip("%"))
        if str(max_contract_share).strip().endswith("%"):
            share = share / 100
    except (InvalidOperation, ValueError):
        share = None
    if share is None or not share.is_finite() or not (0 < share <= 1) or share != share.quantize(Decimal("0.001")):
        errors.append(FieldError("max_contract_share",
                                 _("The share of a contract must be between 0 and 1 (for example 0.5 for 50%).")))
    if cap_year is not None and cap_app is not None and cap_app > cap_year:
        errors.append(FieldError("cap_per_application",
                                 _("The cap per application cannot exceed the cap per enterprise per year.")))
    cats = collect(lambda: _categories(categories))
    rule = collect(lambda: eligibility.normalise(eligibility_rule))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.append(FieldError("year", _("Enter the year of issue, for example 2026.")))
    elif not isinstance(valid_until, date) or valid_until.year < year:
        errors.append(FieldError("valid_until", _("The vouchers must stay valid at least until a day of the year of "
                                                  "issue.")))
    recognised_ids = sorted({int(r) for r in recognised})
    others = list(Programme.objects.filter(pk__in=recognised_ids))
    if len(others) != len(recognised_ids):
        errors.append(FieldError("recognised", _("A recognised programme does not exist.")))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        programme = Programme.objects.create(
            agency=agency, name=name, region_code=agency.region_code, year=year, eligibility=rule,
            cap_per_enterprise_year=cap_year, cap_per_application=cap_app, max_contract_share=share,
            categories=cats, valid_until=valid_until,
        )
        programme.recognised.set(others)
        programme.budget_account = get_or_create_account(
            f"programme:{programme.pk}:budget", name=name[:200], kind="voucher_budget",
            region_code=agency.region_code, organisation=agency,
        )
        programme.save(update_fields=["budget_account"])
        _record(actor, "vouchers.create_programme", programme, programme.region_code, agency.pk,
                name=name, year=year, budget=budget_amount, cap_per_enterprise_year=cap_year,
                cap_per_application=cap_app, max_contract_share=share, categories=cats, eligibility=rule,
                valid_until=valid_until, recognised=recognised_ids)
        _fund(actor, programme, budget_amount, f"programme:{programme.pk}:fund:initial")
        programme.budget_account.refresh_from_db(fields=["balance"])
    return programme


def _fund(actor: Any, programme: Programme, amount: Decimal, key: str) -> None:
    world = get_or_create_account(
        f"world:finance:{programme.region_code}", name=f"Finance {programme.region_code}", kind="world",
        allow_negative=True, region_code=programme.region_code,
    )
    do_post_transaction(actor=_user(actor), idempotency_key=key, kind="fund",
                        legs=[(world, -amount), (programme.budget_account, amount)],
                        memo=f"Voucher programme budget: {programme.name}"[:300], reference=programme)


@_retrying
def do_fund_programme(*, actor: Any, programme_id: int, amount: Any, request_key: str) -> Programme:
    """Add ``amount`` to a programme's budget (the key comes from the request: a re-submitted form funds once)."""
    amount = parse_amount(amount)
    programme = Programme.objects.select_related("budget_account").filter(pk=programme_id).first()
    if programme is None or not can(actor, "vouchers.programme.manage", programme):
        raise PermissionDenied(_("You may not fund this programme."))
    if programme.state == ProgrammeState.CLOSED:
        raise Conflict(_("Programme “%(programme)s” has closed; its budget cannot be topped up.")
                       % {"programme": programme.name})
    if not (request_key or "").strip():
        raise _invalid("request_key", _("This form has expired; reload the page and submit it again."))
    ledger_key = f"programme:{programme.pk}:fund:{request_key.strip()[:100]}"
    if LedgerTransaction.objects.filter(idempotency_key=ledger_key).exists():
        raise DuplicateSubmission(programme, _("This top-up was already made; it was not made again."))
    with transaction.atomic():
        _fund(actor, programme, amount, ledger_key)
        _record(actor, "vouchers.fund_programme", programme, programme.region_code, programme.agency_id,
                amount=amount)
    return programme


def do_set_recognition(*, actor: Any, programme_id: int, recognised: Iterable[int]) -> Programme:
    """Which other programmes' vouchers this programme's providers accept (cross-region recognition)."""
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None or not can(actor, "vouchers.programme.manage", programme):
        raise PermissionDenied(_("You may not change this programme."))
    ids = sorted({int(r) for r in recognised} - {programme.pk})
    others = list(Programme.objects.filter(pk__in=ids))
    if len(others) != len(ids):
        raise _invalid("recognised", _("A recognised programme does not exist."))
    with transaction.atomic():
        before = sorted(programme.recognised.values_list("pk", flat=True))
        programme.recognised.set(others)
        _record(actor, "vouchers.set_recognition", programme, programme.region_code, programme.agency_id,
                recognised=[before, ids])
    return programme


# ---------------------------------------------------------------------------------------------------------------
# applications and issuance


def _issued_total(enterprise_id: int, programme: Programme) -> Decimal:
    """What the enterprise already holds from this programme's year (issued, not cancelled) — cap per year."""
    amounts = Voucher.objects.filter(
        enterprise_id=enterprise_id, programme__agency_id=programme.agency_id, programme__year=programme.year,
    ).exclude(state=VoucherState.CANCELLED).values_list("amount", flat=True)
    return sum(amounts, ZERO)


def _pending_total(enterprise_id: int, programme: Programme, exclude: int | None = None) -> Decimal:
    amounts = Application.objects.filter(
        enterprise_id=enterprise_id, programme__agency_id=programme.agency_id, programme__year=programme.year,
        state=ApplicationState.SUBMITTED,
    ).exclude(pk=exclude).values_list("amount", flat=True)
    return sum(amounts, ZERO)


def _cap_message(programme: Programme, used: Decimal, amount: Decimal) -> str:
    return _(
        "The cap per enterprise per year is %(cap)s; %(used)s is already issued or applied for, so %(amount)s "
        "cannot be added (at most %(left)s)."
    ) % {"cap": _yuan(programme.cap_per_enterprise_year), "used": _yuan(used),
         "amount": _yuan(amount), "left": _yuan(max(ZERO, programme.cap_per_enterprise_year - used))}


@_retrying
def do_apply(
    *, actor: Any, programme_id: int, enterprise_id: int, amount: Any, purpose: str, submission_key: str,
    today: date | None = None,
) -> Application:
    """An enterprise applies to a programme. Refused with a field error (nothing written) when it breaks a rule."""
    today = today or _today()
    key = (submission_key or "").strip()[:150]
    if not key:
        raise _invalid("submission_key", _("This form has expired; reload the page and submit it again."))
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None or not can(actor, "vouchers.apply", enterprise):
        raise PermissionDenied(_("You may not apply for vouchers on behalf of this enterprise."))
    existing = Application.objects.filter(submission_key=f"application:{key}").first()
    if existing is not None:
        raise DuplicateSubmission(existing, _("This application was already submitted; it was not submitted again."))
    programme = Programme.objects.select_related("budget_account").filter(pk=programme_id).first()
    if programme is None:
        raise _invalid("programme", _("This voucher programme does not exist."))
    amount = parse_amount(amount)
    purpose = (purpose or "").strip()
    if not purpose:
        raise _invalid("purpose", _("Describe what the voucher is for."))
    if programme.valid_until < today:
        raise Conflict(_("Programme “%(programme)s” has closed; it no longer takes applications.")
                       % {"programme": programme.name})
    _check_programme_open(programme)
    failed = eligibility.failed_conditions(programme.eligibility, enterprise, programme.year)
    if failed:
        raise _invalid("enterprise", _("The enterprise is not eligible for this programme: %(conditions)s.")
                       % {"conditions": "; ".join(failed)})
    if amount > programme.cap_per_application:
        raise _invalid("amount", _("The amount exceeds the cap per application of %(cap)s.")
                       % {"cap": _yuan(programme.cap_per_application)})
    with transaction.atomic():
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
        used = _issued_total(enterprise.pk, programme) + _pending_total(enterprise.pk, programme)
        if used + amount > programme.cap_per_enterprise_year:
            raise _invalid("amount", _cap_message(programme, used, amount))
        free = programme.budget_account.balance
        if amount > free:
            raise _invalid("amount", _budget_left_message(programme, free, amount))
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    programme=programme, enterprise=enterprise, amount=amount, purpose=purpose,
                    submission_key=f"application:{key}", submitted_by=_user(actor),
                )
        except IntegrityError:
            existing = Application.objects.filter(submission_key=f"application:{key}").first()
            if existing is None:
                raise
            raise DuplicateSubmission(
                existing, _("This application was already submitted; it was not submitted again.")
            ) from None
        _record(actor, "vouchers.apply", application, enterprise.region_code, enterprise.organisation_id,
                programme=programme.pk, amount=amount, purpose=purpose)
    return application


@_retrying
def do_decide_application(
    *, actor: Any, application_id: int, approve: bool, amount: Any = None, reason: str = ""
) -> Application:
    """Approve (fully or partly: ``amount`` ≤ the amount applied for) and issue the voucher, or reject with a reason."""
    reason = (reason or "").strip()
    with transaction.atomic():
        application = (Application.objects.select_for_update(of=("self",)).select_related("programme__budget_account",
                                                                                           "enterprise")
                       .filter(pk=application_id).first())
        if application is None:
            raise PermissionDenied(_("You may not decide this application."))
        programme, enterprise = application.programme, application.enterprise
        _authorize(actor, "application", "approve" if approve else "reject", application, application.state)
        now = timezone.now()
        if not approve:
            if not reason:
                raise _invalid("reason", _("Give the reason for the rejection."))
            application.state, application.reason = ApplicationState.REJECTED, reason
            application.decided_by, application.decided_at = _user(actor), now
            application.save(update_fields=["state", "reason", "decided_by", "decided_at"])
            _record(actor, "vouchers.reject_application", application, enterprise.region_code,
                    enterprise.organisation_id, state=[ApplicationState.SUBMITTED, application.state], reason=reason)
            notifications.application_decided(application)
            return application
        # The programme row is locked so that a concurrent suspension or closure cannot slip in between.
        programme.state = Programme.objects.select_for_update().filter(pk=programme.pk).values_list(
            "state", flat=True).get()
        _check_programme_open(programme)
        granted = application.amount if amount in (None, "") else parse_amount(amount)
        if granted > application.amount:
            raise _invalid("amount", _("The approved amount cannot exceed the %(amount)s applied for.")
                           % {"amount": _yuan(application.amount)})
        if granted > programme.cap_per_application:
            raise _invalid("amount", _("The amount exceeds the cap per application of %(cap)s.")
                           % {"cap": _yuan(programme.cap_per_application)})
        if granted < application.amount and not reason:
            raise _invalid("reason", _("Give the reason why less than the amount applied for is approved."))
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
        used = _issued_total(enterprise.pk, programme)
        if used + granted > programme.cap_per_enterprise_year:
            raise _invalid("amount", _cap_message(programme, used, granted))
        voucher = Voucher.objects.create(
            application=application, programme=programme, enterprise=enterprise,
            code=codes.make_code(programme.year, application.pk), amount=granted, valid_until=programme.valid_until,
        )
        voucher.account = get_or_create_account(
            f"voucher:{voucher.pk}", name=voucher.code, kind="voucher", region_code=enterprise.region_code,
            organisation=enterprise.organisation,
        )
        try:
            voucher.issue_transaction = do_post_transaction(
                actor=_user(actor), idempotency_key=f"application:{application.pk}:issue", kind="voucher_issue",
                legs=[(programme.budget_account, -granted), (voucher.account, granted)],
                memo=f"Innovation voucher {voucher.code}", reference=voucher,
            )
        except InsufficientFunds as exc:
            raise Conflict(_budget_left_message(programme, exc.balance, granted)) from None
        voucher.save(update_fields=["account", "issue_transaction"])
        voucher.account.refresh_from_db(fields=["balance"])
        application.state, application.approved_amount, application.reason = (
            ApplicationState.APPROVED, granted, reason)
        application.decided_by, application.decided_at = _user(actor), now
        application.save(update_fields=["state", "approved_amount", "reason", "decided_by", "decided_at"])
        _record(actor, "vouchers.issue_voucher", voucher, enterprise.region_code, enterprise.organisation_id,
                application=application.pk, amount=granted, applied=application.amount, reason=reason,
                code=voucher.code, transaction=voucher.issue_transaction.pk)
        notifications.application_decided(application)
    return application


def _return_to_budget(actor: Any, voucher: Voucher, key: str, kind: str, memo: str) -> Decimal:
    """Move the voucher's whole balance back to the budget (a partial reversal of the issue). Returns the amount."""
    voucher.account.refresh_from_db(fields=["balance"])
    left = voucher.account.balance
    if left > 0:
        do_reverse_transaction(actor=_user(actor), transaction_id=voucher.issue_transaction_id, amount=left,
                               idempotency_key=key, kind=kind, memo=memo)
        _sweep_if_closed(actor, voucher, left, key)
    return left


def _sweep_if_closed(actor: Any, voucher: Voucher, amount: Decimal, key: str) -> None:
    """Value returned to the budget of a *closed* programme goes on to the source account (key ``<key>:source``)."""
    programme = Programme.objects.select_related("budget_account").get(pk=voucher.programme_id)
    if programme.state == ProgrammeState.CLOSED:
        from techsme.vouchers.programme_services import return_budget_to_source

        return_budget_to_source(actor, programme, f"{key}:source", amount)


@_retrying
def do_cancel_voucher(*, actor: Any, voucher_id: int, reason: str) -> Voucher:
    """Cancel a voucher: its unspent balance returns to the programme budget (a movement, never an edit)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update(of=("self",)).select_related("account", "enterprise").filter(
            pk=voucher_id).first()
        if voucher is None:
            raise PermissionDenied(_("You may not cancel this voucher."))
        _authorize(actor, "voucher", "cancel", voucher, voucher.state)
        if not reason:
            raise _invalid("reason", _("Give the reason for the cancellation."))
        returned = _return_to_budget(actor, voucher, f"voucher:{voucher.pk}:cancel", "voucher_cancel",
                                     f"Voucher {voucher.code} cancelled")
        voucher.state, voucher.closed_at = VoucherState.CANCELLED, timezone.now()
        voucher.save(update_fields=["state", "closed_at"])
        _record(actor, "vouchers.cancel_voucher", voucher, voucher.enterprise.region_code,
                voucher.enterprise.organisation_id, state=[VoucherState.ACTIVE, voucher.state], returned=returned,
                reason=reason)
    return voucher


@_retrying
def do_expire_voucher(*, actor: Any, voucher_id: int, today: date | None = None) -> Decimal | None:
    """Expire one voucher after its validity: the unspent balance returns to the budget. Idempotent: an already
    expired (or cancelled) voucher is left alone and ``None`` is returned."""
    today = today or _today()
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update(of=("self",)).select_related("account", "enterprise").filter(
            pk=voucher_id).first()
        if voucher is None or voucher.state != VoucherState.ACTIVE:
            return None
        if voucher.valid_until >= today:
            raise Conflict(_("Voucher %(code)s is valid until %(date)s; it cannot expire before then.")
                           % {"code": voucher.code, "date": voucher.valid_until.isoformat()})
        _authorize(actor, "voucher", "expire", voucher, voucher.state)
        returned = _return_to_budget(actor, voucher, f"voucher:{voucher.pk}:expire", "voucher_expire",
                                     f"Voucher {voucher.code} expired")
        voucher.state, voucher.closed_at = VoucherState.EXPIRED, timezone.now()
        voucher.save(update_fields=["state", "closed_at"])
        _record(actor, "vouchers.expire_voucher", voucher, voucher.enterprise.region_code,
                voucher.enterprise.organisation_id, state=[VoucherState.ACTIVE, voucher.state], returned=returned)
    return returned


def expire_due_vouchers(*, actor: Any = None, today: date | None = None,
                        progress: Callable[[int, int], None] | None = None,
                        programme_id: int | None = None) -> dict[str, Any]:
    """Expire every active voucher whose validity ended before ``today`` (safe to run any number of times);
    with ``programme_id``, only the vouchers of that programme."""
    today = today or _today()
    due_qs = Voucher.objects.filter(state=VoucherState.ACTIVE, valid_until__lt=today)
    if programme_id is not None:
        due_qs = due_qs.filter(programme_id=programme_id)
    due = list(due_qs.order_by("pk").values_list("pk", flat=True))
    expired, returned = 0, ZERO
    for index, pk in enumerate(due, start=1):
        amount = do_expire_voucher(actor=actor, voucher_id=pk, today=today)
        if amount is not None:
            expired += 1
            returned += amount
        if progress:
            progress(index, len(due))
    result = {"expired": expired, "returned": str(returned), "today": today.isoformat()}
    if programme_id is not None:
        result["programme"] = programme_id
    return result


# ---------------------------------------------------------------------------------------------------------------
# service providers


def _services(rows: Iterable[dict[str, Any]]) -> list[ProviderService]:
    out = []
    for index, row in enumerate(rows, start=1):
        name = str(row.get("name") or "").strip()
        category = str(row.get("category") or "").strip()
        if not name:
            raise InvalidInput([FieldError("services", _("Service %(n)d needs a name.") % {"n": index}, index)])
        if category not in ServiceCategory.values:
            raise InvalidInput([FieldError("services", _("Service %(n)d has an unknown category.") % {"n": index},
                                           index)])
        price = parse_amount(row.get("price"), "services")
        out.append(ProviderService(name=name[:200], category=category, price=price,
                                   unit=str(row.get("unit") or "").strip()[:40]))
    return out


@_retrying
def do_register_provider(
    *, actor: Any, organisation_id: int, programme_id: int, institution: str, accreditation: str,
    services: Iterable[dict[str, Any]], uscc: str = "",
) -> ServiceProvider:
    """A service institution registers with a programme, listing its services with categories and prices."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or organisation.kind != OrgKind.PROVIDER or not can(
            actor, "vouchers.provider.register", organisation):
        raise PermissionDenied(_("You may not register this institution as a service provider."))
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None:
        raise _invalid("programme", _("This voucher programme does not exist."))
    institution = (institution or "").strip() or organisation.name
    accreditation = (accreditation or "").strip()
    if not accreditation:
        raise _invalid("accreditation", _("Enter the accreditation of the institution (e.g. its CMA or CNAS "
                                          "certificate number)."))
    uscc = (uscc or "").strip().upper()
    if uscc:
        from techsme.core.identifiers import uscc_error

        if problem := uscc_error(uscc):
            raise _invalid("uscc", problem)
    rows = _services(services)
    if not rows:
        raise _invalid("services", _("List at least one service with its category and price."))
    with transaction.atomic():
        if ServiceProvider.objects.filter(organisation=organisation, programme=programme).exists():
            raise Conflict(_("%(institution)s is already registered with this programme.")
                           % {"institution": organisation.name})
        provider = ServiceProvider.objects.create(organisation=organisation, programme=programme,
                                                  institution=institution[:200], accreditation=accreditation[:300],
                                                  uscc=uscc)
        for row in rows:
            row.provider = provider
        ProviderService.objects.bulk_create(rows)
        _record(actor, "vouchers.register_provider", provider, programme.region_code, organisation.pk,
                programme=programme.pk, institution=institution, accreditation=accreditation,
                services=[[r.name, r.category, r.price] for r in rows])
    return provider


def do_add_provider_service(*, actor: Any, provider_id: int, service: dict[str, Any]) -> ProviderService:
    with transaction.atomic():
        provider = ServiceProvider.objects.select_for_update().filter(pk=provider_id).first()
        if provider is None:
            raise PermissionDenied(_("You may not change this service provider."))
        _authorize(actor, "provider", "add_service", provider, provider.state)
        (row,) = _services([service])
        row.provider = provider
        row.save()
        _record(actor, "vouchers.add_provider_service", provider, provider.programme.region_code,
                provider.organisation_id, service=[row.name, row.category, row.price])
    return row


def do_decide_provider(*, actor: Any, provider_id: int, approve: bool, reason: str = "") -> ServiceProvider:
    reason = (reason or "").strip()
    with transaction.atomic():
        provider = ServiceProvider.objects.select_for_update(of=("self",)).select_related("programme").filter(
            pk=provider_id).first()
        if provider is None:
            raise PermissionDenied(_("You may not decide this registration."))
        _authorize(actor, "provider", "approve" if approve else "reject", provider, provider.state)
        if not approve and not reason:
            raise _invalid("reason", _("Give the reason for the rejection."))
        before = provider.state
        provider.state = ProviderState.APPROVED if approve else ProviderState.REJECTED
        provider.reason, provider.decided_at = reason, timezone.now()
        provider.save(update_fields=["state", "reason", "decided_at"])
        _record(actor, "vouchers.decide_provider", provider, provider.programme.region_code,
                provider.organisation_id, state=[before, provider.state], reason=reason)
    return provider


# ---------------------------------------------------------------------------------------------------------------
# contracts, redemption, delivery, verification, refunds


def _check_document(document: Any) -> None:
    if document is None:
        return
    name = (getattr(document, "name", "") or "").lower()
    if not any(name.endswith(ext) for ext in DOCUMENT_TYPES) or sniff_type(document) is None:
        raise _invalid("document", _("The contract document must be a PDF, JPEG or PNG file."))
    if getattr(document, "size", 0) > MAX_DOCUMENT_BYTES:
        raise _invalid("document", _("The contract document is larger than 10 MB."))


@_retrying
def do_record_contract(
    *, actor: Any, voucher_id: int, provider_id: int, category: str, amount: Any, description: str,
    submission_key: str, document: Any = None, today: date | None = None,
) -> Contract:
    """The enterprise records a service contract with an approved provider, to be paid in part by a voucher."""
    today = today or _today()
    key = (submission_key or "").strip()[:150]
    if not key:
        raise _invalid("submission_key", _("This form has expired; reload the page and submit it again."))
    voucher = Voucher.objects.select_related("programme", "enterprise").filter(pk=voucher_id).first()
    if voucher is None or not can(actor, "vouchers.contract.record", voucher):
        raise PermissionDenied(_("You may not record contracts for this voucher."))
    existing = Contract.objects.filter(submission_key=f"contract:{key}").first()
    if existing is not None:
        raise DuplicateSubmission(existing, _("This contract was already recorded; it was not recorded again."))
    amount = parse_amount(amount)
    description = (description or "").strip()
    if not description:
        raise _invalid("description", _("Describe the service contracted."))
    _check_document(document)
    _check_voucher_usable(voucher, today)
    provider = ServiceProvider.objects.select_related("programme").filter(pk=provider_id).first()
    if provider is None or provider.state != ProviderState.APPROVED:
        raise _invalid("provider", _("Choose a service provider approved by the agency."))
    if not accepts(provider, voucher):
        raise _invalid("provider", _(
            "%(provider)s is registered with programme “%(programme)s”, which does not recognise vouchers of "
            "“%(voucher_programme)s”."
        ) % {"provider": provider.institution, "programme": provider.programme.name,
             "voucher_programme": voucher.programme.name})
    if category not in voucher.programme.categories:
        raise _invalid("category", _("This programme's vouchers do not pay for services of this category."))
    if category not in provider.categories():
        raise _invalid("category", _("%(provider)s offers no service of this category.")
                       % {"provider": provider.institution})
    with transaction.atomic():
        try:
            with transaction.atomic():
                contract = Contract.objects.create(
                    voucher=voucher, enterprise=voucher.enterprise, provider=provider, category=category,
                    amount=amount, description=description, submission_key=f"contract:{key}",
                    document=document or "",
                )
        except IntegrityError:
            existing = Contract.objects.filter(submission_key=f"contract:{key}").first()
            if existing is None:
                raise
            raise DuplicateSubmission(
                existing, _("This contract was already recorded; it was not recorded again.")) from None
        _record(actor, "vouchers.record_contract", contract, voucher.programme.region_code,
                voucher.enterprise.organisation_id, voucher=voucher.pk, provider=provider.pk, category=category,
                amount=amount, description=description, document=contract.document.name if document else "")
    return contract


def _lock_contract(contract_id: int) -> tuple[Voucher, Contract]:
    """Lock the voucher, then the contract (the fixed order of every verb)."""
    voucher_id = Contract.objects.filter(pk=contract_id).values_list("voucher_id", flat=True).first()
    if voucher_id is None:
        raise PermissionDenied(_("You may not act on this contract."))
    voucher = Voucher.objects.select_for_update(of=("self",)).select_related("account", "programme", "enterprise").get(
        pk=voucher_id)
    contract = (Contract.objects.select_for_update(of=("self",)).select_related("provider__programme")
                .get(pk=contract_id))
    # The joined account row was not locked (and on PostgreSQL may be from before we waited for the voucher lock):
    # re-read its balance now that the voucher lock serialises every movement of this voucher.
    voucher.account.refresh_from_db(fields=["balance"])
    return voucher, contract


def allowed_redemption(voucher: Voucher, contract: Contract) -> Decimal:
    """What the voucher may pay for the contract: min(balance, share × contract amount, rounded down to the fen)."""
    share = (contract.amount * voucher.programme.max_contract_share).quantize(CENT, rounding=ROUND_DOWN)
    return max(ZERO, min(voucher.account.balance, share))


def _receivable(provider: ServiceProvider) -> Any:
    return get_or_create_account(
        f"provider:{provider.pk}:receivable", name=f"{provider.institution} receivable"[:200],
        kind="provider_receivable", region_code=provider.organisation.region_code,
        organisation=provider.organisation,
    )


@_retrying
def do_redeem(
    *, actor: Any, contract_id: int, voucher_code: str, amount: Any = None, today: date | None = None
) -> Contract:
    """The provider redeems the voucher for a contract: ``voucher:V`` → ``provider:R:receivable``.

    The provider must present the voucher's code (the enterprise hands it over), so a provider cannot redeem a voucher
    that is not the one of its own contract. The voucher pays min(its balance, share × contract); an explicit
    ``amount`` may be lower, never higher.
    """
    today = today or _today()
    with transaction.atomic():
        voucher, contract = _lock_contract(contract_id)
        _authorize(actor, "contract", "redeem", contract, contract.state, scope_obj=contract.provider)
        code = codes.normalise(voucher_code)
        if not codes.check_code(code):
            raise _invalid("voucher_code", _("This is not a valid voucher code."))
        if code != voucher.code:
            raise _invalid("voucher_code", _("This voucher belongs to another enterprise or contract; only the "
                                             "voucher named in the contract can be redeemed for it."))
        _check_voucher_usable(voucher, today)
        if not accepts(contract.provider, voucher):
            raise Conflict(_("Your programme does not recognise vouchers of “%(programme)s”.")
                           % {"programme": voucher.programme.name})
        share = (contract.amount * voucher.programme.max_contract_share).quantize(CENT, rounding=ROUND_DOWN)
        balance = voucher.account.balance
        if amount in (None, ""):
            pay = min(balance, share)
            if pay <= 0:
                raise Conflict(_("Voucher %(code)s has no balance left.") % {"code": voucher.code})
        else:
            pay = parse_amount(amount)
            if pay > share:
                raise _invalid("amount", _(
                    "A voucher may pay at most %(share)s%% of the contract, i.e. %(max)s; %(amount)s is more."
                ) % {"share": format(voucher.programme.max_contract_share * 100, "f").rstrip("0").rstrip("."),
                     "max": _yuan(share), "amount": _yuan(pay)})
            if pay > balance:
                raise _invalid("amount", _("The voucher's balance is %(balance)s, less than %(amount)s.")
                               % {"balance": _yuan(balance), "amount": _yuan(pay)})
        try:
            txn = do_post_transaction(
                actor=_user(actor), idempotency_key=f"contract:{contract.pk}:redeem", kind="voucher_redeem",
                legs=[(voucher.account, -pay), (_receivable(contract.provider), pay)],
                memo=f"Voucher {voucher.code} redeemed", reference=contract,
            )
        except InsufficientFunds as exc:  # cannot happen under the voucher lock; kept as the last line of defence
            raise Conflict(_("The voucher's balance is %(balance)s, less than %(amount)s.")
                           % {"balance": _yuan(exc.balance), "amount": _yuan(pay)}) from None
        contract.state, contract.redeemed_amount, contract.redeem_transaction = ContractState.REDEEMED, pay, txn
        contract.redeemed_at = timezone.now()
        contract.save(update_fields=["state", "redeemed_amount", "redeem_transaction", "redeemed_at"])
        _record(actor, "vouchers.redeem", contract, voucher.programme.region_code, contract.provider.organisation_id,
                voucher=voucher.pk, amount=pay, contract_amount=contract.amount, transaction=txn.pk,
                state=[ContractState.RECORDED, contract.state])
        notifications.redemption_confirmed(contract)
    return contract


def _simple_move(actor: Any, contract_id: int, name: str, stamp: str, provider_side: bool) -> Contract:
    with transaction.atomic():
        voucher, contract = _lock_contract(contract_id)
        t = _authorize(actor, "contract", name, contract, contract.state,
                       scope_obj=contract.provider if provider_side else None)
        before = contract.state
        contract.state = t.target
        fields = ["state"]
        if stamp:
            setattr(contract, stamp, timezone.now())
            fields.append(stamp)
        contract.save(update_fields=fields)
        _record(actor, f"vouchers.{name}", contract, voucher.programme.region_code, voucher.enterprise.organisation_id,
                state=[before, contract.state])
    return contract


@_retrying
def do_confirm_delivery(*, actor: Any, contract_id: int) -> Contract:
    return _simple_move(actor, contract_id, "confirm_delivery", "delivered_at", provider_side=True)


@_retrying
def do_verify_contract(*, actor: Any, contract_id: int) -> Contract:
    return _simple_move(actor, contract_id, "verify", "verified_at", provider_side=False)


@_retrying
def do_withdraw_contract(*, actor: Any, contract_id: int) -> Contract:
    """Withdraw a contract before any money moved (the enterprise or the provider)."""
    contract = Contract.objects.select_related("provider").filter(pk=contract_id).first()
    provider_side = contract is not None and not can(actor, "vouchers.contract.withdraw", contract)
    return _simple_move(actor, contract_id, "withdraw", "", provider_side=provider_side)


def _refund(actor: Any, voucher: Voucher, contract: Contract, amount: Decimal, key: str) -> None:
    do_reverse_transaction(actor=_user(actor), transaction_id=contract.redeem_transaction_id, amount=amount,
                           idempotency_key=f"{key}", kind="voucher_refund",
                           memo=f"Refund to voucher {voucher.code}")
    if voucher.state != VoucherState.ACTIVE:
        # The voucher is closed: the refunded value goes straight on to the programme budget.
        do_reverse_transaction(actor=_user(actor), transaction_id=voucher.issue_transaction_id, amount=amount,
                               idempotency_key=f"{key}:return", kind="voucher_expire",
                               memo=f"Refund of closed voucher {voucher.code} returned to the budget")
        _sweep_if_closed(actor, voucher, amount, f"{key}:return")


@_retrying
def do_refund_contract(*, actor: Any, contract_id: int, amount: Any, reason: str, request_key: str) -> Contract:
    """Refund part of a redemption to the voucher (a partial reversal); a re-submitted form refunds once."""
    reason = (reason or "").strip()
    key = (request_key or "").strip()[:100]
    with transaction.atomic():
        voucher, contract = _lock_contract(contract_id)
        _authorize(actor, "contract", "refund", contract, contract.state)
        amount = parse_amount(amount)
        if not reason:
            raise _invalid("reason", _("Give the reason for the refund."))
        if not key:
            raise _invalid("request_key", _("This form has expired; reload the page and submit it again."))
        ledger_key = f"contract:{contract.pk}:refund:{key}"
        if LedgerTransaction.objects.filter(idempotency_key=ledger_key).exists():
            raise DuplicateSubmission(contract, _("This refund was already made; it was not made again."))
        left = contract.net_amount
        if amount > left:
            raise _invalid("amount", _("At most %(left)s of this redemption can still be refunded.")
                           % {"left": _yuan(left)})
        _refund(actor, voucher, contract, amount, ledger_key)
        contract.refunded_amount += amount
        contract.save(update_fields=["refunded_amount"])
        _record(actor, "vouchers.refund", contract, voucher.programme.region_code, voucher.enterprise.organisation_id,
                amount=amount, reason=reason, to_budget=voucher.state != VoucherState.ACTIVE)
    return contract


@_retrying
def do_cancel_contract(*, actor: Any, contract_id: int, reason: str) -> Contract:
    """Cancel a redeemed contract before verification: the whole remaining redemption goes back to the voucher."""
    reason = (reason or "").strip()
    with transaction.atomic():
        voucher, contract = _lock_contract(contract_id)
        _authorize(actor, "contract", "cancel", contract, contract.state)
        if not reason:
            raise _invalid("reason", _("Give the reason for the cancellation."))
        left = contract.net_amount
        if left > 0:
            _refund(actor, voucher, contract, left, f"contract:{contract.pk}:cancel")
        before = contract.state
        contract.state, contract.refunded_amount = ContractState.CANCELLED, contract.redeemed_amount
        contract.save(update_fields=["state", "refunded_amount"])
        _record(actor, "vouchers.cancel_contract", contract, voucher.programme.region_code,
                voucher.enterprise.organisation_id, state=[before, contract.state], refunded=left, reason=reason)
    return contract


# ---------------------------------------------------------------------------------------------------------------
# reimbursement


def parse_period(period: str) -> tuple[str, date]:
    """``2026Q3`` → (``"2026Q3"``, last day of the quarter); ``2026-07`` → that month; refused otherwise."""
    import calendar
    import re

    text = (period or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})Q([1-4])", text):
        year, quarter = int(m.group(1)), int(m.group(2))
        month = quarter * 3
    elif m := re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", text):
        year, month = int(m.group(1)), int(m.group(2))
    else:
        raise _invalid("period", _("Enter a period as a quarter (2026Q3) or a month (2026-07)."))
    return text, date(year, month, calendar.monthrange(year, month)[1])


def current_period(today: date | None = None) -> str:
    today = today or _today()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


@_retrying
def do_reimburse(*, actor: Any, programme_id: int, period: str) -> list[ReimbursementBatch]:
    """Pay the providers for the verified contracts of a programme up to the end of ``period``: one batch (and one
    ledger movement ``provider:R:receivable`` → ``provider:R:paid``) per provider. Running it again finds nothing
    left to pay and returns an empty list."""
    label, end = parse_period(period)
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None or not can(actor, action_name("contract", "reimburse"), programme):
        raise PermissionDenied(_("You may not reimburse the providers of this programme."))
    if end > _today() + timedelta(days=92):
        raise _invalid("period", _("This period lies in the future."))
    batches: list[ReimbursementBatch] = []
    with transaction.atomic():
        contracts = list(
            Contract.objects.select_for_update().filter(
                voucher__programme=programme, state=ContractState.VERIFIED, verified_at__date__lte=end,
            ).order_by("pk")
        )
        by_provider: dict[int, list[Contract]] = defaultdict(list)
        for contract in contracts:
            WORKFLOWS["contract"].check("reimburse", contract.state, _actor_roles(actor))
            by_provider[contract.provider_id].append(contract)
        for provider_id, rows in sorted(by_provider.items()):
            provider = ServiceProvider.objects.select_related("organisation").get(pk=provider_id)
            total = sum((c.net_amount for c in rows), ZERO)
            batch = ReimbursementBatch.objects.create(programme=programme, provider=provider, period=label,
                                                      amount=total, created_by=_user(actor))
            if total > 0:
                paid = get_or_create_account(
                    f"provider:{provider.pk}:paid", name=f"{provider.institution} paid"[:200], kind="provider_paid",
                    region_code=provider.organisation.region_code, organisation=provider.organisation,
                )
                batch.transaction = do_post_transaction(
                    actor=_user(actor), idempotency_key=f"reimbursement:{batch.pk}", kind="voucher_reimburse",
                    legs=[(_receivable(provider), -total), (paid, total)],
                    memo=f"Reimbursement {label} programme {programme.pk}", reference=batch,
                )
                batch.save(update_fields=["transaction"])
            Contract.objects.filter(pk__in=[c.pk for c in rows]).update(state=ContractState.REIMBURSED, batch=batch)
            _record(actor, "vouchers.reimburse", batch, programme.region_code, provider.organisation_id,
                    period=label, amount=total, contracts=[c.pk for c in rows])
            if total > 0:
                notifications.reimbursement_paid(batch, len(rows))
            batches.append(batch)
    return batches
