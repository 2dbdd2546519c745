"""Industry facts derived from the GB/T 4754-2017 class code (`C3911` → section `C`, division `C39`).

Codes are read as fixed-width unicode and decoded through their code points, so that a million rows cost a few
milliseconds. A division is keyed as a number: section letter index × 100 + division (`C39` → 339, `F51` → 651).
"""

from __future__ import annotations

import numpy as np

from techsme.rules.engine import Simulation, variable

_A = ord("A") - 1
_ZERO = ord("0")


def division_key(code: str) -> float:
    """`F51` or `F5123` → 651.0 (the numeric key used for division lists)."""
    return float((ord(code[0].upper()) - _A) * 100 + int(code[1:3]))


def _code_points(simulation: Simulation) -> np.ndarray:
    """(n, 5) uint32 code points of the industry codes ('' for unknown gives zeros)."""
    raw = simulation("industry_code")
    if raw.dtype.kind == "O":
        raw = np.where(np.equal(raw, None), "", raw)
    codes = np.ascontiguousarray(raw, dtype="<U5")
    return codes.view(np.uint32).reshape(-1, 5)


@variable(
    "industry_division_key", label_en="Industry division", label_zh="行业大类", unit="code",
    rule_en="Section letter and 2-digit division of the industry code as a number (F51 → 651).",
    rule_zh="行业门类字母与两位大类代码的数字编码（F51 → 651）。",
)
def industry_division_key(s: Simulation) -> np.ndarray:
    points = _code_points(s).astype(np.int64)
    key = (points[:, 0] - _A) * 100 + (points[:, 1] - _ZERO) * 10 + (points[:, 2] - _ZERO)
    unknown = (points[:, 0] == 0) | (points[:, 1] == 0) | (points[:, 2] == 0)
    return np.where(unknown, np.nan, key.astype(np.float64))


def industry_section_in(s: Simulation, sections: str) -> np.ndarray:
    """1.0 where the industry code's section letter is one of `sections`, NaN where the code is unknown."""
    letter = _code_points(s)[:, 0]
    return np.where(letter == 0, np.nan, np.isin(letter, [ord(c) for c in sections]).astype(np.float64))


@variable(
    "is_manufacturing", label_en="Manufacturing enterprise", label_zh="制造业企业", unit="bool", kind="bool",
    rule_en="The main business is in GB/T 4754 section C (manufacturing).",
    rule_zh="主营业务属于国民经济行业分类C门类（制造业）。",
)
def is_manufacturing(s: Simulation) -> np.ndarray:
    return industry_section_in(s, "C")
