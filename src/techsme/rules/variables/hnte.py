"""HNTE pre-check (国科发火〔2016〕32号; 国科发火〔2016〕195号): every condition the facts can decide.

Innovation-score parts are ranges (lo, hi): expert-judged parts are inputs, and an unknown part contributes 0 to the
low end and its maximum to the high end.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from techsme.rules.engine import Simulation, variable
from techsme.rules.three_valued import all_of, coalesce, flag, negate, ratio

D32 = "国科发火〔2016〕32号"
D195 = "国科发火〔2016〕195号"
DAYS_PER_YEAR = 365.25


def _bounded(s: Simulation, fact: str, maximum_path: str, *, high: bool) -> np.ndarray:
    value = s(fact)
    maximum = s.param(maximum_path)
    return np.where(np.isnan(value), maximum if high else 0.0, np.clip(value, 0.0, maximum))


@variable(
    "hnte_years_registered", label_en="Years since registration", label_zh="注册成立年限", unit="year",
    rule_en="Years from the date of incorporation to the end of the tax year.",
    rule_zh="自成立日期至纳税年度末的年数。",
)
def hnte_years_registered(s: Simulation) -> np.ndarray:
    unique_days, inverse = s.period_days("tax_year_end")
    return (unique_days[inverse] - s("founded_on")) / DAYS_PER_YEAR


@variable(
    "hnte_condition_registered", label_en="Registered ≥ 1 year", label_zh="注册成立一年以上", unit="bool", kind="bool",
    parameters=["hnte.min_years_registered"], since="2016-01-01", citation=D32 + " 第十一条（一）",
    rule_en="Registered at least {hnte.min_years_registered} year(s) by the end of the tax year.",
    rule_zh="截至纳税年度末注册成立{hnte.min_years_registered}年以上。",
)
def hnte_condition_registered(s: Simulation) -> np.ndarray:
    years, minimum = s("hnte_years_registered"), s.param("hnte.min_years_registered")
    return flag(years >= minimum, years)


@variable(
    "hnte_condition_ip", label_en="Owns IP for its core products", label_zh="拥有核心自主知识产权", unit="bool",
    kind="bool", since="2016-01-01", citation=D32 + " 第十一条（二）",
    rule_en="At least one valid Class I or Class II IP item related to the main products.",
    rule_zh="拥有至少一项与主要产品相关的有效Ⅰ类或Ⅱ类知识产权。",
)
def hnte_condition_ip(s: Simulation) -> np.ndarray:
    total = s("ip_class1") + s("ip_class2")
    return flag(total >= 1, total)


@variable(
    "hnte_condition_field", label_en="Key supported high-tech field", label_zh="属于国家重点支持的高新技术领域",
    unit="bool", kind="bool", since="2016-01-01", citation=D32 + " 第十一条（三）",
    rule_en="Core technology in the National Key Supported High-tech Fields (a fact; unknown if not given).",
    rule_zh="核心技术属于《国家重点支持的高新技术领域》（需填报）。",
)
def hnte_condition_field(s: Simulation) -> np.ndarray:
    return s("hnte_key_field")


@variable(
    "hnte_condition_tech_staff", label_en="Tech staff ≥ 10%", label_zh="科技人员占比不低于10%", unit="bool",
    kind="bool", parameters=["hnte.tech_staff_share"], since="2016-01-01", citation=D32 + " 第十一条（四）",
    rule_en="Tech staff (183-day rule; by default the tech-SME count) at least {hnte.tech_staff_share} of employees.",
    rule_zh="科技人员（累计工作183天以上；未填报时按科技型中小企业口径）占比不低于{hnte.tech_staff_share}。",
)
def hnte_condition_tech_staff(s: Simulation) -> np.ndarray:
    share = coalesce(s("hnte_tech_staff_share"), s("techsme_staff_ratio"))
    return flag(share >= s.param("hnte.tech_staff_share"), share)


@variable(
    "hnte_rd_share_required", label_en="Required R&D intensity", label_zh="研发费用占比要求", unit="/1",
    parameters=["hnte.rd_share"], since="2016-01-01", citation=D32 + " 第十一条（五）",
    rule_en="5% when last year's sales ≤ 50 million yuan, 4% up to 200 million, 3% above.",
    rule_zh="最近一年销售收入5000万元以下为5%，5000万元至2亿元为4%，2亿元以上为3%。",
)
def hnte_rd_share_required(s: Simulation) -> np.ndarray:
    return s.scale("hnte.rd_share", s("revenue"))


@variable(
    "hnte_condition_rd", label_en="R&D intensity over 3 years", label_zh="近三年研发费用占比", unit="bool",
    kind="bool", parameters=["hnte.rd_in_china_share"], since="2016-01-01", citation=D32 + " 第十一条（五）",
    rule_en="3-year R&D ÷ 3-year sales at least the required share, and at least {hnte.rd_in_china_share} of R&D "
    "spent in China.",
    rule_zh="近三个会计年度研发费用总额占同期销售收入总额的比例符合要求，且境内研发费用占比不低于{hnte.rd_in_china_share}。",
)
def hnte_condition_rd(s: Simulation) -> np.ndarray:
    share = ratio(s("rd_expense_3y"), s("revenue_3y"))
    required = s("hnte_rd_share_required")
    in_china = s("rd_in_china_share")
    return all_of(
        flag(share >= required, share, required),
        flag(in_china >= s.param("hnte.rd_in_china_share"), in_china),
    )


@variable(
    "hnte_condition_high_tech_revenue", label_en="High-tech revenue ≥ 60%", label_zh="高新技术产品（服务）收入占比",
    unit="bool", kind="bool", parameters=["hnte.high_tech_revenue_share"], since="2016-01-01",
    citation=D32 + " 第十一条（六）",
    rule_en="High-tech product/service revenue at least {hnte.high_tech_revenue_share} of total revenue last year.",
    rule_zh="近一年高新技术产品（服务）收入占企业同期总收入的比例不低于{hnte.high_tech_revenue_share}。",
)
def hnte_condition_high_tech_revenue(s: Simulation) -> np.ndarray:
    share = s("high_tech_revenue_share")
    return flag(share >= s.param("hnte.high_tech_revenue_share"), share)


@variable(
    "hnte_condition_no_accident", label_en="No major accident last year", label_zh="申请前一年内未发生重大事故",
    unit="bool", kind="bool", since="2016-01-01", citation=D32 + " 第十一条（八）",
    rule_en="No major safety or quality accident or serious environmental violation.",
    rule_zh="未发生重大安全、重大质量事故或严重环境违法行为。",
)
def hnte_condition_no_accident(s: Simulation) -> np.ndarray:
    return negate(s("major_accident"))


def _growth_rate(x1: np.ndarray, x2: np.ndarray, x3: np.ndarray) -> np.ndarray:
    """½(X2/X1 + X3/X2) − 1; with X1 = 0 the last two years (X3/X2 − 1); with X2 = 0 the rate is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        full = 0.5 * (x2 / x1 + x3 / x2) - 1.0
        last_two = x3 / x2 - 1.0
    rate = np.where(x1 == 0, last_two, full)
    rate = np.where(x2 == 0, 0.0, rate)
    return np.round(rate, 12)


