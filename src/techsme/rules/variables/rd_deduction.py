"""R&D super-deduction (研发费用加计扣除): who may claim, the base, the rate by period and category."""

from __future__ import annotations

import numpy as np

from techsme.rules.engine import Simulation, variable
from techsme.rules.three_valued import all_of, best_option, choose, coalesce, flag, negate
from techsme.rules.variables.industry import division_key

D22_16 = "财政部 税务总局 科技部公告2022年第16号"


@variable(
    "rd_excluded_industry_default", label_en="Excluded industry by main business",
    label_zh="主营业务属于不适用加计扣除行业", unit="/1",
    parameters=["rd.excluded_industry.divisions"],
    rule_en="1.0 when the main business division is excluded (tobacco, accommodation, catering, wholesale, retail, "
    "real estate, leasing, business services, entertainment), else 0.0.",
    rule_zh="主营业务属于烟草制造、住宿、餐饮、批发、零售、房地产、租赁和商务服务、娱乐业时为1，否则为0。",
)
def rd_excluded_industry_default(s: Simulation) -> np.ndarray:
    division = s("industry_division_key")
    listed = s.param_in_list("rd.excluded_industry.divisions", division, encode=division_key)
    return np.where(np.isnan(division), np.nan, listed)


@variable(
    "rd_excluded_industry_share", label_en="Revenue share of excluded industries", label_zh="不适用行业收入占比",
    unit="/1",
    rule_en="The given share, or by default 1.0/0.0 from the main business.",
    rule_zh="按填报的占比；未填报时按主营业务行业取1或0。",
)
def rd_excluded_industry_share(s: Simulation) -> np.ndarray:
    return coalesce(s("excluded_industry_revenue_share"), s("rd_excluded_industry_default"))


@variable(
    "rd_excluded_industry", label_en="In an excluded industry", label_zh="属于不适用加计扣除行业", unit="bool",
    kind="bool", parameters=["rd.excluded_industry.revenue_share_limit"],
    rule_en="Revenue from excluded industries is more than {rd.excluded_industry.revenue_share_limit} of income.",
    rule_zh="不适用行业业务收入占收入总额（减除不征税收入和投资收益）的比例超过{rd.excluded_industry.revenue_share_limit}。",
)
def rd_excluded_industry(s: Simulation) -> np.ndarray:
    share, limit = s("rd_excluded_industry_share"), s.param("rd.excluded_industry.revenue_share_limit")
    # before 2016 (财税〔2015〕119号 第四条) there was no list of excluded industries
    return np.where(np.isnan(limit), 0.0, flag(share > limit, share))


@variable(
    "rd_claim_allowed", label_en="May claim the super-deduction", label_zh="可享受研发费用加计扣除", unit="bool",
    kind="bool",
    rule_en="Resident enterprise taxed on audited books, not in an excluded industry.",
    rule_zh="查账征收的居民企业，且不属于不适用加计扣除的行业。",
)
def rd_claim_allowed(s: Simulation) -> np.ndarray:
    return all_of(s("resident"), s("audited_books"), negate(s("rd_excluded_industry")))


@variable(
    "rd_other_expense_cap", label_en="Cap on other related expenses", label_zh="其他相关费用限额",
    unit="currency-CNY", parameters=["rd.other_expense.cap_share"],
    rule_en="First five categories × {rd.other_expense.cap_share} ÷ (1 − {rd.other_expense.cap_share}).",
    rule_zh="前五类费用之和 ×{rd.other_expense.cap_share}÷（1−{rd.other_expense.cap_share}）。",
)
def rd_other_expense_cap(s: Simulation) -> np.ndarray:
    share = s.param("rd.other_expense.cap_share")
    return s("rd_core_expense") * share / (1.0 - share)


@variable(
    "rd_other_expense_allowed", label_en="Other related expenses allowed", label_zh="可加计扣除的其他相关费用",
    unit="currency-CNY", parameters=["rd.other_expense.joint_cap"],
    rule_en="The smaller of the actual amount and the cap; before the joint cap (tax year 2021) the per-project "
    "figure if given (otherwise the totals are capped jointly, an upper bound).",
    rule_zh="实际发生额与限额孰小；2021年以前按项目计算的金额（如填报），否则按汇总数计算（为上限估计）。",
)
def rd_other_expense_allowed(s: Simulation) -> np.ndarray:
    joint = np.minimum(s("rd_other_expense"), s("rd_other_expense_cap"))
    by_project = np.minimum(coalesce(s("rd_other_expense_capped_by_project"), joint), joint)
    return np.where(s.param("rd.other_expense.joint_cap") == 1.0, joint, by_project)


