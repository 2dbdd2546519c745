"""Listings of parameters and variables for the web pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from techsme.rules.engine import REGISTRY
from techsme.rules.parameter_loader import baseline_tree
from techsme.rules.parameter_model import ParameterTree, ScaleAtDate, ValuesAtDate
from techsme.rules.reforms import Reform, apply_reform


def parameters(at: dt.date | None = None, reform: Reform | None = None) -> ParameterTree | ValuesAtDate:
    """The parameter tree: with `at`, the values in force on that date; without, the full dated tree."""
    tree = apply_reform(baseline_tree(), reform)
    return tree if at is None else tree.at(at)


def _plain(value: Any) -> Any:
    if isinstance(value, ScaleAtDate):
        return [{"threshold": t, "amount": a, "strict": s} for t, a, s in value.rows]
    return value


def parameter_listing(at: dt.date | None = None) -> list[dict[str, Any]]:
    """Every parameter with labels, current value at `at` (default today), full cited history and users."""
    day = at or dt.date.today()
    users: dict[str, list[str]] = {}
    for var in REGISTRY.values():
        for path in var.parameters:
            users.setdefault(path, []).append(var.name)
    listing = []
    for path, parameter in sorted(baseline_tree().parameters.items()):
        listing.append({
            "path": path,
            "description": parameter.description,
            "label": {"en": parameter.label_en, "zh": parameter.label_zh},
            "unit": parameter.unit,
            "unconfirmed": parameter.is_unconfirmed_at(day),
            "value": _plain(parameter.value_at(day)),
            "history": [
                {
                    "sub_path": sub,
                    "effective_date": entry.start.isoformat(),
                    "value": entry.value,
                    "reference": entry.reference.as_dict(),
                    "unconfirmed": parameter.unconfirmed or entry.unconfirmed,
                }
                for sub, entry in parameter.all_entries()
            ],
            "last_value_still_valid_on": (
                parameter.last_value_still_valid_on.isoformat() if parameter.last_value_still_valid_on else None
            ),
            "used_by": sorted(users.get(path, [])),
            "source_file": parameter.source_file.split("/parameters/", 1)[-1],
        })
    return listing


def variables_metadata() -> list[dict[str, Any]]:
    """Metadata of every input fact and computed variable."""
    return [var.metadata() for var in REGISTRY.values()]
