"""Technology-based SME evaluation (国科发政〔2017〕115号; 国科火字〔2022〕67号)."""

from __future__ import annotations

from functools import partial

import numpy as np

from techsme.rules import engine
from techsme.rules.engine import Simulation, formula_version
from techsme.rules.three_valued import all_of, any_of, best_option, flag, negate, ratio

D115 = "国科发政〔2017〕115号"
D67 = "国科火字〔2022〕67号"

# A row's figures describe `tax_year`; they are evaluated in the next year (the evaluation uses the figures of the
# last completed accounting year), so every evaluation variable reads the law of 31 December of `tax_year` + 1.
variable = partial(engine.variable, period="evaluation_year_end")


def _within_limit(s: Simulation, fact: str, limit_path: str) -> np.ndarray:
    value, limit = s(fact), s.param(limit_path)
    return flag(value <= limit, value, limit)


@variable(
    "techsme_employees_within_limit", label_en="Employees within limit", label_zh="职工总数不超过上限",
    unit="bool", kind="bool", parameters=["techsme.limits.employees"], since="2017-05-03", citation=D115,
    rule_en="Employees must not exceed {techsme.limits.employees}.",
    rule_zh="职工总数不超过{techsme.limits.employees}人。",
)
def techsme_employees_within_limit(s: Simulation) -> np.ndarray:
    return _within_limit(s, "employees", "techsme.limits.employees")


@variable(
    "techsme_revenue_within_limit", label_en="Sales revenue within limit", label_zh="年销售收入不超过上限",
    unit="bool", kind="bool", parameters=["techsme.limits.revenue"], since="2017-05-03", citation=D115,
    rule_en="Annual sales revenue must not exceed {techsme.limits.revenue} yuan.",
    rule_zh="年销售收入不超过{techsme.limits.revenue}元。",
)
def techsme_revenue_within_limit(s: Simulation) -> np.ndarray:
    return _within_limit(s, "revenue", "techsme.limits.revenue")


@variable(
    "techsme_assets_within_limit", label_en="Total assets within limit", label_zh="资产总额不超过上限",
    unit="bool", kind="bool", parameters=["techsme.limits.total_assets"], since="2017-05-03", citation=D115,
    rule_en="Total assets must not exceed {techsme.limits.total_assets} yuan.",
    rule_zh="资产总额不超过{techsme.limits.total_assets}元。",
)
def techsme_assets_within_limit(s: Simulation) -> np.ndarray:
    return _within_limit(s, "total_assets", "techsme.limits.total_assets")


@variable(
    "techsme_condition_resident", label_en="Condition 1: resident, audited books",
    label_zh="条件一：居民企业、查账征收",
    unit="bool", kind="bool", since="2017-05-03", citation=D115 + " 第六条（一）",
    rule_en="A resident enterprise registered in China and taxed on audited books.",
    rule_zh="在中国境内注册的居民企业，实行查账征收。",
)
def techsme_condition_resident(s: Simulation) -> np.ndarray:
    return all_of(s("resident"), s("audited_books"))


@variable(
    "techsme_condition_size", label_en="Condition 2: size", label_zh="条件二：规模",
    unit="bool", kind="bool", since="2017-05-03", citation=D115 + " 第六条（二）",
    rule_en="Employees, sales revenue and total assets all within the limits.",
    rule_zh="职工总数、年销售收入和资产总额均不超过上限。",
)
def techsme_condition_size(s: Simulation) -> np.ndarray:
    return all_of(
        s("techsme_employees_within_limit"), s("techsme_revenue_within_limit"), s("techsme_assets_within_limit")
    )


@variable(
    "techsme_condition_industry", label_en="Condition 3: industry", label_zh="条件三：行业",
    unit="bool", kind="bool", since="2017-05-03", citation=D115 + " 第六条（三）",
    rule_en="Products and industry are not prohibited, restricted or eliminated.",
    rule_zh="企业提供的产品和服务不属于国家规定的禁止、限制和淘汰类。",
)
def techsme_condition_industry(s: Simulation) -> np.ndarray:
    return negate(s("restricted_industry"))


@formula_version("techsme_condition_industry", since="2022-01-01", citation=D67)
def techsme_condition_industry_67(s: Simulation) -> np.ndarray:
    """From 67号 the enterprise must also not be in an industry excluded from the R&D super-deduction."""
    return all_of(negate(s("restricted_industry")), negate(s("rd_excluded_industry")))


