"""The engine: variables (named, dated formulas over whole columns) and the simulation that evaluates them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from techsme.rules.errors import RulesError
from techsme.rules.parameter_loader import baseline_tree
from techsme.rules.parameter_model import (
    Parameter,
    ParameterTree,
    day_number,
    evaluate_scale,
    evaluate_uniform_scale,
    uniform_brackets,
)
from techsme.rules.reforms import Reform, apply_reform

Formula = Callable[["Simulation"], np.ndarray]
NO_LAW_BEFORE = dt.date(1900, 1, 1)
KINDS = {"number", "bool", "text", "date"}
# periods whose law date is 31 December of `tax_year` + offset: a tax year's own law, and the law of the evaluation
# year in which the figures of `tax_year` are used (the tech-SME evaluation of year N reads the figures of N − 1)
YEAR_END_PERIODS = {"tax_year_end": 0, "evaluation_year_end": 1}


@dataclass(frozen=True)
class FormulaVersion:
    """A formula in force for rows whose period falls on or after `since` (until the next version)."""

    since: dt.date
    formula: Formula
    citation: str = ""


@dataclass
class Variable:
    """A named quantity of one entity row (an enterprise-year, an investment...).

    An input fact has no formula versions; a computed variable has one or more, selected per row by date.
    """

    name: str
    label_en: str
    label_zh: str
    unit: str
    kind: str = "number"
    entity: str = "enterprise_year"
    period: str = "tax_year_end"
    rule_en: str = ""
    rule_zh: str = ""
    parameters: tuple[str, ...] = ()
    default: float | None = None
    versions: list[FormulaVersion] = field(default_factory=list)

    @property
    def is_input(self) -> bool:
        return not self.versions

    def metadata(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label_en": self.label_en,
            "label_zh": self.label_zh,
            "unit": self.unit,
            "kind": self.kind,
            "entity": self.entity,
            "period": self.period,
            "is_input": self.is_input,
            "default": self.default,
            "rule_en": self.rule_en,
            "rule_zh": self.rule_zh,
            "parameters": list(self.parameters),
            "versions": [{"since": v.since.isoformat(), "citation": v.citation} for v in self.versions],
        }


REGISTRY: dict[str, Variable] = {}


def input_fact(
    name: str,
    label_en: str,
    label_zh: str,
    unit: str,
    *,
    kind: str = "number",
    default: float | None = None,
    entity: str = "enterprise_year",
) -> Variable:
    """Declare an input fact (a column the caller provides; `default` fills empty cells)."""
    if kind not in KINDS:
        raise RulesError(f"unknown kind {kind!r}")
    var = Variable(name, label_en, label_zh, unit, kind=kind, default=default, entity=entity)
    REGISTRY[name] = var
    return var


def variable(
    name: str,
    *,
    label_en: str,
    label_zh: str,
    unit: str,
    rule_en: str,
    rule_zh: str,
    parameters: Iterable[str] = (),
    kind: str = "number",
    entity: str = "enterprise_year",
    period: str = "tax_year_end",
    since: str = "1900-01-01",
    citation: str = "",
) -> Callable[[Formula], Formula]:
    """Declare a computed variable with its first formula version."""

    def register(formula: Formula) -> Formula:
        var = Variable(
            name, label_en, label_zh, unit, kind=kind, entity=entity, period=period,
            rule_en=rule_en, rule_zh=rule_zh, parameters=tuple(parameters),
        )
        var.versions.append(FormulaVersion(dt.date.fromisoformat(since), formula, citation))
        REGISTRY[name] = var
        return formula

    return register


def formula_version(name: str, *, since: str, citation: str) -> Callable[[Formula], Formula]:
    """Add a new dated version of an existing variable's formula (a change in the law)."""

    def register(formula: Formula) -> Formula:
        var = REGISTRY[name]
        var.versions.append(FormulaVersion(dt.date.fromisoformat(since), formula, citation))
        var.versions.sort(key=lambda v: v.since)
        return formula

    return register


def is_null(column: np.ndarray) -> np.ndarray:
    """Unknown cells: NaN in numbers, None in object text, '' in fixed-width text."""
    if column.dtype.kind == "f":
        return np.isnan(column)
    if column.dtype.kind == "U":
        return column == ""
    if column.dtype.kind == "O":
        return np.array([v is None for v in column], dtype=bool) if len(column) else np.zeros(0, dtype=bool)
    return np.zeros(column.shape, dtype=bool)


