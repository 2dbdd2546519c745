"""Template helpers of the web front end: money and number formatting, query strings, field lookups."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.translation import gettext as _

register = template.Library()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def money(value: Any) -> str:
    """``¥1,234,567.89`` (rounded half-up to the fen); an em dash for unknown."""
    number = _decimal(value)
    if number is None:
        return "—"
    number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    return f"{sign}¥{abs(number):,.2f}"


@register.filter
def num(value: Any) -> str:
    """A number with thousands separators (``12,345``; decimals kept as stored); an em dash for unknown."""
    number = _decimal(value)
    if number is None:
        return "—"
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


@register.filter
def yesno_unknown(value: Any) -> str:
    if value is None:
        return _("unknown")
    return _("yes") if value else _("no")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag(takes_context=True)
def query(context: dict, **changes: Any) -> str:
    """The current query string with ``changes`` applied (``None``/"" removes a key)."""
    params: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