@variable(
    "techsme_condition_compliance", label_en="Condition 4: compliance", label_zh="条件四：合规",
    unit="bool", kind="bool", since="2017-05-03", citation=D115 + " 第六条（四）",
    rule_en="No major accident or serious violation, not on the abnormal-operation or serious-dishonesty list.",
    rule_zh="未发生重大安全、重大质量事故或严重环境违法、科研严重失信行为，未列入经营异常名录和严重违法失信企业名单。",
)
def techsme_condition_compliance(s: Simulation) -> np.ndarray:
    return negate(any_of(s("major_accident"), s("serious_dishonesty"), s("abnormal_operation_listed")))


@variable(
    "techsme_staff_ratio", label_en="Tech staff ÷ employees", label_zh="科技人员占职工总数比例", unit="/1",
    rule_en="Technology staff divided by employees (0 when there are no employees).",
    rule_zh="科技人员数除以职工总数（职工总数为0时按0计）。",
)
def techsme_staff_ratio(s: Simulation) -> np.ndarray:
    return ratio(s("tech_staff"), s("employees"))


@variable(
    "techsme_staff_score", label_en="Tech-staff score", label_zh="科技人员指标得分", unit="points",
    parameters=["techsme.score.tech_staff"], since="2017-05-03", citation=D115 + " 附件",
    rule_en="Points by tech-staff share: ≥30% → 20, ≥25% → 16, ≥20% → 12, ≥15% → 8, ≥10% → 4, below → 0.",
    rule_zh="按科技人员占比计分：≥30%得20分，≥25%得16分，≥20%得12分，≥15%得8分，≥10%得4分，低于10%得0分。",
)
def techsme_staff_score(s: Simulation) -> np.ndarray:
    return s.scale("techsme.score.tech_staff", s("techsme_staff_ratio"))


@variable(
    "techsme_rd_revenue_ratio", label_en="R&D ÷ sales revenue", label_zh="研发费用占销售收入比例", unit="/1",
    rule_en="R&D expense divided by sales revenue.", rule_zh="研发费用总额除以销售收入。",
)
def techsme_rd_revenue_ratio(s: Simulation) -> np.ndarray:
    return ratio(s("rd_expense"), s("revenue"))


@variable(
    "techsme_rd_cost_ratio", label_en="R&D ÷ total costs and expenses", label_zh="研发费用占成本费用支出总额比例",
    unit="/1", rule_en="R&D expense divided by total costs and expenses.", rule_zh="研发费用总额除以成本费用支出总额。",
)
def techsme_rd_cost_ratio(s: Simulation) -> np.ndarray:
    return ratio(s("rd_expense"), s("total_cost_expense"))


@variable(
    "techsme_rd_revenue_points", label_en="Points from R&D ÷ revenue", label_zh="研发费用占销售收入比例得分",
    unit="points", parameters=["techsme.score.rd_revenue"], since="2017-05-03", citation=D115 + " 附件",
    rule_en="≥6% → 50, ≥5% → 40, ≥4% → 30, ≥3% → 20, ≥2% → 10, below → 0.",
    rule_zh="≥6%得50分，≥5%得40分，≥4%得30分，≥3%得20分，≥2%得10分，低于2%得0分。",
)
def techsme_rd_revenue_points(s: Simulation) -> np.ndarray:
    return s.scale("techsme.score.rd_revenue", s("techsme_rd_revenue_ratio"))


@variable(
    "techsme_rd_cost_points", label_en="Points from R&D ÷ total costs", label_zh="研发费用占成本费用支出总额比例得分",
    unit="points", parameters=["techsme.score.rd_cost"], since="2017-05-03", citation=D115 + " 附件",
    rule_en="≥30% → 50, ≥25% → 40, ≥20% → 30, ≥15% → 20, ≥10% → 10, below → 0.",
    rule_zh="≥30%得50分，≥25%得40分，≥20%得30分，≥15%得20分，≥10%得10分，低于10%得0分。",
)
def techsme_rd_cost_points(s: Simulation) -> np.ndarray:
    return s.scale("techsme.score.rd_cost", s("techsme_rd_cost_ratio"))


@variable(
    "techsme_rd_score", label_en="R&D score", label_zh="研发投入指标得分", unit="points",
    since="2017-05-03", citation=D115 + " 附件",
    rule_en="The better of the two R&D ratios' points (max 50).",
    rule_zh="两项研发投入比例得分中取高者（最高50分）。",
)
def techsme_rd_score(s: Simulation) -> np.ndarray:
    by_revenue, by_cost = s("techsme_rd_revenue_points"), s("techsme_rd_cost_points")
    best = best_option([(np.ones(s.n), by_revenue), (np.ones(s.n), by_cost)])
    # one ratio unknown: the other still decides when it already reaches the top band
    top = np.fmax(s.scale("techsme.score.rd_revenue", np.full(s.n, np.inf)), 0.0)
    return np.where(np.isnan(best) & ((by_revenue == top) | (by_cost == top)), top, best)


