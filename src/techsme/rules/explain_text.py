"""Formatting values and rule texts for explanations (English and Chinese)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from techsme.rules.money import money_text
from techsme.rules.parameter_model import Parameter, ScaleAtDate

_PLACEHOLDER = re.compile(r"\{([a-z0-9_.]+)\}")


def percent(value: float) -> str:
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def format_parameter_value(parameter: Parameter, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, ScaleAtDate):
        return "; ".join(f"{'>' if strict else '≥'}{t:g} → {a:g}" for t, a, strict in value.rows)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if parameter.unit == "/1":
        return percent(float(value))
    return number(float(value))


def fill_rule(template: str, parameters: dict[str, Parameter], day: dt.date | None) -> str:
    """Replace `{parameter.path}` placeholders with the values in force on `day`."""
    if day is None:
        return template

    def replace(match: re.Match[str]) -> str:
        parameter = parameters.get(match.group(1))
        if parameter is None:
            return match.group(0)
        return format_parameter_value(parameter, parameter.value_at(day))

    return _PLACEHOLDER.sub(replace, template)


def json_value(kind: str, unit: str, value: Any) -> Any:
    """A cell as a JSON value: money as 2-decimal text, dates as ISO text, booleans, integers for scores."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind == "text":
        return str(value) or None
    if kind == "bool":
        return bool(value)
    if kind == "date":
        return (dt.date(1970, 1, 1) + dt.timedelta(days=int(value))).isoformat()
    if unit == "currency-CNY":
        return money_text(float(value))
    if unit in ("points", "year", "item", "person") and float(value).is_integer():
        return int(value)
    return round(float(value), 10)


def describe_value(unit: str, value: float) -> str:
    if unit == "/1":
        return percent(value)
    if unit == "currency-CNY":
        return f"{money_text(value)}"
    return number(value)
