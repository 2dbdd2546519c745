"""Column helpers with three-valued logic: booleans are float64 1.0 / 0.0 / NaN (unknown)."""

from __future__ import annotations

import numpy as np

TRUE, FALSE = 1.0, 0.0
RATIO_DECIMALS = 12


def known(column: np.ndarray) -> np.ndarray:
    return ~np.isnan(column)


def flag(condition: np.ndarray, *unknown_when: np.ndarray) -> np.ndarray:
    """A boolean column from a numpy comparison; NaN where any of `unknown_when` is NaN."""
    result = condition.astype(np.float64)
    for column in unknown_when:
        result[np.isnan(column)] = np.nan
    return result


def all_of(*columns: np.ndarray) -> np.ndarray:
    """Kleene AND: false if any is false, unknown if any is unknown, else true."""
    any_false = columns[0] == FALSE
    any_unknown = np.isnan(columns[0])
    for column in columns[1:]:
        any_false |= column == FALSE
        any_unknown |= np.isnan(column)
    return np.where(any_false, FALSE, np.where(any_unknown, np.nan, TRUE))


def any_of(*columns: np.ndarray) -> np.ndarray:
    """Kleene OR: true if any is true, unknown if any is unknown, else false."""
    any_true = columns[0] == TRUE
    any_unknown = np.isnan(columns[0])
    for column in columns[1:]:
        any_true |= column == TRUE
        any_unknown |= np.isnan(column)
    return np.where(any_true, TRUE, np.where(any_unknown, np.nan, FALSE))


def negate(column: np.ndarray) -> np.ndarray:
    return 1.0 - column


def coalesce(*columns: np.ndarray) -> np.ndarray:
    """First known value per row."""
    result = columns[0].copy()
    for column in columns[1:]:
        missing = np.isnan(result)
        result[missing] = column[missing] if column.shape else column
    return result


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator ÷ denominator, 0 when the denominator is ≤ 0, NaN when either is unknown.

    Rounded to 12 decimals so that a ratio that is exactly a band edge in decimal (e.g. 60.06 ÷ 1001 = 6%) is
    not pushed below the edge by binary floating point.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        raw = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), 0.0)
    raw = np.round(raw, RATIO_DECIMALS)
    raw[np.isnan(numerator) | np.isnan(denominator)] = np.nan
    return raw


def choose(condition: np.ndarray, if_true: np.ndarray | float, if_false: np.ndarray | float) -> np.ndarray:
    """Row-wise if/else on a three-valued condition (unknown condition → unknown result)."""
    return np.where(np.isnan(condition), np.nan, np.where(condition == TRUE, if_true, if_false))


def best_option(options: list[tuple[np.ndarray, np.ndarray]], *, highest: bool = True) -> np.ndarray:
    """The best value among options that apply; (applies, value) pairs with three-valued `applies`.

    An option whose `applies` or value is unknown makes the result unknown only when it could beat the known
    best. NaN when no option applies.
    """
    sign = 1.0 if highest else -1.0
    shape = np.broadcast_shapes(*(np.shape(v) for _, v in options), *(np.shape(a) for a, _ in options))
    if not any(np.isnan(applies).any() or np.isnan(value).any() for applies, value in options):
        chosen = [np.where(applies == TRUE, sign * value, -np.inf) for applies, value in options]
        fast = np.maximum.reduce(chosen) if len(chosen) > 1 else chosen[0]
        return sign * np.where(np.isneginf(fast), np.nan, np.broadcast_to(fast, shape))
    best = np.full(shape, -np.inf)
    pending = np.full(shape, -np.inf)
    for applies, value in options:
        scored = sign * value
        value_known = ~np.isnan(value)
        best = np.where((applies == TRUE) & value_known, np.maximum(best, np.nan_to_num(scored)), best)
        could = np.isnan(applies) & value_known
        pending = np.where(could, np.maximum(pending, np.nan_to_num(scored)), pending)
        pending = np.where(~value_known & (applies != FALSE), np.inf, pending)
    result = np.where((pending > best) | np.isneginf(best), np.nan, best)
    return sign * result