@variable(
    "techsme_ip_score", label_en="Technology achievements score", label_zh="科技成果指标得分", unit="points",
    parameters=["techsme.score.ip_class1", "techsme.score.ip_class2"], since="2017-05-03", citation=D115 + " 附件",
    rule_en="≥1 Class I IP item → 30; otherwise ≥4 Class II → 24, 3 → 18, 2 → 12, 1 → 6, none → 0.",
    rule_zh="拥有1项及以上Ⅰ类知识产权得30分；否则Ⅱ类知识产权4项及以上得24分，3项得18分，2项得12分，1项得6分，无得0分。",
)
def techsme_ip_score(s: Simulation) -> np.ndarray:
    class1 = s.scale("techsme.score.ip_class1", s("ip_class1"))
    class2 = s.scale("techsme.score.ip_class2", s("ip_class2"))
    has_class1 = flag(class1 > 0, class1)
    return best_option([(np.ones(s.n), class1), (negate(has_class1), class2)])


@variable(
    "techsme_score", label_en="Total score", label_zh="综合评价得分", unit="points", since="2017-05-03",
    citation=D115 + " 附件",
    rule_en="Tech-staff + R&D + technology-achievement points (max 100).",
    rule_zh="科技人员、研发投入、科技成果三项指标得分之和（满分100分）。",
)
def techsme_score(s: Simulation) -> np.ndarray:
    return s("techsme_staff_score") + s("techsme_rd_score") + s("techsme_ip_score")


@variable(
    "techsme_score_condition", label_en="Condition 5: score", label_zh="条件五：评分", unit="bool", kind="bool",
    parameters=["techsme.score.pass_mark"], since="2017-05-03", citation=D115 + " 第六条（五）",
    rule_en="Total score at least {techsme.score.pass_mark} and a tech-staff score above 0.",
    rule_zh="综合评价得分不低于{techsme.score.pass_mark}分，且科技人员指标得分不为0。",
)
def techsme_score_condition(s: Simulation) -> np.ndarray:
    score, staff = s("techsme_score"), s("techsme_staff_score")
    pass_mark = s.param("techsme.score.pass_mark")
    return all_of(flag(score >= pass_mark, score, pass_mark), flag(staff > 0, staff))


@variable(
    "techsme_direct_route", label_en="Direct route applies", label_zh="符合直接认定条件", unit="bool", kind="bool",
    parameters=["techsme.direct_routes.enabled"], since="2017-05-03", citation=D115 + " 第八条",
    rule_en="A valid HNTE certificate, a national S&T award (top 3, last 5 years), a provincial-level R&D institution "
    "or a led standard (last 5 years), while direct routes are in force.",
    rule_zh="拥有有效期内高新技术企业资格证书、近五年获国家级科技奖励并在前三名、拥有省部级以上研发机构或近五年牵头制定标准之一（直接认定条件有效期间）。",
)
def techsme_direct_route(s: Simulation) -> np.ndarray:
    enabled = s.param("techsme.direct_routes.enabled", default=0.0)
    return all_of(
        enabled,
        any_of(
            s("hnte_certificate_valid"), s("national_award_top3_5y"), s("provincial_rd_institution"),
            s("led_standard_5y"),
        ),
    )


@variable(
    "techsme_conditions_1_to_4", label_en="Conditions 1–4", label_zh="条件一至四", unit="bool", kind="bool",
    since="2017-05-03", citation=D115 + " 第六条",
    rule_en="Resident with audited books, within the size limits, allowed industry, compliant.",
    rule_zh="居民企业且查账征收、规模符合、行业符合、合规。",
)
def techsme_conditions_1_to_4(s: Simulation) -> np.ndarray:
    return all_of(
        s("techsme_condition_resident"), s("techsme_condition_size"), s("techsme_condition_industry"),
        s("techsme_condition_compliance"),
    )


@variable(
    "techsme_eligible", label_en="Meets the tech-SME conditions", label_zh="符合科技型中小企业条件", unit="bool",
    kind="bool", since="2017-05-03", citation=D115 + " 第六条、第八条",
    rule_en="Conditions 1–4 and either the score condition or a direct route.",
    rule_zh="满足条件一至四，并满足评分条件或直接认定条件之一。",
)
def techsme_eligible(s: Simulation) -> np.ndarray:
    return all_of(s("techsme_conditions_1_to_4"), any_of(s("techsme_score_condition"), s("techsme_direct_route")))


