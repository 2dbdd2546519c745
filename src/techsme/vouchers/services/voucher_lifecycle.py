"""After issuance: cancel a voucher, expire vouchers past their validity (the unspent balance returns to the
budget, and on to the source account when the programme has closed)."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core.errors import Conflict, PermissionDenied
from techsme.core.ledger import (
    do_reverse_transaction,
)
from techsme.vouchers.models import (
    Programme,
    ProgrammeState,
    Voucher,
    VoucherState,
)
from techsme.vouchers.services.common import (
    ZERO,
    authorize,
    invalid,
    local_today,
    record_event,
    retrying,
    user_of,
)
from techsme.vouchers.services.programmes import return_budget_to_source


def _return_to_budget(actor: Any, voucher: Voucher, key: str, kind: str, memo: str) -> Decimal:
    """Move the voucher's whole balance back to the budget (a partial reversal of the issue). Returns the amount."""
    voucher.account.refresh_from_db(fields=["balance"])
    left = voucher.account.balance
    if left > 0:
        do_reverse_transaction(actor=user_of(actor), transaction_id=voucher.issue_transaction_id, amount=left,
                               idempotency_key=key, kind=kind, memo=memo)
        sweep_if_closed(actor, voucher, left, key)
    return left


def sweep_if_closed(actor: Any, voucher: Voucher, amount: Decimal, key: str) -> None:
    """Value returned to the budget of a *closed* programme goes on to the source account (key ``<key>:source``)."""
    programme = Programme.objects.select_related("budget_account").get(pk=voucher.programme_id)
    if programme.state == ProgrammeState.CLOSED:
        return_budget_to_source(actor, programme, f"{key}:source", amount)


@retrying
def do_cancel_voucher(*, actor: Any, voucher_id: int, reason: str) -> Voucher:
    """Cancel a voucher: its unspent balance returns to the programme budget (a movement, never an edit)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update(of=("self",)).select_related("account", "enterprise").filter(
            pk=voucher_id).first()
        if voucher is None:
            raise PermissionDenied(_("You may not cancel this voucher."))
        authorize(actor, "voucher", "cancel", voucher, voucher.state)
        if not reason:
            raise invalid("reason", _("Give the reason for the cancellation."))
        returned = _return_to_budget(actor, voucher, f"voucher:{voucher.pk}:cancel", "voucher_cancel",
                                     f"Voucher {voucher.code} cancelled")
        voucher.state, voucher.closed_at = VoucherState.CANCELLED, timezone.now()
        voucher.save(update_fields=["state", "closed_at"])
        record_event(actor, "vouchers.cancel_voucher", voucher, voucher.enterprise.region_code,
                voucher.enterprise.organisation_id, state=[VoucherState.ACTIVE, voucher.state], returned=returned,
                reason=reason)
    return voucher


@retrying
def do_expire_voucher(*, actor: Any, voucher_id: int, today: date | None = None) -> Decimal | None:
    """Expire one voucher after its validity: the unspent balance returns to the budget. Idempotent: an already
    expired (or cancelled) voucher is left alone and ``None`` is returned."""
    today = today or local_today()
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update(of=("self",)).select_related("account", "enterprise").filter(
            pk=voucher_id).first()
        if voucher is None or voucher.state != VoucherState.ACTIVE:
            return None
        if voucher.valid_until >= today:
            raise Conflict(_("Voucher %(code)s is valid until %(date)s; it cannot expire before then.")
                           % {"code": voucher.code, "date": voucher.valid_until.isoformat()})
        authorize(actor, "voucher", "expire", voucher, voucher.state)
        returned = _return_to_budget(actor, voucher, f"voucher:{voucher.pk}:expire", "voucher_expire",
                                     f"Voucher {voucher.code} expired")
        voucher.state, voucher.closed_at = VoucherState.EXPIRED, timezone.now()
        voucher.save(update_fields=["state", "closed_at"])
        record_event(actor, "vouchers.expire_voucher", voucher, voucher.enterprise.region_code,
                voucher.enterprise.organisation_id, state=[VoucherState.ACTIVE, voucher.state], returned=returned)
    return returned


def expire_due_vouchers(*, actor: Any = None, today: date | None = None,
                        progress: Callable[[int, int], None] | None = None,
                        programme_id: int | None = None) -> dict[str, Any]:
    """Expire every active voucher whose validity ended before ``today`` (safe to run any number of times);
    with ``programme_id``, only the vouchers of that programme."""
    today = today or local_today()
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

