"""Parameters: dated, cited values and bracket scales, looked up one date or one column at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from techsme.rules.errors import UnknownParameterError

EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01 (the integer form of numpy's datetime64[D])."""
    return (day - EPOCH).days


@dataclass(frozen=True)
class Reference:
    """Where a value comes from: document number and article (plus an optional link and note)."""

    document: str
    article: str
    href: str | None = None
    title: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"document": self.document, "article": self.article}
        for key in ("href", "title", "note"):
            value = getattr(self, key)
            if value:
                out[key] = value
        return out

    def citation(self) -> str:
        return f"{self.document} {self.article}".strip()


@dataclass(frozen=True)
class DatedValue:
    """A value in force from `start` until the next dated value; `None` means the measure ended."""

    start: dt.date
    value: Any
    reference: Reference
    unconfirmed: bool = False
    from_reform: bool = False


@dataclass(frozen=True)
class Series:
    """The history of one value, sorted by start date."""

    entries: tuple[DatedValue, ...]
    _starts: np.ndarray = field(init=False, repr=False, compare=False)
    _numbers: np.ndarray = field(init=False, repr=False, compare=False)
    _memo: dict[bytes, np.ndarray] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = np.array([day_number(e.start) for e in self.entries], dtype=np.int64)
        numbers = np.array(
            [float(e.value) if isinstance(e.value, int | float) else np.nan for e in self.entries],
            dtype=np.float64,
        )
        object.__setattr__(self, "_starts", starts)
        object.__setattr__(self, "_numbers", numbers)
        object.__setattr__(self, "_memo", {})

    def entry_at(self, day: dt.date) -> DatedValue | None:
        """The dated value in force on `day` (None before the first date)."""
        index = int(np.searchsorted(self._starts, day_number(day), side="right")) - 1
        return self.entries[index] if index >= 0 else None

    def value_at(self, day: dt.date) -> Any:
        entry = self.entry_at(day)
        return None if entry is None else entry.value

    def entry_indices(self, days: np.ndarray) -> np.ndarray:
        """Index of the entry in force for each day (−1 before the first date)."""
        return np.searchsorted(self._starts, days, side="right") - 1

    def vector(self, days: np.ndarray) -> np.ndarray:
        """Numeric value in force on each day (NaN when none is, or the measure ended).

        Results for short day arrays (the distinct dates of a table) are memoised.
        """
        key = days.tobytes() if days.size <= 64 else b""
        cached = self._memo.get(key) if key else None
        if cached is not None:
            return cached
        index = self.entry_indices(days)
        result = np.where(index >= 0, self._numbers[np.maximum(index, 0)], np.nan)
        if key and len(self._memo) < 256:
            self._memo[key] = result
        return result

    def with_value_from(self, start: dt.date, value: Any) -> Series:
        """A copy where `value` holds from `start` on (later dated values are dropped)."""
        kept = [e for e in self.entries if e.start < start]
        reform_ref = Reference(document="reform", article="", note="value set by a reform")
        kept.append(DatedValue(start, value, reform_ref, unconfirmed=False, from_reform=True))
        return Series(tuple(kept))


@dataclass(frozen=True)
class Bracket:
    """One row of a scale: from `threshold` on (strictly above it when `strict`), `amount` applies."""

    threshold: Series
    amount: Series
    strict: bool = False


