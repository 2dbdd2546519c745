"""Industry facts derived from the GB/T 4754-2017 class code (`C3911` → section `C`, division key `C39`).

Derived codes are fixed-width text arrays with '' for unknown (fast for a million rows).
"""

from __future__ import annotations

import numpy as np

from techsme.rules.engine import Simulation, variable


def _codes(simulation: Simulation) -> np.ndarray:
    raw = simulation("industry_code")
    if raw.dtype.kind == "O":
        raw = np.where(np.equal(raw, None), "", raw)
    return raw.astype("U5")


@variable(
    "industry_section", label_en="Industry section", label_zh="行业门类", unit="code", kind="text",
    rule_en="The section letter of the industry code (GB/T 4754-2017).",
    rule_zh="国民经济行业代码的门类字母（GB/T 4754-2017）。",
)
def industry_section(s: Simulation) -> np.ndarray:
    return _codes(s).astype("U1")


@variable(
    "industry_division", label_en="Industry division", label_zh="行业大类", unit="code", kind="text",
    rule_en="Section letter and 2-digit division of the industry code, e.g. F51.",
    rule_zh="行业门类字母加两位大类代码，例如 F51。",
)
def industry_division(s: Simulation) -> np.ndarray:
    return _codes(s).astype("U3")


@variable(
    "is_manufacturing", label_en="Manufacturing enterprise", label_zh="制造业企业", unit="bool", kind="bool",
    rule_en="The main business is in GB/T 4754 section C (manufacturing).",
    rule_zh="主营业务属于国民经济行业分类C门类（制造业）。",
)
def is_manufacturing(s: Simulation) -> np.ndarray:
    section = s("industry_section")
    return np.where(section == "", np.nan, (section == "C").astype(np.float64))
