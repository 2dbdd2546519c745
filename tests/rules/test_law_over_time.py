"""Issue 12: the year whose tech-SME registration counts, the statute after a measure ends, and the citations.

Legal basis of the tech-SME year: an enterprise evaluated in year N (on the figures of year N − 1,
国科发政〔2017〕115号)
claims the tech-SME super-deduction rate for tax year N (公告2022年第16号 第一条、第三条). A row's own figures are
evaluated the following year, so they never decide the row's own tax year.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from techsme.rules import Simulation, parameter_listing, parameters
from techsme.rules.engine import REGISTRY

TECH_SME = {"industry_code": "I6513", "employees": 100.0, "tech_staff": 30.0, "revenue": 1e7,
            "total_cost_expense": 8e6, "total_assets": 2e7, "rd_expense": 6e5, "ip_class1": 1.0, "ip_class2": 0.0,
            "taxable_income_before_incentives": 5e6, "rd_core_expense": 1e6}
NOT_TECH_SME = dict(TECH_SME, tech_staff=5.0, rd_expense=0.0, ip_class1=0.0)


def _simulation(rows: list[dict]) -> Simulation:
    table: dict[str, np.ndarray] = {}
    for name in rows[0]:
        values = [r.get(name) for r in rows]
        kind = REGISTRY[name].kind
        table[name] = np.array(values, dtype=object) if kind == "text" else np.array(
            [np.nan if v is None else v for v in values], dtype=np.float64)
    return Simulation(table)


def test_previous_year_figures_decide_the_tech_sme_rate() -> None:
    rows = [
        dict(TECH_SME, uscc="A", tax_year=2021.0),      # evaluated in 2022 → counts for 2022
        dict(NOT_TECH_SME, uscc="A", tax_year=2022.0),  # evaluated in 2023 → does not touch 2022
        dict(NOT_TECH_SME, uscc="B", tax_year=2021.0),
        dict(TECH_SME, uscc="B", tax_year=2022.0),
        dict(TECH_SME, uscc="C", tax_year=2022.0),      # no 2021 row: unknown
    ]
    s = _simulation(rows)
    assert list(s("techsme_eligible")) == [1.0, 0.0, 0.0, 1.0, 1.0]
    rate = s("rd_deduction_rate")
    assert rate[1] == 1.0  # A 2022: registered in 2022 on its 2021 figures (公告2022年第16号: 100%)
    assert rate[3] == 0.75  # B 2022: its 2021 figures failed; its own 2022 figures count only for 2023
    assert np.isnan(rate[4])  # C 2022: the 2022 registration is not known
    assert s.missing_facts("rd_deduction_rate", 4) == ["tech_sme_registered"]


def test_a_given_registration_wins_over_the_previous_year_evaluation() -> None:
    rows = [dict(TECH_SME, uscc="A", tax_year=2021.0, tech_sme_registered=None),
            dict(TECH_SME, uscc="A", tax_year=2022.0, tech_sme_registered=0.0)]
    assert _simulation(rows)("rd_deduction_rate")[1] == 0.75


def test_rows_of_other_enterprises_or_years_are_not_used() -> None:
    rows = [dict(TECH_SME, uscc="A", tax_year=2020.0), dict(TECH_SME, uscc="B", tax_year=2021.0),
            dict(TECH_SME, uscc="A", tax_year=2022.0)]
    assert np.isnan(_simulation(rows)("rd_deduction_rate")[2])


def test_the_evaluation_reads_the_law_of_the_evaluation_year() -> None:
    s = _simulation([dict(TECH_SME, uscc="A", tax_year=2021.0)])
    assert s.row_day("techsme_eligible", 0) == dt.date(2022, 12, 31)
    assert s.row_day("rd_deduction_rate", 0) == dt.date(2021, 12, 31)


def test_every_year_2008_to_2030_has_a_rate_and_a_regime() -> None:
    years = np.arange(2008, 2031, dtype=np.float64)
    rows = [dict(NOT_TECH_SME, uscc=f"E{int(y)}", tax_year=float(y), tech_sme_registered=0.0) for y in years]
    s = _simulation(rows)
    assert not np.isnan(s("rd_deduction_rate")).any()
    assert all(r in ("standard", "hnte", "small_low_profit") for r in s("eit_regime"))


def test_ended_measures_leave_no_value_behind() -> None:
    after = parameters(at=dt.date(2028, 6, 30))
    assert after["rd.rate.ic_machine_tool"] is None  # 公告2023年第44号 to 2027-12-31
    assert after["rd.rate.manufacturing"] is None  # 公告2021年第13号 repealed by 公告2023年第7号 第三条
    assert after["rd.rate.tech_sme"] is None  # 公告2022年第16号 repealed by 公告2023年第7号 第三条
    assert after["vc.startup.max_headcount"] == 200  # 公告2023年第17号 ended; 财税〔2018〕55号 again
    assert after["eit.small_low_profit.income_limit"] == 300_000  # 实施条例 第九十二条 again
    assert after["local.six_taxes_two_fees.payable_share"] is None
    assert parameters(at=dt.date(2027, 12, 31))["vc.startup.max_headcount"] == 300


def test_every_dated_value_cites_a_document_and_an_article() -> None:
    for item in parameter_listing(dt.date(2024, 12, 31)):
        assert item["history"], item["path"]
        for entry in item["history"]:
            citation = entry["reference"]
            assert citation["document"].strip() and citation["article"].strip(), item["path"]
        assert item["last_value_still_valid_on"] == "2025-01-01", item["path"]
