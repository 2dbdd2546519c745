"""Venture-capital investment in start-up technology enterprises: 70% deduction (财税〔2018〕55号).

One row = one investment; the law is read at the investment date.
"""

from __future__ import annotations

import numpy as np

from techsme.rules.engine import Simulation, input_fact, variable
from techsme.rules.three_valued import all_of, flag, negate

VC = "investment"
D55 = "财税〔2018〕55号"
DAYS_PER_MONTH = 365.25 / 12

input_fact("investment_date", "Investment date", "投资日期", "date", kind="date", entity=VC)
input_fact("investment_amount", "Cash invested", "投资额", "currency-CNY", entity=VC)
input_fact("cash_direct_equity", "Direct cash equity investment", "以货币形式直接股权投资", "bool", kind="bool",
           entity=VC, default=1.0)
input_fact("holding_months", "Months held", "持有月数", "month", entity=VC)
for name, en, zh in [
    ("startup_founded_on", "Start-up's date of incorporation", "被投资企业成立日期"),
]:
    input_fact(name, en, zh, "date", kind="date", entity=VC)
for name, en, zh, unit in [
    ("startup_resident_audited", "Start-up: resident, audited books, mainland",
     "被投资企业为境内查账征收居民企业", "bool"),
    ("startup_listed_within_2y", "Start-up listed at investment or within 2 years",
     "被投资企业投资时或投资后2年内上市", "bool"),
]:
    input_fact(name, en, zh, unit, kind="bool", entity=VC)
for name, en, zh, unit in [
    ("startup_headcount", "Start-up headcount (12-month average)",
     "被投资企业从业人数（12个月平均）", "person"),
    ("startup_degree_share", "Start-up share of staff with a bachelor's degree",
     "被投资企业本科以上学历人数占比", "/1"),
    ("startup_total_assets", "Start-up total assets (12-month average)",
     "被投资企业资产总额（12个月平均）", "currency-CNY"),
    ("startup_revenue", "Start-up sales (12 months before investment)",
     "被投资企业年销售收入", "currency-CNY"),
    ("startup_rd_share_2y", "Start-up R&D ÷ total costs (investment year and next)",
     "被投资企业研发费用占比", "/1"),
]:
    input_fact(name, en, zh, unit, entity=VC)

STARTUP_PARAMETERS = [
    "vc.startup.max_age_months", "vc.startup.max_headcount", "vc.startup.max_assets", "vc.startup.max_revenue",
    "vc.startup.min_degree_share", "vc.startup.min_rd_share",
]


@variable(
    "vc_startup_qualifies", label_en="Qualifying start-up technology enterprise", label_zh="符合初创科技型企业条件",
    unit="bool", kind="bool", entity=VC, period="investment_date", parameters=STARTUP_PARAMETERS,
    since="2018-01-01", citation=D55 + " 第二条",
    rule_en="At the investment date: resident with audited books; founded ≤ {vc.startup.max_age_months} months "
    "before; not listed within 2 years; headcount ≤ {vc.startup.max_headcount} with ≥ {vc.startup.min_degree_share} "
    "graduates; assets and sales each ≤ {vc.startup.max_assets}; R&D ≥ {vc.startup.min_rd_share} of costs.",
    rule_zh="投资时：境内查账征收居民企业；成立不超过{vc.startup.max_age_months}个月；投资后2年内未上市；从业人数不超过"
    "{vc.startup.max_headcount}人且本科以上学历占比不低于{vc.startup.min_degree_share}；资产总额和年销售收入均不超过"
    "{vc.startup.max_assets}元；研发费用占比不低于{vc.startup.min_rd_share}。",
)
def vc_startup_qualifies(s: Simulation) -> np.ndarray:
    age_months = (s("investment_date") - s("startup_founded_on")) / DAYS_PER_MONTH
    checks = [
        s("startup_resident_audited"),
        negate(s("startup_listed_within_2y")),
        flag(age_months <= s.param("vc.startup.max_age_months"), age_months),
    ]
    for fact, path, at_most in [
        ("startup_headcount", "vc.startup.max_headcount", True),
        ("startup_total_assets", "vc.startup.max_assets", True),
        ("startup_revenue", "vc.startup.max_revenue", True),
        ("startup_degree_share", "vc.startup.min_degree_share", False),
        ("startup_rd_share_2y", "vc.startup.min_rd_share", False),
    ]:
        value, limit = s(fact), s.param(path)
        checks.append(flag(value <= limit if at_most else value >= limit, value, limit))
    return all_of(*checks)


@variable(
    "vc_deduction", label_en="VC deduction from taxable income", label_zh="可抵扣应纳税所得额", unit="currency-CNY",
    entity=VC, period="investment_date", parameters=["vc.deduction_share", "vc.holding_months"],
    since="2018-01-01", citation=D55 + " 第一条",
    rule_en="{vc.deduction_share} of a direct cash investment in a qualifying start-up held ≥ {vc.holding_months} "
    "months (deducted in the year the holding period completes; unused amounts carry forward).",
    rule_zh="以货币形式直接投资于初创科技型企业满{vc.holding_months}个月的，按投资额的{vc.deduction_share}抵扣应纳税所得额。",
)
def vc_deduction(s: Simulation) -> np.ndarray:
    held = s("holding_months")
    eligible = all_of(
        s("vc_startup_qualifies"), s("cash_direct_equity"), flag(held >= s.param("vc.holding_months"), held)
    )
    return np.where(np.isnan(eligible), np.nan, eligible * s("investment_amount") * s.param("vc.deduction_share"))