@variable(
    "rd_commissioned_domestic_allowed", label_en="Commissioned domestic R&D counted",
    label_zh="计入的委托境内研发费用", unit="currency-CNY", parameters=["rd.commissioned.share"],
    rule_en="{rd.commissioned.share} of the price of R&D commissioned in China.",
    rule_zh="委托境内研发费用按实际发生额的{rd.commissioned.share}计入。",
)
def rd_commissioned_domestic_allowed(s: Simulation) -> np.ndarray:
    return s("rd_commissioned_domestic") * s.param("rd.commissioned.share", default=0.0)


@variable(
    "rd_domestic_qualifying", label_en="Qualifying domestic R&D", label_zh="境内符合条件的研发费用",
    unit="currency-CNY",
    rule_en="First five categories + other expenses allowed + commissioned domestic R&D counted.",
    rule_zh="前五类费用＋可扣除的其他相关费用＋计入的委托境内研发费用。",
)
def rd_domestic_qualifying(s: Simulation) -> np.ndarray:
    return s("rd_core_expense") + s("rd_other_expense_allowed") + s("rd_commissioned_domestic_allowed")


@variable(
    "rd_commissioned_foreign_allowed", label_en="Commissioned foreign R&D counted",
    label_zh="计入的委托境外研发费用", unit="currency-CNY",
    parameters=["rd.commissioned.share", "rd.commissioned.foreign_cap_share"],
    rule_en="{rd.commissioned.share} of the price, at most {rd.commissioned.foreign_cap_share} of qualifying "
    "domestic R&D.",
    rule_zh="按实际发生额的{rd.commissioned.share}计入，且不超过境内符合条件研发费用的{rd.commissioned.foreign_cap_share}。",
)
def rd_commissioned_foreign_allowed(s: Simulation) -> np.ndarray:
    counted = s("rd_commissioned_foreign") * s.param("rd.commissioned.share", default=0.0)
    cap = s("rd_domestic_qualifying") * s.param("rd.commissioned.foreign_cap_share", default=0.0)
    return np.minimum(counted, cap)


@variable(
    "rd_deduction_base", label_en="Expensed R&D qualifying for the super-deduction", label_zh="加计扣除费用基数",
    unit="currency-CNY",
    rule_en="Qualifying domestic R&D + commissioned foreign R&D counted.",
    rule_zh="境内符合条件的研发费用＋计入的委托境外研发费用。",
)
def rd_deduction_base(s: Simulation) -> np.ndarray:
    return s("rd_domestic_qualifying") + s("rd_commissioned_foreign_allowed")


@variable(
    "techsme_eligible_previous_year", label_en="Tech-SME evaluation of the previous year's figures",
    label_zh="按上一年度数据的科技型中小企业评价结果", unit="bool", kind="bool",
    rule_en="The engine's evaluation of the same enterprise's row for the previous tax year, which is the "
    "evaluation made in this tax year (unknown when that row is not in the table).",
    rule_zh="同一企业上一纳税年度数据的评价结果，即本纳税年度进行的评价（表中无该年度数据时未知）。",
)
def techsme_eligible_previous_year(s: Simulation) -> np.ndarray:
    wanted = np.isnan(s("tech_sme_registered"))
    previous = s.previous_year_rows(wanted)
    found = previous >= 0
    result = np.full(s.n, np.nan)
    if found.any():
        result[found] = s("techsme_eligible")[previous[found]]
    return result


@variable(
    "rd_tech_sme_status", label_en="Tech-SME for the super-deduction", label_zh="按科技型中小企业享受加计扣除",
    unit="bool", kind="bool", citation=D22_16 + " 第三条", parameters=["rd.tech_sme_status_lag"],
    rule_en="Registered as a tech-SME in the tax year itself (an enterprise evaluated in year N claims for year N): "
    "the registration given in the facts, else the engine's evaluation of the previous year's figures.",
    rule_zh="纳税年度当年取得科技型中小企业入库登记（第N年评价入库的企业享受第N年度的政策）：按填报的入库登记情况；"
    "未填报时按上一年度数据的评价结果。",
)
def rd_tech_sme_status(s: Simulation) -> np.ndarray:
    registered = s("tech_sme_registered")
    if not np.isnan(registered).any():
        return registered
    lag = s.param("rd.tech_sme_status_lag", default=0.0)
    evaluated = s("techsme_eligible") if np.any(lag == 1.0) else np.full(s.n, np.nan)
    if np.any(lag == 0.0):
        evaluated = np.where(lag == 0.0, s("techsme_eligible_previous_year"), evaluated)
    return coalesce(registered, evaluated)


