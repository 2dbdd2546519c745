"""Applications and issuance: an enterprise applies; a programme manager approves (issuing the voucher) or
rejects. Approval rests on the programme's criteria (``criteria.application_problems``)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core.errors import Conflict, PermissionDenied
from techsme.core.ledger import (
    InsufficientFunds,
    do_post_transaction,
    get_or_create_account,
)
from techsme.core.permissions import can
from techsme.registry.models import Enterprise
from techsme.vouchers import codes, eligibility, notifications
from techsme.vouchers.models import (
    Application,
    ApplicationState,
    Programme,
    Voucher,
    VoucherState,
)
from techsme.vouchers.services import criteria
from techsme.vouchers.services.common import (
    ZERO,
    DuplicateSubmission,
    authorize,
    budget_left_message,
    check_programme_open,
    invalid,
    local_today,
    parse_amount,
    record_event,
    retrying,
    user_of,
    yuan,
)


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
    ) % {"cap": yuan(programme.cap_per_enterprise_year), "used": yuan(used),
         "amount": yuan(amount), "left": yuan(max(ZERO, programme.cap_per_enterprise_year - used))}


@retrying
def do_apply(
    *, actor: Any, programme_id: int, enterprise_id: int, amount: Any, purpose: str, submission_key: str,
    today: date | None = None,
) -> Application:
    """An enterprise applies to a programme. Refused with a field error (nothing written) when it breaks a rule."""
    today = today or local_today()
    key = (submission_key or "").strip()[:150]
    if not key:
        raise invalid("submission_key", _("This form has expired; reload the page and submit it again."))
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None or not can(actor, "vouchers.apply", enterprise):
        raise PermissionDenied(_("You may not apply for vouchers on behalf of this enterprise."))
    existing = Application.objects.filter(submission_key=f"application:{key}").first()
    if existing is not None:
        raise DuplicateSubmission(existing, _("This application was already submitted; it was not submitted again."))
    programme = Programme.objects.select_related("budget_account").filter(pk=programme_id).first()
    if programme is None:
        raise invalid("programme", _("This voucher programme does not exist."))
    amount = parse_amount(amount)
    purpose = (purpose or "").strip()
    if not purpose:
        raise invalid("purpose", _("Describe what the voucher is for."))
    if programme.valid_until < today:
        raise Conflict(_("Programme “%(programme)s” has closed; it no longer takes applications.")
                       % {"programme": programme.name})
    check_programme_open(programme)
    failed = eligibility.failed_conditions(programme.eligibility, enterprise, programme.year)
    if failed:
        raise invalid("enterprise", _("The enterprise is not eligible for this programme: %(conditions)s.")
                       % {"conditions": "; ".join(failed)})
    if amount > programme.cap_per_application:
        raise invalid("amount", _("The amount exceeds the cap per application of %(cap)s.")
                       % {"cap": yuan(programme.cap_per_application)})
    with transaction.atomic():
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
        used = _issued_total(enterprise.pk, programme) + _pending_total(enterprise.pk, programme)
        if used + amount > programme.cap_per_enterprise_year:
            raise invalid("amount", _cap_message(programme, used, amount))
        free = programme.budget_account.balance
        if amount > free:
            raise invalid("amount", budget_left_message(programme, free, amount))
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    programme=programme, enterprise=enterprise, amount=amount, purpose=purpose,
                    submission_key=f"application:{key}", submitted_by=user_of(actor),
                )
        except IntegrityError:
            existing = Application.objects.filter(submission_key=f"application:{key}").first()
            if existing is None:
                raise
            raise DuplicateSubmission(
                existing, _("This application was already submitted; it was not submitted again.")
            ) from None
        record_event(actor, "vouchers.apply", application, enterprise.region_code, enterprise.organisation_id,
                programme=programme.pk, amount=amount, purpose=purpose)
    return application


@retrying
def do_decide_application(
    *, actor: Any, application_id: int, approve: bool, amount: Any = None, reason: str = "",
    override_reason: str = "", today: date | None = None,
) -> Application:
    """Approve (fully or partly: ``amount`` ≤ the amount applied for) and issue the voucher, or reject with a reason.

    An approval is judged again on today's facts (``criteria.application_problems``): the programme's vouchers must
    still be valid and the enterprise must still meet the eligibility rule, else the approval is refused — unless an
    agency administrator overrides the eligibility with ``override_reason`` (kept on the application and audited).
    The amount must respect the cap per application and the enterprise's yearly cap; the budget must cover it."""
    reason = (reason or "").strip()
    today = today or local_today()
    with transaction.atomic():
        application = (Application.objects.select_for_update(of=("self",)).select_related("programme__budget_account",
                                                                                           "enterprise")
                       .filter(pk=application_id).first())
        if application is None:
            raise PermissionDenied(_("You may not decide this application."))
        programme, enterprise = application.programme, application.enterprise
        authorize(actor, "application", "approve" if approve else "reject", application, application.state)
        now = timezone.now()
        if not approve:
            if not reason:
                raise invalid("reason", _("Give the reason for the rejection."))
            application.state, application.reason = ApplicationState.REJECTED, reason
            application.decided_by, application.decided_at = user_of(actor), now
            application.save(update_fields=["state", "reason", "decided_by", "decided_at"])
            record_event(actor, "vouchers.reject_application", application, enterprise.region_code,
                    enterprise.organisation_id, state=[ApplicationState.SUBMITTED, application.state], reason=reason)
            notifications.application_decided(application)
            return application
        # The programme row is locked so that a concurrent suspension or closure cannot slip in between.
        programme.state = Programme.objects.select_for_update().filter(pk=programme.pk).values_list(
            "state", flat=True).get()
        check_programme_open(programme)
        overridden, override_reason = criteria.enforce(
            criteria.application_problems(application, today), actor=actor, override_reason=override_reason,
            scope_obj=application)
        granted = application.amount if amount in (None, "") else parse_amount(amount)
        if granted > application.amount:
            raise invalid("amount", _("The approved amount cannot exceed the %(amount)s applied for.")
                           % {"amount": yuan(application.amount)})
        if granted > programme.cap_per_application:
            raise invalid("amount", _("The amount exceeds the cap per application of %(cap)s.")
                           % {"cap": yuan(programme.cap_per_application)})
        if granted < application.amount and not reason:
            raise invalid("reason", _("Give the reason why less than the amount applied for is approved."))
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
        used = _issued_total(enterprise.pk, programme)
        if used + granted > programme.cap_per_enterprise_year:
            raise invalid("amount", _cap_message(programme, used, granted))
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
                actor=user_of(actor), idempotency_key=f"application:{application.pk}:issue", kind="voucher_issue",
                legs=[(programme.budget_account, -granted), (voucher.account, granted)],
                memo=f"Innovation voucher {voucher.code}", reference=voucher,
            )
        except InsufficientFunds as exc:
            raise Conflict(budget_left_message(programme, exc.balance, granted)) from None
        voucher.save(update_fields=["account", "issue_transaction"])
        voucher.account.refresh_from_db(fields=["balance"])
        application.state, application.approved_amount, application.reason = (
            ApplicationState.APPROVED, granted, reason)
        application.decided_by, application.decided_at = user_of(actor), now
        application.overridden, application.override_reason = overridden, override_reason
        application.overridden_by = user_of(actor) if overridden else None
        application.save(update_fields=["state", "approved_amount", "reason", "decided_by", "decided_at",
                                        "overridden", "override_reason", "overridden_by"])
        record_event(actor, "vouchers.issue_voucher", voucher, enterprise.region_code, enterprise.organisation_id,
                     application=application.pk, amount=granted, applied=application.amount, reason=reason,
                     code=voucher.code, transaction=voucher.issue_transaction.pk,
                     **({"overridden": overridden, "override_reason": override_reason} if overridden else {}))
        notifications.application_decided(application)
    return application

