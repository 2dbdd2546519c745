"""Helpers shared by every voucher verb: amounts, retries, the permission and state check, audit events,
and the checks of a programme or voucher that several verbs rest on."""

import functools
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.db import OperationalError, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme import parsing
from techsme.accounts.roles import Role
from techsme.core import audit
from techsme.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from techsme.core.permissions import can
from techsme.core.permissions import roles as roles_of
from techsme.core.workflow import PUBLIC, SYSTEM, Transition
from techsme.vouchers.models import (
    Programme,
    ProgrammeState,
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


def local_today() -> date:
    return timezone.localdate()


def yuan(amount: Decimal) -> str:
    """Money in messages: ``¥20,000.00`` (the same in both languages)."""
    return f"¥{amount:,.2f}"


def invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput([FieldError(field, message)])


def parse_amount(value: Any, field: str = "amount") -> Decimal:
    """A positive amount of money with at most two decimals (text such as ``"12,000.50"`` is accepted)."""
    if isinstance(value, str):
        value = value.strip().removeprefix("¥").removeprefix("￥")
    try:  # the one reading of numbers (techsme.parsing): "12,000.50" yes, "1,5" never 15
        amount = parsing.parse_decimal(value)
    except parsing.InputError:
        amount = None
    if amount is None or not amount.is_finite():
        raise invalid(field, _("Enter an amount of money, for example 20000 or 12500.50."))
    if amount <= 0:
        raise invalid(field, _("The amount must be greater than zero."))
    if amount != amount.quantize(CENT) or amount >= Decimal("1e15"):
        raise invalid(field, _("The amount must be below 10¹⁵ with at most two decimal places."))
    return amount.quantize(CENT)


def retrying(func: Callable[..., T]) -> Callable[..., T]:
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


def actor_roles(actor: Any) -> set[str]:
    if actor is None:
        return {SYSTEM, PUBLIC}
    if getattr(actor, "is_superuser", False):
        return set(Role.values) | {PUBLIC}
    return roles_of(actor) | {PUBLIC}


def authorize(actor: Any, key: str, name: str, obj: Any, state: str, scope_obj: Any = None) -> Transition:
    """Scope first (an outsider learns nothing about the state), then the state table."""
    workflow = WORKFLOWS[key]
    t = workflow.transition(name)
    system = actor is None and SYSTEM in t.roles
    if not system and not can(actor, action_name(key, name), scope_obj if scope_obj is not None else obj):
        raise PermissionDenied(
            _("You may not %(action)s this %(subject)s.") % {"action": t.label, "subject": workflow.subject}
        )
    return workflow.check(name, state, actor_roles(actor), obj)


def record_event(actor: Any, verb: str, obj: Any, region: str, org: int | None, **changes: Any) -> None:
    audit.record(actor=actor, verb=verb, obj=obj, changes=changes, region_code=region, organisation_id=org)


def user_of(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def budget_left_message(programme: Programme, free: Decimal, wanted: Decimal) -> str:
    return _(
        "The remaining budget of programme “%(programme)s” is %(free)s, less than the %(amount)s requested."
    ) % {"programme": programme.name, "free": yuan(free), "amount": yuan(wanted)}


def check_programme_open(programme: Programme) -> None:
    """Only an open programme takes applications and issues vouchers (see ``services.programmes``)."""
    if programme.state == ProgrammeState.SUSPENDED:
        raise Conflict(_("Programme “%(programme)s” is suspended; it takes no applications and issues no vouchers "
                         "for now.") % {"programme": programme.name})
    if programme.state == ProgrammeState.CLOSED:
        raise Conflict(_("Programme “%(programme)s” has closed; it no longer takes applications.")
                       % {"programme": programme.name})


def check_voucher_usable(voucher: Voucher, today: date) -> None:
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

