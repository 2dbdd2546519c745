"""Run OpenFisca-style YAML test cases (name, period, input, output, absolute_error_margin) on the engine."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from techsme.rules.engine import REGISTRY, Simulation

CASES_DIR = Path(__file__).parent / "cases"
DEFAULT_MARGIN = 0.005


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if "name" in case:
                cases.append((f"{path.stem}::{case['name']}", case))
    return cases


def _column(name: str, value: Any) -> np.ndarray:
    var = REGISTRY[name]
    if var.kind == "text":
        return np.array([value], dtype=object)
    if value is None:
        return np.array([np.nan])
    if var.kind == "date":
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return np.array([float((day - dt.date(1970, 1, 1)).days)])
    return np.array([float(value)])


def run_case(case: dict[str, Any]) -> list[str]:
    """Evaluate one case; return the list of mismatches (empty when it passes)."""
    inputs = dict(case.get("input") or {})
    enterprise = REGISTRY[next(iter(case["output"]))].entity == "enterprise_year"
    if "period" in case and "tax_year" not in inputs and enterprise:
        inputs["tax_year"] = int(str(case["period"])[:4])
    table = {name: _column(name, value) for name, value in inputs.items()}
    simulation = Simulation(table, n=1)
    margin = float(case.get("absolute_error_margin", DEFAULT_MARGIN))
    problems = []
    for name, expected in case["output"].items():
        got = simulation(name)[0]
        if isinstance(got, float) and math.isnan(got):
            got = None
        if expected is None or got is None:
            ok = expected is None and got is None
        elif isinstance(expected, bool):
            ok = got == float(expected)
        elif isinstance(expected, int | float):
            ok = abs(float(got) - float(expected)) <= margin
        else:
            ok = str(got) == str(expected)
        if not ok:
            problems.append(f"{name}: expected {expected!r}, got {got!r}")
    return problems
