"""Helpers shared by the transfer verbs: permission checks, bounded text and money, and the decision refusal."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.utils.translation import gettext as _

from techsme.core.errors import Conflict, FieldError
from techsme.core.identifiers import industry_error

MAX_AMOUNT = Decimal("100000000000.00")  # 1000 亿 yuan: more is a typing mistake
CENT = Decimal("0.01")


def require(actor: Any, action: str, obj: Model | None, message: str) -> None:
    from techsme.core.permissions import can

    if not can(actor, action, obj):
        raise PermissionDenied(message)


def text(data: dict[str, Any], name: str, *, limit: int, required: bool = True) -> tuple[str, list[FieldError]]:
    value = str(data.get(name) or "").strip()
    if required and not value:
        return value, [FieldError(name, _("This field is required."))]
    if len(value) > limit:
        return value, [FieldError(name, _("At most %(n)d characters.") % {"n": limit})]
    return value, []


def money(data: dict[str, Any], name: str, *, required: bool = False,
          positive: bool = False) -> tuple[Decimal | None, list[FieldError]]:
    """A yuan amount (Decimal, at most two decimals, not negative, below 1000 亿)."""
    raw = data.get(name)
    if raw in (None, ""):
        return None, [FieldError(name, _("This field is required."))] if required else []
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        return None, [FieldError(name, _("Enter an amount in yuan, e.g. 120000 or 120000.50."))]
    if not value.is_finite() or value != value.quantize(CENT):
        return None, [FieldError(name, _("Enter an amount in yuan with at most two decimal places."))]
    if value < 0 or (positive and value == 0):
        return None, [FieldError(name, _("The amount must be greater than zero.") if positive
                                 else _("The amount cannot be negative."))]
    if value >= MAX_AMOUNT:
        return None, [FieldError(name, _("The amount is implausibly large; check the number of digits."))]
    return value.quantize(CENT), []


def industry(data: dict[str, Any], name: str = "industry_code") -> tuple[str, list[FieldError]]:
    value = str(data.get(name) or "").strip().upper()
    if not value:
        return value, [FieldError(name, _("This field is required."))]
    message = industry_error(value)
    return value, [FieldError(name, message)] if message else []


def a_date(data: dict[str, Any], name: str, *, required: bool = True) -> tuple[date | None, list[FieldError]]:
    raw = data.get(name)
    if raw in (None, ""):
        return None, [FieldError(name, _("This field is required."))] if required else []
    if isinstance(raw, date):
        value = raw
    else:
        try:
            value = date.fromisoformat(str(raw).strip())
        except ValueError:
            return None, [FieldError(name, _("Enter a date as YYYY-MM-DD."))]
    if not 1990 <= value.year <= 2100:
        return None, [FieldError(name, _("Enter a date between 1990 and 2100."))]
    return value, []


class Refused(Conflict):
    """A decision refused because criteria it rests on fail; ``problems`` lists every one (translated)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(_("Refused: %(problems)s") % {"problems": " ".join(problems)})


def refuse_if(problems: list[str]) -> None:
    if problems:
        raise Refused(problems)