@variable(
    "techsme_route", label_en="Route", label_zh="认定途径", unit="code", kind="text", since="2017-05-03",
    citation=D115,
    rule_en="'score' when eligible by score, 'direct' when eligible only by a direct route, 'none' when not eligible.",
    rule_zh="按评分符合为score，仅按直接认定条件符合为direct，不符合为none。",
)
def techsme_route(s: Simulation) -> np.ndarray:
    eligible, by_score = s("techsme_eligible"), s("techsme_score_condition")
    route = np.where(by_score == 1.0, "score", "direct").astype(object)
    route[eligible == 0.0] = "none"
    route[np.isnan(eligible)] = None
    return route


# failure codes in output order, each with the condition column whose known `false` triggers it
FAIL_CODES: tuple[tuple[str, str], ...] = (
    ("not_resident_or_unaudited", "techsme_condition_resident"),
    ("employees_over_limit", "techsme_employees_within_limit"),
    ("revenue_over_limit", "techsme_revenue_within_limit"),
    ("assets_over_limit", "techsme_assets_within_limit"),
    ("restricted_industry", "techsme_not_restricted"),
    ("excluded_industry", "techsme_not_excluded"),
    ("compliance", "techsme_condition_compliance"),
    ("score_below_60", "techsme_score_reached"),
    ("tech_staff_score_zero", "techsme_staff_score_nonzero"),
)


@variable(
    "techsme_not_restricted", label_en="Not a restricted industry", label_zh="非限制类行业", unit="bool", kind="bool",
    rule_en="Not in a prohibited, restricted or eliminated industry.", rule_zh="不属于禁止、限制和淘汰类行业。",
    since="2017-05-03", citation=D115 + " 第六条（三）",
)
def techsme_not_restricted(s: Simulation) -> np.ndarray:
    return negate(s("restricted_industry"))


@variable(
    "techsme_not_excluded", label_en="Not an excluded industry (from 67号)", label_zh="非不适用加计扣除行业（67号起）",
    unit="bool", kind="bool", since="2017-05-03", citation=D115,
    rule_en="Before 67号 no industry exclusion applies.", rule_zh="67号以前不适用行业排除条件。",
)
def techsme_not_excluded(s: Simulation) -> np.ndarray:
    return np.ones(s.n)


@formula_version("techsme_not_excluded", since="2022-01-01", citation=D67)
def techsme_not_excluded_67(s: Simulation) -> np.ndarray:
    return negate(s("rd_excluded_industry"))


@variable(
    "techsme_score_reached", label_en="Score at least the pass mark or direct route", label_zh="评分达标或直接认定",
    unit="bool", kind="bool", parameters=["techsme.score.pass_mark"], since="2017-05-03", citation=D115,
    rule_en="Total score ≥ {techsme.score.pass_mark}, or a direct route applies.",
    rule_zh="综合评价得分不低于{techsme.score.pass_mark}分，或符合直接认定条件。",
)
def techsme_score_reached(s: Simulation) -> np.ndarray:
    score, pass_mark = s("techsme_score"), s.param("techsme.score.pass_mark")
    return any_of(flag(score >= pass_mark, score, pass_mark), s("techsme_direct_route"))


@variable(
    "techsme_staff_score_nonzero", label_en="Tech-staff score above 0 or direct route",
    label_zh="科技人员指标得分不为0或直接认定", unit="bool", kind="bool", since="2017-05-03", citation=D115,
    rule_en="Tech-staff score above 0, or a direct route applies.",
    rule_zh="科技人员指标得分不为0，或符合直接认定条件。",
)
def techsme_staff_score_nonzero(s: Simulation) -> np.ndarray:
    staff = s("techsme_staff_score")
    return any_of(flag(staff > 0, staff), s("techsme_direct_route"))


@variable(
    "techsme_fail_reasons", label_en="Failed conditions", label_zh="未满足的条件", unit="code", kind="text",
    since="2017-05-03", citation=D115,
    rule_en="Machine codes of every condition known to fail, ';'-separated.",
    rule_zh="已确定未满足的条件代码，以分号分隔。",
)
def techsme_fail_reasons(s: Simulation) -> np.ndarray:
    mask = np.zeros(s.n, dtype=np.int64)
    for bit, (_code, column) in enumerate(FAIL_CODES):
        mask |= (s(column) == 0.0).astype(np.int64) << bit
    unique, inverse = np.unique(mask, return_inverse=True)
    texts = np.array(
        [";".join(code for bit, (code, _c) in enumerate(FAIL_CODES) if value >> bit & 1) for value in unique],
        dtype=object,
    )
    return texts[inverse.reshape(-1)]
