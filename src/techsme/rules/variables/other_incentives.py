"""Six taxes and two fees (enterprise-year) and VAT incentives (one VAT period per row)."""

from __future__ import annotations

import numpy as np

from techsme.rules.engine import Simulation, input_fact, variable
from techsme.rules.three_valued import any_of, flag

D23_12 = "财政部 税务总局公告2023年第12号"


@variable(
    "six_taxes_two_fees_eligible", label_en="50% six taxes and two fees", label_zh="享受“六税两费”减半征收",
    unit="bool", kind="bool",
    parameters=["local.six_taxes_two_fees.payable_share", "local.six_taxes_two_fees.small_low_profit_included"],
    citation="财税〔2019〕13号 第三条; 财政部 税务总局公告2022年第10号 第一条; " + D23_12 + " 第二条",
    rule_en="While the measure is in force: a small-scale VAT taxpayer (from 2019), or a small low-profit enterprise "
    "(from 2022).",
    rule_zh="政策有效期内：增值税小规模纳税人（2019年起），或小型微利企业（2022年起）。",
)
def six_taxes_two_fees_eligible(s: Simulation) -> np.ndarray:
    in_force = ~np.isnan(s.param("local.six_taxes_two_fees.payable_share"))
    included = s.param("local.six_taxes_two_fees.small_low_profit_included", default=0.0) == 1.0
    small_low_profit = np.where(included, s("eit_small_low_profit_eligible"), 0.0) if included.any() else np.zeros(s.n)
    return np.where(in_force, any_of(s("vat_small_scale"), small_low_profit), 0.0)


# ---- VAT: one row = one VAT return period of a taxpayer
VAT = "vat_period"
input_fact("vat_period_end", "Last day of the VAT period", "增值税纳税期末日", "date", kind="date", entity=VAT)
input_fact("vat_period_months", "Months in the VAT period (1 or 3)", "纳税期月份数", "month", default=1.0, entity=VAT)
input_fact("vat_sales", "Taxable sales in the period", "当期应税销售额", "currency-CNY", entity=VAT)
input_fact("vat_small_scale_taxpayer", "Small-scale VAT taxpayer", "小规模纳税人", "bool", kind="bool", entity=VAT,
           default=1.0)
input_fact("tech_contract_recognised", "Technology contract recognised by the provincial S&T department",
           "技术合同经省级科技主管部门认定登记", "bool", kind="bool", entity=VAT, default=0.0)


@variable(
    "vat_small_scale_exempt", label_en="Small-scale VAT exemption", label_zh="小规模纳税人免征增值税", unit="bool",
    kind="bool", entity=VAT, period="vat_period_end",
    parameters=["vat.small_scale.monthly_threshold", "vat.small_scale.quarterly_threshold"],
    rule_en="A small-scale taxpayer whose sales in the period do not exceed the monthly ({vat.small_scale."
    "monthly_threshold}) or quarterly ({vat.small_scale.quarterly_threshold}) threshold.",
    rule_zh="小规模纳税人当期销售额未超过月销售额{vat.small_scale.monthly_threshold}元（按季{vat.small_scale."
    "quarterly_threshold}元）。",
)
def vat_small_scale_exempt(s: Simulation) -> np.ndarray:
    quarterly = s("vat_period_months") == 3
    threshold = np.where(
        quarterly, s.param("vat.small_scale.quarterly_threshold"), s.param("vat.small_scale.monthly_threshold")
    )
    sales = s("vat_sales")
    within = flag(sales <= threshold, sales)
    in_force = ~np.isnan(threshold)
    return np.where(in_force & (s("vat_small_scale_taxpayer") == 1.0), within, 0.0)


@variable(
    "vat_rate_on_3pct_sales", label_en="Rate charged on 3%-rate sales", label_zh="3%征收率销售额实际征收率",
    unit="/1", entity=VAT, period="vat_period_end", parameters=["vat.small_scale.rate_on_3pct_sales"],
    rule_en="The reduced rate in force for a small-scale taxpayer's 3%-rate sales (3% when none is).",
    rule_zh="小规模纳税人适用3%征收率的应税销售收入的减征后征收率（无减征时为3%）。",
)
def vat_rate_on_3pct_sales(s: Simulation) -> np.ndarray:
    reduced = s.param("vat.small_scale.rate_on_3pct_sales")
    return np.where(np.isnan(reduced), 0.03, reduced)


@variable(
    "vat_tech_contract_exempt", label_en="Technology-contract VAT exemption", label_zh="技术合同免征增值税",
    unit="bool", kind="bool", entity=VAT, period="vat_period_end", parameters=["vat.tech_contract_exempt"],
    rule_en="Technology transfer/development contracts recognised by the provincial S&T department are exempt.",
    rule_zh="经省级科技主管部门认定登记的技术转让、技术开发合同免征增值税。",
)
def vat_tech_contract_exempt(s: Simulation) -> np.ndarray:
    in_force = s.param("vat.tech_contract_exempt", default=0.0) == 1.0
    return np.where(in_force, s("tech_contract_recognised"), 0.0)
