"""'Smallest change that would pass / reach the next band' for explanations."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from techsme.rules.engine import Simulation
from techsme.rules.explain_text import describe_value, number, percent
from techsme.rules.parameter_model import ScaleAtDate

Improvement = dict[str, Any]
ImprovementFinder = Callable[[Simulation, int], list[Improvement]]
FINDERS: dict[str, ImprovementFinder] = {}


def improvement(
    variable: str, old: float, new: float, gain: float | str, gain_unit: str, en: str, zh: str
) -> Improvement:
    return {
        "variable": variable, "from": old, "to": new, "delta": new - old, "gain": gain, "gain_unit": gain_unit,
        "text": {"en": en, "zh": zh},
    }


def _value(s: Simulation, name: str, row: int) -> float:
    return float(s(name)[row])


def _scale(s: Simulation, path: str, row: int, name: str) -> ScaleAtDate | None:
    day = s.row_day(name, row)
    return None if day is None else s.tree.get(path).value_at(day)


def _next_band(scale: ScaleAtDate, current_points: float) -> tuple[float, float] | None:
    """(threshold, points) of the lowest band worth more than `current_points`."""
    better = [(t, a) for t, a, _ in scale.rows if a > current_points]
    return min(better) if better else None


def finder(name: str) -> Callable[[ImprovementFinder], ImprovementFinder]:
    def register(function: ImprovementFinder) -> ImprovementFinder:
        FINDERS[name] = function
        return function

    return register


@finder("techsme_staff_score")
def staff_score(s: Simulation, row: int) -> list[Improvement]:
    score, employees, staff = (_value(s, n, row) for n in ("techsme_staff_score", "employees", "tech_staff"))
    scale = _scale(s, "techsme.score.tech_staff", row, "techsme_staff_score")
    if scale is None or math.isnan(score) or employees <= 0:
        return []
    band = _next_band(scale, score)
    if band is None:
        return []
    threshold, points = band
    needed = math.ceil(threshold * employees - 1e-9)
    if needed > employees:
        return []
    ratio = staff / employees
    gain = points - score
    return [improvement(
        "tech_staff", staff, needed, gain, "points",
        f"Tech staff ÷ employees {percent(ratio)} → {percent(threshold)} (tech staff {number(staff)} → "
        f"{number(needed)}, +{number(needed - staff)}): +{number(gain)} points",
        f"科技人员占比 {percent(ratio)} → {percent(threshold)}（科技人员 {number(staff)} → {number(needed)} 人，"
        f"+{number(needed - staff)}）：+{number(gain)}分",
    )]


@finder("techsme_rd_score")
def rd_score(s: Simulation, row: int) -> list[Improvement]:
    score, rd = _value(s, "techsme_rd_score", row), _value(s, "rd_expense", row)
    if math.isnan(score) or math.isnan(rd):
        return []
    found: list[Improvement] = []
    for path, denominator_name, ratio_name, en_label, zh_label in [
        ("techsme.score.rd_revenue", "revenue", "techsme_rd_revenue_ratio", "R&D ÷ revenue", "研发费用占销售收入比例"),
        ("techsme.score.rd_cost", "total_cost_expense", "techsme_rd_cost_ratio", "R&D ÷ total costs",
         "研发费用占成本费用支出总额比例"),
    ]:
        scale = _scale(s, path, row, "techsme_rd_score")
        denominator = _value(s, denominator_name, row)
        if scale is None or math.isnan(denominator) or denominator <= 0:
            continue
        band = _next_band(scale, score)
        if band is None:
            continue
        threshold, points = band
        needed = threshold * denominator
        gain = points - score
        ratio = _value(s, ratio_name, row)
        extra = describe_value("currency-CNY", needed - rd)
        found.append(improvement(
            ratio_name, ratio, threshold, gain, "points",
            f"{en_label} {percent(ratio)} → {percent(threshold)} (R&D expense +{extra} yuan): +{number(gain)} points",
            f"{zh_label} {percent(ratio)} → {percent(threshold)}（研发费用增加 {extra} 元）：+{number(gain)}分",
        ))
    return sorted(found, key=lambda i: i["delta"])


@finder("techsme_ip_score")
def ip_score(s: Simulation, row: int) -> list[Improvement]:
    score, class1, class2 = (_value(s, n, row) for n in ("techsme_ip_score", "ip_class1", "ip_class2"))
    if math.isnan(score) or score >= 30 or math.isnan(class1):
        return []
    found: list[Improvement] = []
    scale = _scale(s, "techsme.score.ip_class2", row, "techsme_ip_score")
    if scale is not None and not math.isnan(class2):
        band = _next_band(scale, score)
        if band is not None:
            threshold, points = band
            found.append(improvement(
                "ip_class2", class2, threshold, points - score, "points",
                f"Class II IP items {number(class2)} → {number(threshold)}: +{number(points - score)} points",
                f"Ⅱ类知识产权 {number(class2)} → {number(threshold)} 项：+{number(points - score)}分",
            ))
    found.append(improvement(
        "ip_class1", class1, 1.0, 30.0 - score, "points",
        f"Class I IP items 0 → 1 (e.g. an invention patent): +{number(30 - score)} points",
        f"Ⅰ类知识产权 0 → 1 项（如发明专利）：+{number(30 - score)}分",
    ))
    return found


def _limit_improvement(
    s: Simulation, row: int, fact: str, path: str, check: str, en: str, zh: str
) -> list[Improvement]:
    value, condition = _value(s, fact, row), _value(s, check, row)
    day = s.row_day(check, row)
    if condition != 0.0 or day is None:
        return []
    limit = float(s.tree.get(path).value_at(day))
    unit = s.tree.get(path).unit
    old, new = describe_value(unit, value), describe_value(unit, limit)
    return [improvement(
        fact, value, limit, "condition_passed", "condition",
        f"{en} {old} → {new}: meets the size condition", f"{zh} {old} → {new}：满足规模条件",
    )]


@finder("techsme_eligible")
def eligibility(s: Simulation, row: int) -> list[Improvement]:
    found: list[Improvement] = []
    found += _limit_improvement(s, row, "employees", "techsme.limits.employees", "techsme_employees_within_limit",
                                "Employees", "职工总数")
    found += _limit_improvement(s, row, "revenue", "techsme.limits.revenue", "techsme_revenue_within_limit",
                                "Sales revenue", "年销售收入")
    found += _limit_improvement(s, row, "total_assets", "techsme.limits.total_assets", "techsme_assets_within_limit",
                                "Total assets", "资产总额")
    if _value(s, "techsme_score_reached", row) == 0.0:
        score = _value(s, "techsme_score", row)
        day = s.row_day("techsme_score_reached", row)
        mark = float(s.tree.get("techsme.score.pass_mark").value_at(day)) if day else 60.0
        found.append(improvement(
            "techsme_score", score, mark, "condition_passed", "condition",
            f"Total score {number(score)} → {number(mark)} (+{number(mark - score)} points; see the score "
            f"explanations for the cheapest way)",
            f"综合评价得分 {number(score)} → {number(mark)}（需+{number(mark - score)}分，参见各项指标的改进建议）",
        ))
    if _value(s, "techsme_staff_score_nonzero", row) == 0.0:
        for item in staff_score(s, row):
            item["gain"], item["gain_unit"] = "condition_passed", "condition"
            found.append(item)
    return found


@finder("eit_payable")
def small_low_profit_cliff(s: Simulation, row: int) -> list[Improvement]:
    """Taxable income just above the small low-profit limit: bringing it down to the limit restores the relief."""
    if _value(s, "eit_small_low_profit_eligible", row) != 0.0:
        return []
    day = s.row_day("eit_small_low_profit_eligible", row)
    limit_value = s.tree.get("eit.small_low_profit.income_limit").value_at(day) if day else None
    income, payable = _value(s, "eit_taxable_income", row), _value(s, "eit_payable", row)
    if limit_value is None or math.isnan(income) or income <= float(limit_value):
        return []
    limit = float(limit_value)
    headcount = _value(s, "avg_headcount", row)
    headcount = _value(s, "employees", row) if math.isnan(headcount) else headcount
    assets = _value(s, "avg_total_assets", row)
    assets = _value(s, "total_assets", row) if math.isnan(assets) else assets
    head_limit = s.tree.get("eit.small_low_profit.headcount_limit").value_at(day)
    assets_limit = s.tree.get("eit.small_low_profit.assets_limit").value_at(day)
    if (_value(s, "restricted_industry", row) == 1.0 or not headcount <= float(head_limit)
            or not assets <= float(assets_limit)):
        return []
    scale = s.tree.get("eit.small_low_profit.effective_rate").value_at(day)
    if scale is None:
        return []
    gain = payable - scale.calc(limit)
    if gain <= 0:
        return []
    reduction = describe_value("currency-CNY", income - limit)
    return [improvement(
        "eit_taxable_income", income, limit, gain, "yuan",
        f"Taxable income {describe_value('currency-CNY', income)} → {describe_value('currency-CNY', limit)} "
        f"(−{reduction}, e.g. more R&D): small low-profit relief, EIT −{describe_value('currency-CNY', gain)} yuan",
        f"应纳税所得额 {describe_value('currency-CNY', income)} → {describe_value('currency-CNY', limit)}"
        f"（减少 {reduction} 元，如增加研发投入）：可享受小型微利企业优惠，企业所得税减少 "
        f"{describe_value('currency-CNY', gain)} 元",
    )]
