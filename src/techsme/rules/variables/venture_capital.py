"""Venture-capital investment in start-up technology enterprises: 70% deduction (财税〔2018〕55号).

One row = one investment; the law is read at the investment date.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from techsme.rules.engine import Simulation, input_fact, variable
from techsme.rules.parameter_model import day_number
from techsme.rules.three_valued import all_of, any_of, flag, negate

VC = "investment"
D55 = "财税〔2018〕55号"
D87 = "国税发〔2009〕87号"
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

input_fact("investee_hnte_sme", "Investee: unlisted HNTE at the investment", "被投资企业投资时为未上市的高新技术企业",
           "bool", kind="bool", entity=VC, default=0.0)
input_fact("via_partnership", "Invested through a limited-partnership VC (as its corporate partner)",
           "通过有限合伙制创业投资企业投资（法人合伙人）", "bool", kind="bool", entity=VC, default=0.0)

TRANSITION_START = dt.date(2016, 1, 1)
ROUTE_START = dt.date(2018, 1, 1)


@variable(
    "vc_law_date", label_en="Date whose start-up limits apply", label_zh="适用初创科技型企业条件的日期", unit="date",
    kind="date", entity=VC, period="investment_date",
    rule_en="The investment date; for an investment made in the two years before 2018-01-01 whose two years are "
    "completed from 2018, 2018-01-01 (transitional rule of 财税〔2018〕55号).",
    rule_zh="投资日期；2018年1月1日前2年内发生、2018年1月1日后投资满2年的投资，按2018年1月1日（财税〔2018〕55号过渡规定）。",
)
def vc_law_date(s: Simulation) -> np.ndarray:
    invested = s("investment_date")
    start, first = float(day_number(TRANSITION_START)), float(day_number(ROUTE_START))
    completes = invested + s("holding_months") * DAYS_PER_MONTH
    transitional = (invested >= start) & (invested < first) & (completes >= first)
    return np.where(transitional, first, invested)


STARTUP_PARAMETERS = [
    "vc.startup.route_in_force", "vc.startup.max_age_months", "vc.startup.max_headcount", "vc.startup.max_assets",
    "vc.startup.max_revenue", "vc.startup.min_degree_share", "vc.startup.min_rd_share",
]


@variable(
    "vc_startup_qualifies", label_en="Qualifying start-up technology enterprise", label_zh="符合初创科技型企业条件",
    unit="bool", kind="bool", entity=VC, period="vc_law_date", parameters=STARTUP_PARAMETERS,
    citation=D55 + " 第二条（一）",
    rule_en="At the investment date, in the order of 55号: 1. resident with audited books in mainland China; "
    "2. headcount ≤ {vc.startup.max_headcount} with ≥ {vc.startup.min_degree_share} graduates, assets and sales "
    "each ≤ {vc.startup.max_assets}; 3. founded ≤ {vc.startup.max_age_months} months before; 4. not listed at the "
    "investment or within 2 years; 5. R&D ≥ {vc.startup.min_rd_share} of costs in the investment year and the next.",
    rule_zh="按55号顺序，投资时：1.境内注册、查账征收的居民企业；2.从业人数不超过{vc.startup.max_headcount}人且本科以上学历占比"
    "不低于{vc.startup.min_degree_share}，资产总额和年销售收入均不超过{vc.startup.max_assets}元；3.成立不超过"
    "{vc.startup.max_age_months}个月；4.投资时及投资后2年内未上市；5.投资当年及下一年度研发费用占比不低于{vc.startup.min_rd_share}。",
)
def vc_startup_qualifies(s: Simulation) -> np.ndarray:
    age_months = (s("investment_date") - s("startup_founded_on")) / DAYS_PER_MONTH
    checks = [s.param("vc.startup.route_in_force", default=0.0), s("startup_resident_audited")]
    for fact, path, at_most in [
        ("startup_headcount", "vc.startup.max_headcount", True),
        ("startup_degree_share", "vc.startup.min_degree_share", False),
        ("startup_total_assets", "vc.startup.max_assets", True),
        ("startup_revenue", "vc.startup.max_revenue", True),
    ]:
        value, limit = s(fact), s.param(path)
        checks.append(flag(value <= limit if at_most else value >= limit, value, limit))
    checks.append(flag(age_months <= s.param("vc.startup.max_age_months"), age_months))
    checks.append(negate(s("startup_listed_within_2y")))
    rd_share = s("startup_rd_share_2y")
    checks.append(flag(rd_share >= s.param("vc.startup.min_rd_share"), rd_share))
    return all_of(*checks)


HNTE_SME_PARAMETERS = [
    "vc.hnte_sme.max_employees", "vc.hnte_sme.max_revenue", "vc.hnte_sme.max_assets", "vc.hnte_sme.partnership_allowed",
]


@variable(
    "vc_hnte_sme_qualifies", label_en="Investee is an unlisted small or medium HNTE",
    label_zh="被投资企业为未上市的中小高新技术企业", unit="bool", kind="bool", entity=VC, period="investment_date",
    parameters=HNTE_SME_PARAMETERS, citation="中华人民共和国企业所得税法实施条例 第九十七条; " + D87 + " 第二条",
    rule_en="An unlisted HNTE with at most {vc.hnte_sme.max_employees} employees and sales and assets each at most "
    "{vc.hnte_sme.max_revenue}; through a limited partnership only while that route is open (from 2015-10-01).",
    rule_zh="未上市的高新技术企业，职工人数不超过{vc.hnte_sme.max_employees}人，年销售额和资产总额均不超过"
    "{vc.hnte_sme.max_revenue}元；通过有限合伙制创业投资企业投资的，自2015年10月1日起适用。",
)
def vc_hnte_sme_qualifies(s: Simulation) -> np.ndarray:
    checks = [s("investee_hnte_sme")]
    for fact, path in [
        ("startup_headcount", "vc.hnte_sme.max_employees"),
        ("startup_revenue", "vc.hnte_sme.max_revenue"),
        ("startup_total_assets", "vc.hnte_sme.max_assets"),
    ]:
        value, limit = s(fact), s.param(path)
        checks.append(flag(value <= limit, value, limit))
    partnership_ok = s.param("vc.hnte_sme.partnership_allowed", default=0.0)
    checks.append(np.where(s("via_partnership") == 1.0, partnership_ok, 1.0))
    return all_of(*checks)


@variable(
    "vc_deduction", label_en="VC deduction from taxable income", label_zh="可抵扣应纳税所得额", unit="currency-CNY",
    entity=VC, period="investment_date", parameters=["vc.deduction_share", "vc.holding_months"],
    citation=D55 + " 第一条（一）",
    rule_en="{vc.deduction_share} of the investment when held ≥ {vc.holding_months} months in a qualifying start-up "
    "(direct cash investment) or an unlisted small or medium HNTE (deducted in the year the holding period "
    "completes; unused amounts carry forward).",
    rule_zh="投资于初创科技型企业（以货币形式直接投资）或未上市的中小高新技术企业满{vc.holding_months}个月的，按投资额的"
    "{vc.deduction_share}抵扣应纳税所得额；当年不足抵扣的可结转。",
)
def vc_deduction(s: Simulation) -> np.ndarray:
    held = s("holding_months")
    startup = all_of(s("vc_startup_qualifies"), s("cash_direct_equity"))
    eligible = all_of(any_of(startup, s("vc_hnte_sme_qualifies")), flag(held >= s.param("vc.holding_months"), held))
    share = s.param("vc.deduction_share")
    return np.where(np.isnan(eligible) | np.isnan(share), np.nan, eligible * s("investment_amount") * share)