@dataclass(frozen=True)
class Parameter:
    """One parameter file: a single dated value or a bracket scale."""

    path: str
    description: str
    unit: str
    label_en: str
    label_zh: str
    unconfirmed: bool
    last_value_still_valid_on: dt.date | None
    source_file: str
    series: Series | None = None
    brackets: tuple[Bracket, ...] = ()
    scale_type: str = "single_amount"
    threshold_unit: str | None = None
    _day_memo: dict[dt.date, list[tuple[str, DatedValue]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    uniform_memo: dict[bytes, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def is_scale(self) -> bool:
        return self.series is None

    def all_entries(self) -> Iterator[tuple[str, DatedValue]]:
        """Every dated value with the sub-path it belongs to ('' or '[i].threshold' ...)."""
        if self.series is not None:
            for entry in self.series.entries:
                yield "", entry
            return
        for i, bracket in enumerate(self.brackets):
            for part, series in (("threshold", bracket.threshold), ("amount", bracket.amount)):
                for entry in series.entries:
                    yield f"[{i}].{part}", entry

    def value_at(self, day: dt.date) -> Any:
        """The value on `day`: a number/list/None, or a `ScaleAtDate` for scales."""
        if self.series is not None:
            return self.series.value_at(day)
        rows = []
        for bracket in self.brackets:
            threshold, amount = bracket.threshold.value_at(day), bracket.amount.value_at(day)
            if threshold is not None and amount is not None:
                rows.append((float(threshold), float(amount), bracket.strict))
        return ScaleAtDate(self.path, self.scale_type, tuple(rows)) if rows else None

    def entries_at(self, day: dt.date) -> list[tuple[str, DatedValue]]:
        """The dated values in force on `day`, with their sub-paths (for explanations; memoised)."""
        cached = self._day_memo.get(day)
        if cached is None:
            cached = self._entries_at(day)
            if len(self._day_memo) < 512:
                self._day_memo[day] = cached
        return cached

    def _entries_at(self, day: dt.date) -> list[tuple[str, DatedValue]]:
        out: list[tuple[str, DatedValue]] = []
        if self.series is not None:
            entry = self.series.entry_at(day)
            return [("", entry)] if entry is not None else []
        for i, bracket in enumerate(self.brackets):
            for part, series in (("threshold", bracket.threshold), ("amount", bracket.amount)):
                entry = series.entry_at(day)
                if entry is not None:
                    out.append((f"[{i}].{part}", entry))
        return out

    def is_unconfirmed_at(self, day: dt.date) -> bool:
        return self.unconfirmed or any(e.unconfirmed for _, e in self.entries_at(day))


@dataclass(frozen=True)
class ScaleAtDate:
    """A scale as in force on one date: rows of (threshold, amount, strict)."""

    path: str
    scale_type: str
    rows: tuple[tuple[float, float, bool], ...]

    def calc(self, x: float) -> float:
        return float(evaluate_scale(self.scale_type, np.array([x], dtype=np.float64), [
            (np.array([t]), np.array([a]), s) for t, a, s in self.rows
        ])[0])


def evaluate_scale(
    scale_type: str, x: np.ndarray, rows: Sequence[tuple[np.ndarray, np.ndarray, bool]]
) -> np.ndarray:
    """Vectorised scale: per-row thresholds/amounts (NaN = bracket not in force on that row).

    `single_amount`: the amount of the highest bracket reached (x ≥ threshold, or x > threshold when strict);
    NaN when x is NaN or no bracket is in force. `marginal_rate`: Σ rate × (slice of x inside each bracket).
    """
    if scale_type == "marginal_rate":
        total = np.zeros(x.shape, dtype=np.float64)
        any_in_force = np.zeros(x.shape, dtype=bool)
        for i, (threshold, rate, _strict) in enumerate(rows):
            upper = rows[i + 1][0] if i + 1 < len(rows) else np.full(x.shape, np.inf)
            upper = np.where(np.isnan(upper), np.inf, upper)
            in_force = ~np.isnan(threshold) & ~np.isnan(rate)
            portion = np.clip(np.minimum(x, upper) - threshold, 0.0, None)
            total += np.where(in_force, rate * np.nan_to_num(portion), 0.0)
            any_in_force |= in_force
        return np.where(any_in_force & ~np.isnan(x), total, np.nan)
    uniform = uniform_brackets(rows)
    if uniform is not None:
        return evaluate_uniform_scale(scale_type, x, *uniform)
    result = np.full(x.shape, np.nan)
    for threshold, amount, strict in rows:
        reached = (x > threshold) if strict else (x >= threshold)
        result = np.where(reached & ~np.isnan(amount), amount, result)
    return np.where(np.isnan(x), np.nan, result)


def evaluate_uniform_scale(
    scale_type: str, x: np.ndarray, thresholds: np.ndarray, amounts: np.ndarray, side: str
) -> np.ndarray:
    """A single-amount scale with the same brackets for every row: one binary search per value."""
    index = np.searchsorted(thresholds, x, side=side) - 1
    values = np.where(index >= 0, amounts[np.maximum(index, 0)], np.nan)
    return np.where(np.isnan(x), np.nan, values)


def uniform_brackets(
    rows: Sequence[tuple[np.ndarray, np.ndarray, bool]],
) -> tuple[np.ndarray, np.ndarray, str] | None:
    """Scalar thresholds/amounts when every row has the same brackets (then a binary search is enough).

    Each row item is a column (or a broadcast scalar) of thresholds/amounts; None when they differ between rows,
    when a bracket is not in force, or when strict and non-strict brackets are mixed.
    """
    stricts = {strict for _, _, strict in rows}
    if len(stricts) != 1:
        return None
    thresholds, amounts = [], []
    for threshold, amount, _ in rows:
        for column, out in ((threshold, thresholds), (amount, amounts)):
            flat = np.ravel(column)
            if not flat.size or not (flat.strides == (0,) or np.all(flat == flat[0])):
                return None
            out.append(float(flat[0]))
    t, a = np.array(thresholds), np.array(amounts)
    if np.isnan(t).any() or np.isnan(a).any() or np.any(np.diff(t) <= 0):
        return None
    return t, a, "left" if stricts.pop() else "right"


class ParameterTree:
    """All parameters, addressable by dotted path (`tree["eit.rate.standard"]`) or attribute (`tree.eit.rate`)."""

    def __init__(self, parameters: dict[str, Parameter], prefix: str = "") -> None:
        self._parameters = parameters
        self._prefix = prefix

    @property
    def parameters(self) -> dict[str, Parameter]:
        return self._parameters

    def get(self, path: str) -> Parameter:
        try:
            return self._parameters[path]
        except KeyError:
            raise UnknownParameterError(f"unknown parameter {path!r}") from None

    def __getitem__(self, path: str) -> Parameter | ParameterTree:
        full = f"{self._prefix}{path}"
        if full in self._parameters:
            return self._parameters[full]
        if any(p.startswith(full + ".") for p in self._parameters):
            return ParameterTree(self._parameters, full + ".")
        raise UnknownParameterError(f"unknown parameter {full!r}")

    def __getattr__(self, name: str) -> Parameter | ParameterTree:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except UnknownParameterError as exc:
            raise AttributeError(str(exc)) from None

    def paths(self) -> list[str]:
        return sorted(p for p in self._parameters if p.startswith(self._prefix))

    def at(self, day: dt.date) -> ValuesAtDate:
        return ValuesAtDate({p: self._parameters[p].value_at(day) for p in self.paths()}, day)


class ValuesAtDate:
    """The tree in force on one date: leaves are numbers, lists, None (not in force) or `ScaleAtDate`."""

    def __init__(self, values: dict[str, Any], day: dt.date, prefix: str = "") -> None:
        self._values = values
        self._prefix = prefix
        self.day = day

    def __getitem__(self, path: str) -> Any:
        full = f"{self._prefix}{path}"
        if full in self._values:
            return self._values[full]
        if any(p.startswith(full + ".") for p in self._values):
            return ValuesAtDate(self._values, self.day, full + ".")
        raise UnknownParameterError(f"unknown parameter {full!r}")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except UnknownParameterError as exc:
            raise AttributeError(str(exc)) from None

    def as_dict(self) -> dict[str, Any]:
        return {p[len(self._prefix):]: v for p, v in self._values.items() if p.startswith(self._prefix)}