NET_ASSETS = ("net_assets_y1", "net_assets_y2", "net_assets_y3")
SALES = ("revenue_y1", "revenue_y2", "revenue")
GROWTH_MAX = 10.0


def _growth_points(s: Simulation, bound: str, series: tuple[str, str, str]) -> np.ndarray:
    rate = _growth_rate(*(s(name) for name in series))
    points = s.scale(f"hnte.score.growth_{bound}", rate)
    return np.where(np.isnan(points), 0.0 if bound == "low" else GROWTH_MAX, points)


def _ip_quantity(s: Simulation, bound: str) -> np.ndarray:
    class1 = s.scale(f"hnte.score.ip_quantity_class1_{bound}", s("ip_class1"))
    class2 = s.scale(f"hnte.score.ip_quantity_class2_{bound}", s("ip_class2"))
    points = np.where(class1 > 0, class1, class2)
    return np.where(np.isnan(points), 0.0 if bound == "low" else 8.0, points)


def _conversion(s: Simulation, bound: str) -> np.ndarray:
    points = s.scale(f"hnte.score.conversion_{bound}", s("hnte_conversions_avg_3y"))
    return np.where(np.isnan(points), 0.0 if bound == "low" else 30.0, points)


def _growth(s: Simulation, bound: str) -> np.ndarray:
    return _growth_points(s, bound, NET_ASSETS) + _growth_points(s, bound, SALES)


SCORE_PARTS: dict[str, tuple[str, str, str, str, Callable[[Simulation, str], np.ndarray], tuple[str, ...]]] = {
    "ip_quantity": (
        "IP quantity score", "知识产权数量得分",
        "≥1 Class I → 7–8; ≥5 Class II → 5–6; 3–4 → 3–4; 1–2 → 1–2 (unknown counts: 0–8).",
        "Ⅰ类1项以上7–8分；Ⅱ类5项以上5–6分，3–4项3–4分，1–2项1–2分（未知：0–8分）。",
        _ip_quantity, ("hnte.score.ip_quantity_class1_{b}", "hnte.score.ip_quantity_class2_{b}"),
    ),
    "conversion": (
        "Conversion score", "科技成果转化能力得分",
        "Average conversions per year over 3 years: ≥5 → 25–30, ≥4 → 19–24, ≥3 → 13–18, ≥2 → 7–12, ≥1 → 1–6 "
        "(unknown: 0–30).",
        "近三年年均科技成果转化数：5项以上25–30分，4项19–24分，3项13–18分，2项7–12分，1项1–6分（未知：0–30分）。",
        _conversion, ("hnte.score.conversion_{b}",),
    ),
    "growth": (
        "Growth score (net assets + sales)", "成长性得分（净资产与销售收入增长率）",
        "Each of net assets and sales: ½ × (X2/X1 + X3/X2) − 1 ≥35% → 9–10, ≥25% → 7–8, ≥15% → 5–6, ≥5% → 3–4, "
        ">0 → 1–2, ≤0 → 0 (X1 = 0: last two years; X2 = 0: 0; unknown: 0–10).",
        "净资产、销售收入增长率各按 ½×(X2/X1+X3/X2)−1 计：≥35%得9–10分，≥25%得7–8分，≥15%得5–6分，≥5%得3–4分，"
        ">0得1–2分，≤0得0分（第一年为0按后两年计算；第二年为0得0分；未知：0–10分）。",
        _growth, ("hnte.score.growth_{b}",),
    ),
}


