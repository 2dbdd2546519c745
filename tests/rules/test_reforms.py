"""Reforms are data applied to a copy of the tree."""

from __future__ import annotations

import datetime as dt

import pytest

from techsme.rules import UnknownParameterError, apply_reform, assess_records, parameters
from techsme.rules.parameter_loader import baseline_tree


def test_reform_changes_a_copy_only() -> None:
    tree = baseline_tree()
    reformed = apply_reform(tree, {"rd.rate.general": {"2024-01-01": 1.5}})
    assert reformed.get("rd.rate.general").value_at(dt.date(2024, 6, 1)) == 1.5
    assert reformed.get("rd.rate.general").value_at(dt.date(2023, 6, 1)) == 1.0
    assert tree.get("rd.rate.general").value_at(dt.date(2024, 6, 1)) == 1.0
    entry = reformed.get("rd.rate.general").series.entry_at(dt.date(2024, 6, 1))  # type: ignore[union-attr]
    assert entry is not None and entry.from_reform


def test_reform_of_a_bracket() -> None:
    reformed = parameters(reform={"techsme.score.tech_staff[5].threshold": {dt.date(2020, 1, 1): 0.4}})
    assert reformed.get("techsme.score.tech_staff").value_at(dt.date(2021, 1, 1)).calc(0.35) == 16  # type: ignore[union-attr]
    assert parameters(at=dt.date(2021, 1, 1)).techsme.score.tech_staff.calc(0.35) == 20


def test_reform_can_end_a_measure() -> None:
    reformed = parameters(at=dt.date(2025, 1, 1), reform={"rd.rate.ic_machine_tool": {"2025-01-01": None}})
    assert reformed.rd.rate.ic_machine_tool is None


def test_unknown_path_is_an_error() -> None:
    with pytest.raises(UnknownParameterError):
        apply_reform(baseline_tree(), {"rd.rate.nope": {"2024-01-01": 1}})


def test_reform_changes_the_assessment() -> None:
    record = {
        "uscc": "91110000600037341L", "name": "x", "tax_year": 2024, "region_code": "110101",
        "industry_code": "I6513", "founded_on": "2015-01-01", "taxable_income_before_incentives": 10_000_000,
        "rd_core_expense": 1_000_000, "employees": 400, "total_assets": 1e8, "tech_sme_registered": False,
    }
    base = assess_records([record])[0]
    reformed = assess_records([record], reform={"rd.rate.general": {"2024-01-01": 2.0}})[0]
    assert base["rd_extra_deduction"] == "1000000.00"
    assert reformed["rd_extra_deduction"] == "2000000.00"
    assert assess_records([record])[0] == base
