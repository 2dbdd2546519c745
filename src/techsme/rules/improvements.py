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
        found.append(improvement(
            ratio_name, ratio, threshold, gain, "points",
            f"{en_label} {percent(ratio)} → {percent(threshold)} (R&D expense +{describe_value('currency-CNY', needed - rd)}"
            f" yuan): +{number(gain)} points",
            f"{zh_label} {percent(ratio)} → {percent(threshold)}（研发费用增加 {describe_value('currency-CNY', needed - rd)}"
            f" 元）：+{number(gain)}分",
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
    return [improvement(
        fact, value, limit, "condition_passed", "condition",
        f"{en} {describe_value(s.tree.get(path).unit, value)} → {describe_value(s.tree.get(path).unit, limit)}: "
        f"meets the size condition",
        f"{zh} {describe_value(s.tree.get(path).unit, value)} → {describe_value(s.tree.get(path).unit, limit)}：满足规模条件",
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