def _register_score_part(part: str) -> None:
    en, zh, rule_en, rule_zh, compute, paths = SCORE_PARTS[part]
    for bound, bound_en, bound_zh in (("low", "low end", "下限"), ("high", "high end", "上限")):
        variable(
            f"hnte_{part}_score_{bound}", label_en=f"{en} ({bound_en})", label_zh=f"{zh}（{bound_zh}）",
            unit="points", since="2016-01-01", citation=D195 + " 四（四）",
            parameters=[p.format(b=bound) for p in paths], rule_en=rule_en, rule_zh=rule_zh,
        )(lambda s, compute=compute, bound=bound: compute(s, bound))


for _part in SCORE_PARTS:
    _register_score_part(_part)


def _innovation_score(s: Simulation, bound: str) -> np.ndarray:
    high = bound == "high"
    return (
        _bounded(s, "hnte_ip_advancement", "hnte.score.max.ip_advancement", high=high)
        + _bounded(s, "hnte_ip_core_role", "hnte.score.max.ip_core_role", high=high)
        + s(f"hnte_ip_quantity_score_{bound}")
        + _bounded(s, "hnte_ip_acquisition", "hnte.score.max.ip_acquisition", high=high)
        + s(f"hnte_conversion_score_{bound}")
        + _bounded(s, "hnte_rd_management", "hnte.score.max.rd_management", high=high)
        + s(f"hnte_growth_score_{bound}")
    )


SCORE_PARAMETERS = [
    "hnte.score.max.ip_advancement", "hnte.score.max.ip_core_role", "hnte.score.max.ip_acquisition",
    "hnte.score.max.rd_management",
]


@variable(
    "hnte_innovation_score_low", label_en="Innovation score (low end)", label_zh="创新能力评价得分（下限）",
    unit="points", since="2016-01-01", citation=D195 + " 四（四）",
    parameters=SCORE_PARAMETERS,
    rule_en="Sum of the low ends: IP (advancement, core role, quantity, acquisition), conversion, R&D management, "
    "growth (net assets, sales); unknown expert parts count 0.",
    rule_zh="知识产权、成果转化、研发组织管理、成长性各项得分下限之和；未知的专家评分按0计。",
)
def hnte_innovation_score_low(s: Simulation) -> np.ndarray:
    return _innovation_score(s, "low")


@variable(
    "hnte_innovation_score_high", label_en="Innovation score (high end)", label_zh="创新能力评价得分（上限）",
    unit="points", since="2016-01-01", citation=D195 + " 四（四）",
    parameters=SCORE_PARAMETERS,
    rule_en="Sum of the high ends; unknown parts count at their maximum.",
    rule_zh="各项得分上限之和；未知部分按最高分计。",
)
def hnte_innovation_score_high(s: Simulation) -> np.ndarray:
    return _innovation_score(s, "high")


@variable(
    "hnte_condition_innovation", label_en="Innovation score ≥ 71", label_zh="创新能力评价达标", unit="bool",
    kind="bool", parameters=["hnte.innovation_pass_mark"], since="2016-01-01", citation=D195 + " 四（四）",
    rule_en="True when even the low end reaches {hnte.innovation_pass_mark}; false when even the high end is below.",
    rule_zh="得分下限达到{hnte.innovation_pass_mark}分为符合；得分上限仍低于该分为不符合；否则待定。",
)
def hnte_condition_innovation(s: Simulation) -> np.ndarray:
    mark = s.param("hnte.innovation_pass_mark")
    low, high = s("hnte_innovation_score_low"), s("hnte_innovation_score_high")
    return np.where(low >= mark, 1.0, np.where(high < mark, 0.0, np.nan))


HNTE_CONDITIONS = (
    "hnte_condition_registered", "hnte_condition_ip", "hnte_condition_field", "hnte_condition_tech_staff",
    "hnte_condition_rd", "hnte_condition_high_tech_revenue", "hnte_condition_innovation",
    "hnte_condition_no_accident",
)


@variable(
    "hnte_precheck", label_en="HNTE pre-check", label_zh="高新技术企业认定预检", unit="bool", kind="bool",
    since="2016-01-01", citation=D32 + " 第十一条",
    rule_en="All HNTE conditions hold (unknown when a condition cannot be decided from the facts).",
    rule_zh="高新技术企业认定条件全部符合（无法根据已填报信息判断时为待定）。",
)
def hnte_precheck(s: Simulation) -> np.ndarray:
    return all_of(*(s(name) for name in HNTE_CONDITIONS))
