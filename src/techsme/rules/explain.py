"""Explanations (`techsme.explanation/v1`): value, rule in words, inputs, parameters, missing facts, improvements."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from techsme.rules.engine import REGISTRY, Simulation
from techsme.rules.explain_text import fill_rule, json_value
from techsme.rules.improvements import FINDERS
from techsme.rules.outputs import OUTPUTS

SCHEMA_ID = "techsme.explanation/v1"
SCHEMA_PATH = Path(__file__).parent / "schema" / "explanation-v1.json"

EXPLAINED_VARIABLES: tuple[str, ...] = (
    "techsme_condition_resident", "techsme_condition_size", "techsme_condition_industry",
    "techsme_condition_compliance", "techsme_staff_score", "techsme_rd_score", "techsme_ip_score", "techsme_score",
    "techsme_direct_route", "techsme_eligible", "techsme_route", "rd_deduction_rate", "rd_extra_deduction",
    "eit_regime", "eit_payable", "eit_payable_without_incentives", "eit_saving", "hnte_precheck",
    "six_taxes_two_fees_eligible",
)
_FORMS = {o.variable: o.form for o in OUTPUTS}


@lru_cache(maxsize=1)
def explanation_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _cell(simulation: Simulation, name: str, row: int) -> Any:
    var = REGISTRY[name]
    value = simulation(name)[row]
    unit = "currency-CNY" if _FORMS.get(name) == "money" else var.unit
    return json_value(var.kind, unit, value)


class _RowCache:
    """Per explained row: cells, input items and each variable's parameter items are built once."""

    def __init__(self, simulation: Simulation, row: int) -> None:
        self.simulation = simulation
        self.row = row
        self.cells: dict[str, Any] = {}
        self.named: dict[str, dict[str, Any]] = {}
        self.parameter_items: dict[str, list[dict[str, Any]]] = {}
        self.entries: dict[tuple[str, dt.date], list[dict[str, Any]]] = {}

    def local_closure(self, name: str) -> list[str]:
        """`name` and what it reads, not descending into other explained results (they have their own entry)."""
        seen: dict[str, None] = {}

        def visit(current: str) -> None:
            if current in seen:
                return
            seen[current] = None
            if current != name and current in EXPLAINED_VARIABLES:
                return
            for dep in self.simulation.dependencies.get(current, []):
                visit(dep)

        visit(name)
        return list(seen)

    def cell(self, name: str) -> Any:
        if name not in self.cells:
            self.cells[name] = _cell(self.simulation, name, self.row)
        return self.cells[name]

    def named_value(self, name: str) -> dict[str, Any]:
        if name not in self.named:
            var = REGISTRY[name]
            self.named[name] = {"name": name, "label": {"en": var.label_en, "zh": var.label_zh},
                                "value": self.cell(name)}
        return self.named[name]

    def parameters_of(self, name: str) -> list[dict[str, Any]]:
        """Parameter items read by one variable's own formula, at its law date for this row."""
        if name not in self.parameter_items:
            day = self.simulation.row_day(name, self.row)
            items: list[dict[str, Any]] = []
            if day is not None:
                for path in self.simulation.parameters_read.get(name, []):
                    items.extend(self._entries(path, day))
            self.parameter_items[name] = items
        return self.parameter_items[name]

    def _entries(self, path: str, day: dt.date) -> list[dict[str, Any]]:
        key = (path, day)
        if key not in self.entries:
            parameter = self.simulation.tree.get(path)
            self.entries[key] = [
                {
                    "path": path + sub,
                    "label": {"en": parameter.label_en, "zh": parameter.label_zh},
                    "value": entry.value,
                    "unit": (
                        (parameter.threshold_unit or parameter.unit) if sub.endswith("threshold") else parameter.unit
                    ),
                    "effective_date": entry.start.isoformat(),
                    "citation": entry.reference.as_dict(),
                    "unconfirmed": parameter.unconfirmed or entry.unconfirmed,
                    "from_reform": entry.from_reform,
                }
                for sub, entry in parameter.entries_at(day)
            ]
        return self.entries[key]


def explain_variable(simulation: Simulation, name: str, row: int, cache: _RowCache) -> dict[str, Any]:
    var = REGISTRY[name]
    day = simulation.row_day(name, row)
    inputs: list[dict[str, Any]] = []
    parameters: list[dict[str, Any]] = []
    seen: set[int] = set()
    parameter_map = {}
    for dep in cache.local_closure(name):
        if REGISTRY[dep].is_input:
            inputs.append(cache.named_value(dep))
            continue
        for path in simulation.parameters_read.get(dep, ()):
            parameter_map[path] = simulation.tree.get(path)
        for item in cache.parameters_of(dep):
            if id(item) not in seen:
                seen.add(id(item))
                parameters.append(item)
    version = None
    if day is not None:
        active = [v for v in var.versions if v.since <= day]
        version = active[-1] if active else None
    value = cache.cell(name)
    result: dict[str, Any] = {
        "variable": name,
        "label": {"en": var.label_en, "zh": var.label_zh},
        "value": value,
        "unit": var.unit,
        "rule": {"en": fill_rule(var.rule_en, parameter_map, day), "zh": fill_rule(var.rule_zh, parameter_map, day)},
        "law_date": day.isoformat() if day else None,
        "formula_since": version.since.isoformat() if version else None,
        "formula_citation": version.citation if version else None,
        "inputs": inputs,
        "intermediate": [
            cache.named_value(dep) for dep in cache.local_closure(name)[1:] if not REGISTRY[dep].is_input
        ],
        "parameters": parameters,
        "unconfirmed": any(p["unconfirmed"] for p in parameters),
        "missing_facts": simulation.missing_facts(name, row) if value is None else [],
        "improvements": FINDERS[name](simulation, row) if name in FINDERS and value is not None else [],
    }
    if version is None and value is None:
        result["note"] = {"en": "No rule in force for this period.", "zh": "该期间无适用的规定。"}
    return result


def explain_row(simulation: Simulation, row: int, names: tuple[str, ...] = EXPLAINED_VARIABLES) -> dict[str, Any]:
    """The explanation object of one row (all `names` must be computed already or computable)."""
    cache = _RowCache(simulation, row)
    results = {}
    for name in names:
        simulation(name)
        results[name] = explain_variable(simulation, name, row, cache)
    tax_year = simulation("tax_year")[row]
    return {
        "schema": SCHEMA_ID,
        "uscc": _cell(simulation, "uscc", row),
        "tax_year": None if tax_year != tax_year else int(tax_year),
        "unconfirmed": any(r["unconfirmed"] for r in results.values()),
        "results": results,
    }