def _as_input_column(var: Variable, raw: Any, n: int) -> np.ndarray:
    if raw is None:
        column = np.full(n, None, dtype=object) if var.kind == "text" else np.full(n, np.nan)
    elif var.kind == "text":
        column = np.asarray(raw)
        if column.dtype.kind not in "UO":
            column = column.astype(object)
    else:
        column = np.asarray(raw, dtype=np.float64)
    if column.shape != (n,):
        raise RulesError(f"column {var.name!r} has shape {column.shape}, expected ({n},)")
    if var.default is not None and column.dtype.kind == "f" and np.isnan(column).any():
        column = np.where(np.isnan(column), var.default, column)
    return column


class Simulation:
    """Evaluates variables over one table; each column is computed once and cached.

    `table` maps input names to columns: float64 arrays (NaN = unknown; booleans 1/0; dates as day numbers since
    1970-01-01; `tax_year` as a number) or text arrays (None = unknown). The same code path serves 1 row and 1M.
    """

    def __init__(
        self,
        table: Mapping[str, Any],
        *,
        tree: ParameterTree | None = None,
        reform: Reform | None = None,
        n: int | None = None,
    ) -> None:
        self.tree = apply_reform(tree or baseline_tree(), reform)
        self.table = table
        lengths = {len(c) for c in table.values() if c is not None}
        if n is None:
            if len(lengths) != 1:
                raise RulesError("the table needs at least one column and equal column lengths")
            n = lengths.pop()
        self.n = n
        self.cache: dict[str, np.ndarray] = {}
        self.dependencies: dict[str, list[str]] = {}
        self.parameters_read: dict[str, list[str]] = {}
        self._stack: list[str] = []
        self._periods: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._parameter_columns: dict[tuple[str, str, float | None], np.ndarray] = {}
        self._scale_rows: dict[tuple[str, str], Any] = {}
        self._closures: dict[str, list[str]] = {}
        self._row_days: dict[tuple[str, int], dt.date | None] = {}
        self._bounds: dict[str, tuple[int, int]] = {}
        self._used_slots: dict[str, np.ndarray] = {}

    # ---- columns
    def __call__(self, name: str) -> np.ndarray:
        if self._stack:
            deps = self.dependencies.setdefault(self._stack[-1], [])
            if name not in deps:
                deps.append(name)
        cached = self.cache.get(name)
        if cached is not None:
            return cached
        try:
            var = REGISTRY[name]
        except KeyError:
            raise RulesError(f"unknown variable {name!r}") from None
        if var.is_input:
            column = _as_input_column(var, self.table.get(name), self.n)
        else:
            if name in self._stack:
                raise RulesError(f"circular definition: {' → '.join([*self._stack, name])}")
            outermost = not self._stack
            self._stack.append(name)
            try:
                if outermost:
                    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                        column = self._compute(var)
                else:
                    column = self._compute(var)
            finally:
                self._stack.pop()
        self.cache[name] = column
        return column

    def _compute(self, var: Variable) -> np.ndarray:
        unique_days, inverse = self.period_days(var.period)
        low, high = self._period_bounds(var.period)
        versions = var.versions
        for index, version in enumerate(versions):
            ends = versions[index + 1].since if index + 1 < len(versions) else None
            if day_number(version.since) <= low and (ends is None or high < day_number(ends)):
                return np.asarray(version.formula(self))
        starts = np.array([day_number(v.since) for v in versions], dtype=np.int64)
        version_of_day = np.searchsorted(starts, unique_days, side="right") - 1
        used = np.unique(version_of_day)
        version_of_row = version_of_day[inverse]
        empty: Any = None if var.kind == "text" else np.nan
        result = np.full(self.n, empty, dtype=object if var.kind == "text" else np.float64)
        for index in used:
            if index < 0:
                continue
            column = np.asarray(var.versions[int(index)].formula(self))
            mask = version_of_row == index
            result[mask] = column[mask]
        return result

    # ---- periods and parameters
    def period_days(self, period: str) -> tuple[np.ndarray, np.ndarray]:
        """(unique day numbers, row → unique index) of the date at which a period's law is read."""
        cached = self._periods.get(period)
        if cached is not None:
            return cached
        if period in YEAR_END_PERIODS:
            offset = YEAR_END_PERIODS[period]
            years = np.asarray(self("tax_year"), dtype=np.float64)
            finite = years[~np.isnan(years)]
            low = int(finite.min()) if finite.size else 2000
            high = int(finite.max()) if finite.size else 2000
            offsets = np.where(np.isnan(years), high - low + 1, years - low).astype(np.intp)
            unique_days = np.array(
                [day_number(dt.date(y + offset, 12, 31)) for y in range(low, high + 1)] + [np.iinfo(np.int32).min],
                dtype=np.int64,
            )
            result = (unique_days, offsets)
            unknown = bool(np.isnan(years).any())
            self._bounds[period] = (int(unique_days[-1]) if unknown else int(unique_days[0]), int(unique_days[-2]))
            used = np.ones(unique_days.size, dtype=bool)
            used[-1] = unknown
            self._used_slots[period] = used
        else:
            days = np.asarray(self(period), dtype=np.float64)
            filled = np.where(np.isnan(days), np.iinfo(np.int32).min, days).astype(np.int64)
            unique_days, inverse = np.unique(filled, return_inverse=True)
            result = (unique_days, inverse.reshape(-1))
            self._bounds[period] = (int(unique_days[0]), int(unique_days[-1]))
            self._used_slots[period] = np.ones(unique_days.size, dtype=bool)
        self._periods[period] = result
        return result

    def _period_bounds(self, period: str) -> tuple[int, int]:
        """Earliest and latest law date of a period over all rows (unknown dates count as the earliest)."""
        self.period_days(period)
        return self._bounds[period]

    def _current_period(self) -> str:
        return REGISTRY[self._stack[-1]].period if self._stack else "tax_year_end"

    def _record_parameter(self, path: str) -> None:
        if self._stack:
            read = self.parameters_read.setdefault(self._stack[-1], [])
            if path not in read:
                read.append(path)

    def param(self, path: str, *, period: str | None = None, default: float | None = None) -> np.ndarray:
        """Per-row value of a (non-scale) parameter at each row's period date.

        NaN where no value is in force (or the measure ended), unless `default` is given.
        """
        self._record_parameter(path)
        period = period or self._current_period()
        key = (path, period, default)
        cached = self._parameter_columns.get(key)
        if cached is None:
            series = self.tree.get(path).series
            if series is None:
                raise RulesError(f"{path} is a scale; use Simulation.scale")
            per_day = series.vector(self.period_days(period)[0])
            if default is not None:
                per_day = np.where(np.isnan(per_day), default, per_day)
            cached = self._spread(per_day, period)
            self._parameter_columns[key] = cached
        return cached

    def _spread(self, per_day: np.ndarray, period: str) -> np.ndarray:
        """Per-day values → per-row column; a read-only broadcast when every row of a big table has the same value."""
        if self.n <= 256:
            return per_day[self.period_days(period)[1]]
        used = per_day[self._used_slots[period]]
        if used.size and (np.all(used == used[0]) or np.all(np.isnan(used))):
            return np.broadcast_to(used[0], (self.n,))
        return per_day[self.period_days(period)[1]]

    def param_in_list(
        self,
        path: str,
        values: np.ndarray,
        *,
        period: str | None = None,
        encode: Callable[[Any], Any] | None = None,
    ) -> np.ndarray:
        """1.0 where `values` is in the list parameter in force on the row's date, else 0.0.

        `encode` maps the list's items to the representation of `values` (e.g. division codes to numeric keys).
        """
        self._record_parameter(path)
        series = self.tree.get(path).series
        assert series is not None
        period = period or self._current_period()
        unique_days, inverse = self.period_days(period)
        entry_of_day = series.entry_indices(unique_days)
        result = np.zeros(self.n)
        for index in np.unique(entry_of_day[self._used_slots[period]]):
            items = series.entries[int(index)].value if index >= 0 else None
            if items is None:
                continue
            listed = np.isin(values, np.asarray([encode(v) for v in items] if encode else items))
            if np.all(entry_of_day[self._used_slots[period]] == index):
                return listed.astype(np.float64)
            mask = entry_of_day[inverse] == index
            result[mask] = listed[mask]
        return result

    def scale(self, path: str, x: np.ndarray, *, period: str | None = None) -> np.ndarray:
        """Apply a bracket scale row by row, each row under the brackets in force on its date."""
        self._record_parameter(path)
        parameter = self.tree.get(path)
        period = period or self._current_period()
        prepared = self._scale_rows.get((path, period))
        if prepared is None:
            prepared = self._prepare_scale(parameter, period)
            self._scale_rows[(path, period)] = prepared
        x = np.asarray(x, dtype=np.float64)
        if isinstance(prepared, tuple):
            return evaluate_uniform_scale(parameter.scale_type, x, *prepared)
        return evaluate_scale(parameter.scale_type, x, prepared)

    def _prepare_scale(
        self, parameter: Parameter, period: str
    ) -> tuple[np.ndarray, np.ndarray, str] | list[tuple[np.ndarray, np.ndarray, bool]]:
        """Scalar brackets when every row's date has the same brackets, else per-row bracket columns."""
        unique_days = self.period_days(period)[0]
        used = self._used_slots[period]
        key = unique_days[used].tobytes()
        memo = parameter.uniform_memo
        if key not in memo:
            days = unique_days[used]
            columns = [(b.threshold.vector(days), b.amount.vector(days), b.strict) for b in parameter.brackets]
            uniform = uniform_brackets(columns) if parameter.scale_type == "single_amount" else None
            if len(memo) < 256:
                memo[key] = uniform
        else:
            uniform = memo[key]
        if uniform is not None:
            return uniform
        return [
            (self._spread(b.threshold.vector(unique_days), period), self._spread(b.amount.vector(unique_days), period),
             b.strict)
            for b in parameter.brackets
        ]

    def previous_year_rows(self, wanted: np.ndarray) -> np.ndarray:
        """For each row where `wanted`: the row of the same enterprise (`uscc`) for `tax_year` − 1, else −1."""
        result = np.full(self.n, -1, dtype=np.intp)
        if self.n < 2 or not wanted.any() or self.table.get("uscc") is None:
            return result
        years = np.asarray(self("tax_year"), dtype=np.float64)
        candidates = np.flatnonzero(wanted | np.isin(years, years[wanted] - 1.0))
        uscc = np.asarray(self("uscc"))[candidates]
        known = ~is_null(uscc) & ~np.isnan(years[candidates])
        candidates, uscc = candidates[known], uscc[known]
        if candidates.size < 2:
            return result
        _, code = np.unique(uscc.astype(str), return_inverse=True)
        year = years[candidates]
        order = np.lexsort((year, code))
        follows = (code[order][1:] == code[order][:-1]) & (year[order][1:] == year[order][:-1] + 1.0)
        result[candidates[order[1:]][follows]] = candidates[order[:-1]][follows]
        result[~wanted] = -1
        return result

    # ---- provenance
    def row_day(self, name: str, row: int) -> dt.date | None:
        """The date at which `name`'s law is read for `row`."""
        period = REGISTRY[name].period
        key = (period, row)
        if key not in self._row_days:
            unique_days, inverse = self.period_days(period)
            day = int(unique_days[inverse[row]])
            self._row_days[key] = (
                None if day == np.iinfo(np.int32).min else dt.date(1970, 1, 1) + dt.timedelta(days=day)
            )
        return self._row_days[key]

    def closure(self, name: str) -> list[str]:
        """`name` and every variable it read, depth first, each once."""
        cached = self._closures.get(name)
        if cached is not None:
            return cached
        seen: dict[str, None] = {}

        def visit(current: str) -> None:
            if current in seen:
                return
            seen[current] = None
            for dep in self.dependencies.get(current, []):
                visit(dep)

        visit(name)
        self._closures[name] = list(seen)
        return self._closures[name]

    def missing_facts(self, name: str, row: int) -> list[str]:
        """The unknown input facts that made `name` unknown on `row` (empty when it is known)."""
        found: list[str] = []
        seen: set[str] = set()

        def visit(current: str) -> None:
            if current in seen:
                return
            seen.add(current)
            column = self(current)
            if not is_null(column[row : row + 1])[0]:
                return
            if REGISTRY[current].is_input:
                found.append(current)
                return
            for dep in self.dependencies.get(current, []):
                visit(dep)

        visit(name)
        return found


def evaluate(
    table: Mapping[str, Any],
    variables: Iterable[str],
    *,
    reform: Reform | None = None,
    tree: ParameterTree | None = None,
) -> dict[str, np.ndarray]:
    """Compute the requested variables over a table of columns; returns name → column."""
    simulation = Simulation(table, tree=tree, reform=reform)
    return {name: simulation(name) for name in variables}
