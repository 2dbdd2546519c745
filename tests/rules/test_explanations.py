"""Explanations follow the techsme.explanation/v1 schema and read well."""

from __future__ import annotations

from typing import Any

import jsonschema

from techsme.rules import SCHEMA_ID, assess_records, explanation_schema

RECORD: dict[str, Any] = {
    "uscc": "91110000600037341L", "name": "测试科技有限公司", "tax_year": "2021", "region_code": "110101",
    "industry_code": "I6513", "founded_on": "2015-03-01", "employees": "100", "tech_staff": "27",
    "revenue": "10000000", "total_cost_expense": "8000000", "total_assets": "5000000", "rd_expense": "320000",
    "ip_class1": "0", "ip_class2": "2", "taxable_income_before_incentives": "2000000", "rd_core_expense": "300000",
}


def _explain(**changes: Any) -> dict[str, Any]:
    result = assess_records([{**RECORD, **changes}], explain=True)[0]
    return result["explanation"]


def test_schema_is_valid_and_explanations_conform() -> None:
    schema = explanation_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for changes in ({}, {"employees": ""}, {"tax_year": "2016"}, {"tax_year": "2023", "hnte_certificate_valid": "是"},
                    {"industry_code": "F5123", "tax_year": "2022"}, {"employees": "600", "tech_staff": "5"}):
        explanation = _explain(**changes)
        jsonschema.validate(explanation, schema)
        assert explanation["schema"] == SCHEMA_ID


def test_rd_score_improvement_names_the_next_band() -> None:
    rd = _explain()["results"]["techsme_rd_score"]
    assert rd["value"] == 20
    best = rd["improvements"][0]
    # R&D ÷ revenue 3.2% → 4%: +10 points (R&D expense +80,000)
    assert best["variable"] == "techsme_rd_revenue_ratio"
    assert (round(best["from"], 4), best["to"], best["gain"]) == (0.032, 0.04, 10)
    assert "3.2% → 4%" in best["text"]["en"] and "+10 points" in best["text"]["en"]
    assert "80000.00" in best["text"]["en"]
    assert "研发费用占销售收入比例 3.2% → 4%" in best["text"]["zh"] and "+10分" in best["text"]["zh"]


def test_staff_improvement_in_whole_people() -> None:
    staff = _explain()["results"]["techsme_staff_score"]
    assert staff["value"] == 16
    change = staff["improvements"][0]
    assert (change["variable"], change["from"], change["to"], change["delta"], change["gain"]) == (
        "tech_staff", 27, 30, 3, 4)


def test_failed_conditions_get_their_smallest_change() -> None:
    eligible = _explain(employees="600", tech_staff="180")["results"]["techsme_eligible"]
    assert eligible["value"] is False
    change = next(i for i in eligible["improvements"] if i["variable"] == "employees")
    assert (change["from"], change["to"], change["delta"]) == (600, 500, -100)
    below = _explain()["results"]["techsme_eligible"]["improvements"]
    assert any(i["variable"] == "techsme_score" and i["to"] == 60 for i in below)


def test_parameters_read_carry_value_date_and_citation() -> None:
    rate = _explain(tax_year="2023")["results"]["rd_deduction_rate"]
    general = next(p for p in rate["parameters"] if p["path"] == "rd.rate.general")
    assert general["value"] == 1.0
    assert general["effective_date"] == "2023-01-01"
    assert general["citation"]["document"] == "财政部 税务总局公告2023年第7号"
    assert rate["rule"]["en"] and rate["rule"]["zh"]


def test_unconfirmed_flag_travels() -> None:
    # 公告2022年第10号 第一条 lets each province reduce by up to 50%: the 50% is an unconfirmed assumption
    explanation = _explain(tax_year="2022", vat_small_scale="1")
    fees = explanation["results"]["six_taxes_two_fees_eligible"]
    assert fees["unconfirmed"] is True
    assert any(p["unconfirmed"] and p["path"] == "local.six_taxes_two_fees.payable_share"
               for p in fees["parameters"])
    assert explanation["unconfirmed"] is True
    # 公告2021年第12号 第一条 (2.5% on the first 1,000,000) is confirmed
    payable = _explain(tax_year="2021")["results"]["eit_payable"]
    assert not any(p["unconfirmed"] for p in payable["parameters"]
                   if p["path"].startswith("eit.small_low_profit.effective_rate"))
    assert _explain(tax_year="2020")["results"]["techsme_score"]["unconfirmed"] is False


def test_missing_facts_when_unknown() -> None:
    eligible = _explain(employees="")["results"]["techsme_eligible"]
    assert eligible["value"] is None
    assert "employees" in eligible["missing_facts"]


def test_rule_text_shows_the_parameter_values() -> None:
    size = _explain()["results"]["techsme_condition_size"]
    assert size["value"] is True
    employees_rule = _explain()["results"]["techsme_eligible"]
    assert employees_rule["rule"]["zh"]
    limits = next(p for p in size["parameters"] if p["path"] == "techsme.limits.employees")
    assert limits["value"] == 500


def test_no_rule_in_force_is_said() -> None:
    # the first evaluation (2017, 国科发政〔2017〕115号) read the 2016 figures: 2015 figures were never evaluated
    score = _explain(tax_year="2015")["results"]["techsme_score"]
    assert score["value"] is None
    assert "No rule in force" in score["note"]["en"]


def test_small_low_profit_cliff_improvement() -> None:
    payable = _explain(tax_year="2023", taxable_income_before_incentives="3500000", rd_core_expense="0",
                       rd_expense="0")["results"]["eit_payable"]
    change = payable["improvements"][0]
    # 3,500,000 × 25% = 875,000 now; at 3,000,000 the relief gives 150,000 → gain 725,000
    assert (change["variable"], change["from"], change["to"], change["gain"], change["gain_unit"]) == (
        "eit_taxable_income", 3_500_000, 3_000_000, 725_000, "yuan")
    assert "小型微利" in change["text"]["zh"]
