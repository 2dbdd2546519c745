"""Rounding money half-up to the fen when it is written (never inside the computation)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

FEN = Decimal("0.01")
_AMBIGUITY = 1e-6


def round_money(value: float | None) -> Decimal | None:
    """Half-up to 2 decimals of the shortest decimal that reads back as `value` (0.125 → 0.13, 1.005 → 1.01)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return Decimal(repr(float(value))).quantize(FEN, rounding=ROUND_HALF_UP)


def money_text(value: float | None) -> str | None:
    rounded = round_money(value)
    return None if rounded is None else str(rounded)


def money_cents(values: np.ndarray) -> np.ndarray:
    """Vectorised half-up rounding to whole fen (float64 array of cents, NaN kept).

    Same result as `round_money`: rows whose scaled value is within 1e-6 of a half fen are redone with Decimal.
    """
    values = np.asarray(values, dtype=np.float64)
    scaled = np.abs(values) * 100.0
    cents = np.floor(scaled + 0.5)
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < _AMBIGUITY
    for index in np.flatnonzero(near_half & ~np.isnan(values)):
        exact = round_money(abs(float(values[index])))
        assert exact is not None
        cents[index] = float(exact * 100)
    return np.copysign(cents, values)


def money_texts(values: np.ndarray) -> list[str | None]:
    """Column of money as text with exactly 2 decimals (None for unknown)."""
    cents = money_cents(values)
    out: list[str | None] = []
    for cent in cents.tolist():
        if math.isnan(cent):
            out.append(None)
            continue
        whole = int(cent)
        sign = "-" if whole < 0 else ""
        whole = abs(whole)
        out.append(f"{sign}{whole // 100}.{whole % 100:02d}")
    return out