@variable(
    "rd_rate_by_category", label_en="Super-deduction rate by category", label_zh="按类别适用的加计扣除比例",
    unit="/1",
    parameters=[
        "rd.rate.statutory", "rd.rate.general", "rd.rate.tech_sme", "rd.rate.manufacturing", "rd.rate.ic_machine_tool",
    ],
    rule_en="The highest rate among the statutory rate ({rd.rate.statutory}) and the measures in force for the "
    "categories the enterprise belongs to: all eligible enterprises, tech-SMEs, manufacturing (section C), "
    "integrated-circuit/industrial mother-machine enterprises. A measure that has ended gives nothing.",
    rule_zh="在法定比例（{rd.rate.statutory}）和企业所属类别（一般企业、科技型中小企业、制造业企业、集成电路和工业母机企业）"
    "有效期内的比例中取最高者；已到期的政策不再适用。",
)
def rd_rate_by_category(s: Simulation) -> np.ndarray:
    ones = np.ones(s.n)
    general = np.fmax(s.param("rd.rate.statutory", default=0.0), s.param("rd.rate.general", default=0.0))
    options = [
        (ones, general),
        (s("is_manufacturing"), s.param("rd.rate.manufacturing", default=0.0)),
        (s("ic_or_machine_tool"), s.param("rd.rate.ic_machine_tool", default=0.0)),
    ]
    tech_sme_rate = s.param("rd.rate.tech_sme", default=0.0)
    if np.any(tech_sme_rate > general):  # the status is read only where it can matter
        options.append((s("rd_tech_sme_status"), tech_sme_rate))
    rate = best_option(options)
    no_law = np.isnan(s.param("rd.rate.statutory"))
    return np.where(no_law, np.nan, rate)


@variable(
    "rd_deduction_rate", label_en="Super-deduction rate applied", label_zh="适用的加计扣除比例", unit="/1",
    rule_en="The category rate when the enterprise may claim, else 0.",
    rule_zh="可享受加计扣除时按类别比例，否则为0。",
)
def rd_deduction_rate(s: Simulation) -> np.ndarray:
    return choose(s("rd_claim_allowed"), s("rd_rate_by_category"), 0.0)


@variable(
    "rd_q4_2022_base", label_en="Q4-2022 R&D base", label_zh="2022年第四季度研发费用基数", unit="currency-CNY",
    parameters=["rd.rate.q4_2022"],
    rule_en="While the Q4-2022 rate is in force: the better of the actual Q4 spend (if given) and the full-year base "
    "× operating months from 1 October ÷ operating months in 2022; otherwise 0.",
    rule_zh="2022年第四季度政策有效时：按实际第四季度研发费用（如填报）与全年基数×（10月起经营月份数÷全年经营月份数）孰高；否则为0。",
)
def rd_q4_2022_base(s: Simulation) -> np.ndarray:
    in_force = ~np.isnan(s.param("rd.rate.q4_2022"))
    if not in_force.any():
        return np.zeros(s.n)
    months = s("operating_months_2022")
    prorated = s("rd_deduction_base") * s("operating_months_q4_2022") / np.where(months > 0, months, np.nan)
    best = np.fmax(s("rd_q4_2022_expense"), np.nan_to_num(prorated))
    return np.where(in_force, best, 0.0)


@variable(
    "rd_q4_2022_uplift", label_en="Q4-2022 extra rate", label_zh="2022年第四季度提高的加计扣除比例", unit="/1",
    parameters=["rd.rate.q4_2022"],
    rule_en="{rd.rate.q4_2022} minus the rate applied, when positive (Q4-2022 only).",
    rule_zh="第四季度比例{rd.rate.q4_2022}高于适用比例的部分（仅限2022年第四季度）。",
)
def rd_q4_2022_uplift(s: Simulation) -> np.ndarray:
    rate = s("rd_deduction_rate")
    uplift = np.clip(s.param("rd.rate.q4_2022", default=0.0) - rate, 0.0, None)
    return choose(s("rd_claim_allowed"), uplift, 0.0)


@variable(
    "rd_extra_deduction", label_en="R&D extra deduction", label_zh="研发费用加计扣除额", unit="currency-CNY",
    rule_en="Base × rate + Q4-2022 base × Q4 extra rate + amortisation of R&D intangibles × rate.",
    rule_zh="费用基数×比例＋2022年第四季度基数×提高比例＋研发形成无形资产摊销额×比例。",
)
def rd_extra_deduction(s: Simulation) -> np.ndarray:
    rate = s("rd_deduction_rate")
    base, q4_base, amortization = s("rd_deduction_base"), s("rd_q4_2022_base"), s("rd_intangible_amortization")
    extra = base * rate + q4_base * s("rd_q4_2022_uplift") + amortization * rate
    # nothing to deduct: the extra deduction is 0 whatever the (possibly unknown) rate
    return np.where((base == 0.0) & (q4_base == 0.0) & (amortization == 0.0), 0.0, extra)
