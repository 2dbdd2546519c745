"""Assess enterprise-years: validated facts in, result rows (and explanations) out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from techsme.rules.engine import Simulation
from techsme.rules.explain import explain_row
from techsme.rules.facts_io import ParsedFacts, RowError, parse_facts, text_frame_from_records
from techsme.rules.outputs import MISSING_FACTS_COLUMN, OUTPUTS, compute_outputs, missing_facts_column
from techsme.rules.parameter_model import ParameterTree
from techsme.rules.reforms import Reform


@dataclass
class Assessment:
    """Results of the good rows (JSON-ready columns in output order) and the errors of the bad rows."""

    parsed: ParsedFacts
    columns: dict[str, list[Any]]
    simulation: Simulation | None
    explanations: list[dict[str, Any]] | None

    @property
    def errors(self) -> list[RowError]:
        return self.parsed.errors

    @property
    def results(self) -> pl.DataFrame:
        """The result rows as a polars frame (money as text, for `write_results`)."""
        return _result_frame(self.columns, self.parsed)

    def rows(self) -> list[dict[str, Any]]:
        names = list(self.columns)
        return [dict(zip(names, values, strict=True)) for values in zip(*self.columns.values(), strict=True)]


def _result_columns(simulation: Simulation, parsed: ParsedFacts) -> dict[str, list[Any]]:
    """Output columns as JSON-ready lists (money as 2-decimal text), plus missing facts and `x_` columns."""
    columns = compute_outputs(simulation)
    data: dict[str, Any] = {o.name: o.convert(columns[o.name]) for o in OUTPUTS}
    data[MISSING_FACTS_COLUMN] = missing_facts_column(simulation).tolist()
    for name, values in parsed.passthrough.items():
        data[name] = [values[i] for i in parsed.good_rows.tolist()]
    return data


def _result_frame(data: dict[str, list[Any]], parsed: ParsedFacts) -> pl.DataFrame:
    schema = {
        o.name: {"money": pl.String, "text": pl.String, "score": pl.Int64, "year": pl.Int64, "bool": pl.Boolean,
                 "rate": pl.Float64}[o.form]
        for o in OUTPUTS
    }
    schema[MISSING_FACTS_COLUMN] = pl.String
    schema.update({name: pl.String for name in parsed.passthrough})
    return pl.DataFrame(data, schema=schema)


def assess_frame(
    frame: pl.DataFrame,
    *,
    year: int | None = None,
    explain: bool = False,
    reform: Reform | None = None,
    tree: ParameterTree | None = None,
) -> Assessment:
    """Validate and assess a frame of text cells (as returned by `read_facts`)."""
    parsed = parse_facts(frame, year=year)
    if not parsed.good_rows.size:
        empty: dict[str, list[Any]] = {name: [] for name in [*[o.name for o in OUTPUTS], MISSING_FACTS_COLUMN]}
        empty.update({name: [] for name in parsed.passthrough})
        return Assessment(parsed, empty, None, [] if explain else None)
    simulation = Simulation(parsed.table, reform=reform, tree=tree, n=int(parsed.good_rows.size))
    columns = _result_columns(simulation, parsed)
    explanations = [explain_row(simulation, i) for i in range(simulation.n)] if explain else None
    return Assessment(parsed, columns, simulation, explanations)


def assess_records(
    records: list[Mapping[str, Any]],
    *,
    year: int | None = None,
    explain: bool = False,
    reform: Reform | None = None,
) -> list[dict[str, Any]]:
    """Assess records keyed by the facts.md column names (raw strings or typed values).

    Returns one dict per record, in order: the output columns (money as text with 2 decimals, booleans, integer
    scores, None for unknown) plus `missing_facts`, plus `explanation` when asked; a bad record instead gets
    `errors` (field, message_en, message_zh) next to its echoed `uscc` and `tax_year`.
    """
    if not records:
        return []
    assessment = assess_frame(text_frame_from_records(list(records)), year=year, explain=explain, reform=reform)
    out: list[dict[str, Any]] = [{} for _ in records]
    good = assessment.parsed.good_rows.tolist()
    for position, row in enumerate(assessment.rows()):
        if explain and assessment.explanations is not None:
            row["explanation"] = assessment.explanations[position]
        out[good[position]] = row
    bad_rows: dict[int, list[dict[str, Any]]] = {}
    for error in assessment.errors:
        bad_rows.setdefault(error.row, []).append(error.as_dict())
    for row, errors in bad_rows.items():
        record = records[row]
        out[row] = {"uscc": record.get("uscc"), "tax_year": record.get("tax_year", year), "errors": errors}
    return out


def assess_columns(
    table: Mapping[str, np.ndarray], *, reform: Reform | None = None, tree: ParameterTree | None = None
) -> dict[str, np.ndarray]:
    """Full assessment of engine-ready columns (no validation, no rounding): the batch/benchmark entry point."""
    simulation = Simulation(table, reform=reform, tree=tree)
    return compute_outputs(simulation)
