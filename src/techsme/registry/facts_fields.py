"""The fact columns of ``AnnualFacts``, typed from the model itself (one definition, used by forms, API, import)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from techsme import parsing
from techsme.core.errors import FieldError
from techsme.core.values import message
from techsme.registry.models import AnnualFacts


class Kind(Enum):
    INT = "int"
    DECIMAL = "decimal"
    FLAG = "flag"  # boolean with a default
    OPTIONAL_FLAG = "optional_flag"  # boolean that may be unknown


NON_FACT_FIELDS = {"id", "enterprise", "tax_year", "updated_at"}
# Amounts that may legitimately be negative (a loss).
SIGNED_FIELDS = {"taxable_income_before_incentives", "tech_transfer_income"}


def _kind(field: models.Field) -> Kind:
    if isinstance(field, models.DecimalField):
        return Kind.DECIMAL
    if isinstance(field, models.BooleanField):
        return Kind.OPTIONAL_FLAG if field.null else Kind.FLAG
    return Kind.INT


FACT_FIELDS: dict[str, Kind] = {
    f.name: _kind(f) for f in AnnualFacts._meta.concrete_fields if f.name not in NON_FACT_FIELDS
}
DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in AnnualFacts._meta.concrete_fields if FACT_FIELDS.get(f.name) == Kind.FLAG
}
MAX_INT = 2_147_483_647
# Decimal columns: (quantum, exclusive upper bound of the absolute value) from the model's digits.
DECIMAL_LIMITS: dict[str, tuple[Decimal, Decimal]] = {
    f.name: (Decimal(1).scaleb(-f.decimal_places), Decimal(10) ** (f.max_digits - f.decimal_places))
    for f in AnnualFacts._meta.concrete_fields
    if FACT_FIELDS.get(f.name) == Kind.DECIMAL
}
def label(name: str) -> str:
    return str(AnnualFacts._meta.get_field(name).verbose_name)


def parse_value(name: str, raw: Any) -> Any:
    """Convert a raw cell to the field's type (the one reading of ``techsme.parsing``, shared with the command
    line); ``None`` for empty. Raises ``ValueError`` with a message in the active language."""
    kind = FACT_FIELDS[name]
    try:
        if kind in (Kind.FLAG, Kind.OPTIONAL_FLAG):
            return parsing.parse_bool(raw)
        if kind == Kind.INT:
            return parsing.parse_int(raw, maximum=MAX_INT)
        number = parsing.parse_decimal(raw)
        if number is None:
            return None
        places, limit = DECIMAL_LIMITS[name]
        if abs(number) >= limit:
            raise parsing.InputError("too_large", raw)
    except parsing.InputError as error:
        raise ValueError(message(error)) from None
    # Spreadsheets store binary floats (1234.5600000001): round half-up to the column's precision.
    return number.quantize(places, rounding=ROUND_HALF_UP)


def consistency_errors(values: dict[str, Any], *, tax_year: int, founded_on: date | None) -> list[FieldError]:
    """The rules a year of facts must satisfy before it is saved (unknown values are not checked)."""
    errors: list[FieldError] = []

    def err(field: str, message: str) -> None:
        errors.append(FieldError(field, message))

    for name, kind in FACT_FIELDS.items():
        value = values.get(name)
        if kind in (Kind.INT, Kind.DECIMAL) and value is not None and value < 0 and name not in SIGNED_FIELDS:
            err(name, _("%(label)s cannot be negative.") % {"label": label(name)})
    get = values.get
    if get("tech_staff") is not None and get("employees") is not None and get("tech_staff") > get("employees"):
        err("tech_staff", _("Technology staff (%(t)s) cannot exceed employees (%(e)s).") % {
            "t": get("tech_staff"), "e": get("employees")})
    if get("rd_expense") is not None and get("total_cost_expense") is not None:
        if get("rd_expense") > get("total_cost_expense"):
            err("rd_expense", _("R&D expense cannot exceed total costs and expenses, of which it is a part."))
    detail = [get("rd_core_expense"), get("rd_other_expense")]
    if get("rd_expense") is not None and all(v is not None for v in detail) and sum(detail) > get("rd_expense"):
        err("rd_core_expense", _("The R&D categories (first five + other) add up to more than the R&D expense."))
    share = get("excluded_industry_revenue_share")
    if share is not None and share > 1:
        err("excluded_industry_revenue_share", _("A share is a fraction between 0 and 1 (0.3, not 30%)."))
    today = date.today()
    if tax_year > today.year:
        err("tax_year", _("The tax year %(y)s is in the future.") % {"y": tax_year})
    if founded_on is not None and tax_year < founded_on.year:
        err("tax_year", _("The tax year %(y)s is before the enterprise was founded (%(f)s).") % {
            "y": tax_year, "f": founded_on.isoformat()})
    return errors
