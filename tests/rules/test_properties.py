"""Property tests (hypothesis): bounds, monotonicity, non-negative savings, reforms on copies."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from techsme.rules import apply_reform, evaluate
from techsme.rules.money import money_cents, money_texts, round_money
from techsme.rules.parameter_loader import baseline_tree

YEARS = st.integers(min_value=2017, max_value=2028)
MONEY = st.floats(min_value=0, max_value=5e8, allow_nan=False)
INDUSTRIES = st.sampled_from(["I6513", "C3911", "F5123", "C3973", "M7320", "H6210"])


@st.composite
def enterprises(draw: st.DrawFn) -> dict[str, np.ndarray]:
    employees = draw(st.integers(min_value=0, max_value=1000))
    row = {
        "tax_year": draw(YEARS),
        "employees": employees,
        "tech_staff": draw(st.integers(min_value=0, max_value=employees)),
        "revenue": draw(MONEY),
        "total_cost_expense": draw(MONEY),
        "total_assets": draw(MONEY),
        "rd_expense": draw(MONEY),
        "ip_class1": draw(st.integers(min_value=0, max_value=3)),
        "ip_class2": draw(st.integers(min_value=0, max_value=8)),
        "taxable_income_before_incentives": draw(st.floats(min_value=-1e7, max_value=1e8, allow_nan=False)),
        "rd_core_expense": draw(MONEY),
        "rd_other_expense": draw(MONEY),
        "rd_commissioned_domestic": draw(MONEY),
        "rd_commissioned_foreign": draw(MONEY),
        "tech_transfer_income": draw(st.floats(min_value=0, max_value=2e7, allow_nan=False)),
        "hnte_certificate_valid": draw(st.booleans()),
        "ic_or_machine_tool": draw(st.booleans()),
    }
    table: dict[str, np.ndarray] = {k: np.array([float(v)]) for k, v in row.items()}
    table["industry_code"] = np.array([draw(INDUSTRIES)], dtype=object)
    return table


SCORES = ["techsme_staff_score", "techsme_rd_score", "techsme_ip_score", "techsme_score"]


@settings(max_examples=150, deadline=None)
@given(enterprises())
def test_scores_within_bounds(table: dict[str, np.ndarray]) -> None:
    out = evaluate(table, SCORES)
    assert 0 <= out["techsme_staff_score"][0] <= 20
    assert 0 <= out["techsme_rd_score"][0] <= 50
    assert 0 <= out["techsme_ip_score"][0] <= 30
    assert 0 <= out["techsme_score"][0] <= 100


@settings(max_examples=150, deadline=None)
@given(enterprises(), st.floats(min_value=0, max_value=1e8, allow_nan=False))
def test_more_rd_never_lowers_the_score(table: dict[str, np.ndarray], extra: float) -> None:
    more = dict(table, rd_expense=table["rd_expense"] + extra)
    before = evaluate(table, ["techsme_score"])["techsme_score"][0]
    assert evaluate(more, ["techsme_score"])["techsme_score"][0] >= before


@settings(max_examples=150, deadline=None)
@given(enterprises())
def test_saving_is_never_negative(table: dict[str, np.ndarray]) -> None:
    out = evaluate(table, ["eit_saving", "eit_payable", "eit_payable_without_incentives", "rd_extra_deduction"])
    if not np.isnan(out["eit_saving"][0]):
        assert out["eit_saving"][0] >= -1e-9
        assert out["eit_payable"][0] <= out["eit_payable_without_incentives"][0] + 1e-9
    assert out["rd_extra_deduction"][0] >= 0 or np.isnan(out["rd_extra_deduction"][0])


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(baseline_tree().paths())), st.integers(min_value=2000, max_value=2030),
       st.floats(min_value=-10, max_value=10, allow_nan=False))
def test_reform_leaves_the_original_unchanged(path: str, year: int, value: float) -> None:
    tree = baseline_tree()
    parameter = tree.get(path)
    before = list(parameter.all_entries())
    target = f"{path}[0].amount" if parameter.is_scale else path
    reformed = apply_reform(tree, {target: {dt.date(year, 1, 1): value}})
    assert list(tree.get(path).all_entries()) == before
    assert reformed.get(path) is not parameter


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e11, max_value=1e11, allow_nan=False))
def test_vectorised_money_rounding_matches_decimal(value: float) -> None:
    expected = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert round_money(value) == expected
    assert Decimal(money_texts(np.array([value]))[0] or "nan") == expected
    assert money_cents(np.array([value]))[0] == float(expected * 100)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-10**12, max_value=10**12))
def test_half_cents_round_up(cents: int) -> None:
    value = float(Decimal(cents) / 100 + Decimal("0.005"))
    assert round_money(value) == (Decimal(repr(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
