"""The engine: one code path for 1 row and many, per-row law by tax year, unknowns and their causes."""

from __future__ import annotations

import numpy as np
import pytest

from techsme.rules import RulesError, Simulation, assess_columns, evaluate
from techsme.rules.engine import REGISTRY
from techsme.rules.parameter_loader import baseline_tree

ROW = {
    "tax_year": 2022.0, "industry_code": "I6513", "employees": 100.0, "tech_staff": 30.0, "revenue": 1e7,
    "total_cost_expense": 8e6, "total_assets": 2e7, "rd_expense": 6e5, "ip_class1": 1.0, "ip_class2": 0.0,
    "taxable_income_before_incentives": 5e6, "rd_core_expense": 6e5,
}


def _table(rows: list[dict]) -> dict[str, np.ndarray]:
    table: dict[str, np.ndarray] = {}
    for name in rows[0]:
        values = [r[name] for r in rows]
        table[name] = np.array(values, dtype=object if REGISTRY[name].kind == "text" else np.float64)
    return table


def test_batch_equals_one_row_at_a_time() -> None:
    rng = np.random.default_rng(7)
    rows = []
    for year in range(2017, 2029):
        row = dict(ROW, tax_year=float(year), rd_expense=float(rng.uniform(0, 2e6)),
                   taxable_income_before_incentives=float(rng.uniform(-1e6, 5e6)),
                   industry_code=str(rng.choice(["I6513", "C3911", "F5123"])))
        rows.append(row)
    batch = assess_columns(_table(rows))
    for i, row in enumerate(rows):
        single = assess_columns(_table([row]))
        for name, column in batch.items():
            a, b = column[i], single[name][0]
            assert (a == b) or (a is None and b is None) or (isinstance(a, float) and np.isnan(a) and np.isnan(b)), name


def test_each_row_gets_the_law_of_its_own_year() -> None:
    rows = [dict(ROW, tax_year=2020.0), dict(ROW, tax_year=2021.0), dict(ROW, tax_year=2023.0),
            dict(ROW, tax_year=2022.0, industry_code="F5123"), dict(ROW, tax_year=2021.0, industry_code="F5123")]
    out = evaluate(_table(rows), ["rd_deduction_rate", "techsme_condition_industry"])
    assert list(out["rd_deduction_rate"]) == [0.75, 0.75, 1.0, 0.0, 0.0]
    # 67号 (from the 2022 evaluation) adds the excluded-industry condition; the 2022 evaluation reads the 2021
    # figures, so a 2021 row is judged under 67号 and a 2020 row under 115号
    assert list(out["techsme_condition_industry"]) == [1.0, 1.0, 1.0, 0.0, 0.0]
    older = evaluate(_table([dict(ROW, tax_year=2020.0, industry_code="F5123")]), ["techsme_condition_industry"])
    assert list(older["techsme_condition_industry"]) == [1.0]


def test_missing_facts_are_named() -> None:
    simulation = Simulation(_table([dict(ROW, employees=np.nan, ip_class2=np.nan, ip_class1=0.0)]))
    assert np.isnan(simulation("techsme_eligible")[0])
    assert set(simulation.missing_facts("techsme_eligible", 0)) == {"employees", "ip_class2"}
    assert simulation.missing_facts("techsme_rd_score", 0) == []


def test_defaults_fill_empty_facts() -> None:
    simulation = Simulation(_table([ROW]))
    assert simulation("audited_books")[0] == 1.0
    assert simulation("restricted_industry")[0] == 0.0
    assert np.isnan(simulation("tech_sme_registered")[0])


def test_unknown_variable() -> None:
    with pytest.raises(RulesError):
        evaluate(_table([ROW]), ["no_such_variable"])


def test_dependencies_are_recorded_once() -> None:
    simulation = Simulation(_table([ROW, ROW]))
    simulation("eit_payable")
    assert "rd_extra_deduction" in simulation.closure("eit_payable")
    assert "rd.rate.general" in simulation.parameters_read["rd_rate_by_category"]
    column = simulation("rd_extra_deduction")
    assert simulation("rd_extra_deduction") is column


def test_every_variable_has_labels_and_rules() -> None:
    for var in REGISTRY.values():
        assert var.label_en and var.label_zh, var.name
        if not var.is_input:
            assert var.rule_en and var.rule_zh, var.name
            for path in var.parameters:
                assert baseline_tree().get(path), path
