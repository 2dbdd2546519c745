"""Command-line entry points (no Django): `techsme assess` and `techsme reform`."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import polars as pl

from techsme.rules.allocator import tune_allocator
from techsme.rules.errors import RulesError
from techsme.rules.facts_io import RowError, read_facts, write_results
from techsme.rules.money import money_text

CHUNK_ROWS = 100_000
EXIT_OK, EXIT_FAILURE, EXIT_BAD_ROWS = 0, 1, 2
ERROR_PREVIEW = 20


class ProgressBar:
    """A plain-text progress bar on stderr (only drawn for inputs larger than one chunk)."""

    def __init__(self, total: int, stream: TextIO, enabled: bool) -> None:
        self.total, self.stream, self.enabled = total, stream, enabled

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / max(self.total, 1))
        self.stream.write(f"\rassessing [{'#' * filled}{'.' * (width - filled)}] {done:,}/{self.total:,}")
        self.stream.flush()
        if done >= self.total:
            self.stream.write("\n")


def _write_errors(errors: list[RowError], path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "uscc", "field", "message_en", "message_zh"])
        for error in errors:
            writer.writerow([error.row + 1, error.uscc or "", error.field, error.message_en, error.message_zh])


def _report_errors(errors: list[RowError], path: Path, stream: TextIO) -> None:
    rows = len({e.row for e in errors})
    stream.write(f"{rows} bad row(s), {len(errors)} problem(s); report: {path}\n")
    for error in errors[:ERROR_PREVIEW]:
        stream.write(f"  row {error.row + 1} ({error.uscc or '?'}) {error.field}: {error.message_en}\n")
    if len(errors) > ERROR_PREVIEW:
        stream.write(f"  … {len(errors) - ERROR_PREVIEW} more in the report\n")


def assess_main(argv: list[str], *, stderr: TextIO | None = None) -> int:
    """`techsme assess INPUT -o OUTPUT [--year Y] [--explain]`; exit 0, 2 when any row was bad, 1 on failure."""
    from techsme.rules.assessment import assess_frame

    stderr = stderr or sys.stderr
    parser = argparse.ArgumentParser(prog="techsme assess", description="Assess enterprise-years from a file.")
    parser.add_argument("input", type=Path, help="facts file (.csv, .xlsx or .parquet)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="results file (.csv, .xlsx or .parquet)")
    parser.add_argument("--year", type=int, help="tax year for rows whose tax_year is empty")
    parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "gb18030"],
                        help="text encoding of a CSV input (default utf-8; bytes that do not decode are an error)")
    parser.add_argument("--explain", action="store_true",
                        help="also write explanations to OUTPUT.explanations.jsonl (one JSON object per result row)")
    args = parser.parse_args(argv)
    tune_allocator()
    try:
        frame = read_facts(args.input, encoding=args.encoding)
    except (RulesError, OSError, pl.exceptions.PolarsError) as exc:
        stderr.write(f"error: {exc}\n")
        return EXIT_FAILURE
    progress = ProgressBar(frame.height, stderr, enabled=frame.height > CHUNK_ROWS)
    results: list[pl.DataFrame] = []
    errors: list[RowError] = []
    explanation_path = args.output.with_name(args.output.name + ".explanations.jsonl")
    explanations = explanation_path.open("w", encoding="utf-8") if args.explain else None
    try:
        for offset in range(0, max(frame.height, 1), CHUNK_ROWS):
            chunk = frame.slice(offset, CHUNK_ROWS)
            assessment = assess_frame(chunk, year=args.year, explain=args.explain)
            for error in assessment.errors:
                error.row += offset
                errors.append(error)
            results.append(assessment.results)
            if explanations is not None and assessment.explanations is not None:
                for item in assessment.explanations:
                    explanations.write(json.dumps(item, ensure_ascii=False) + "\n")
            progress.update(min(offset + CHUNK_ROWS, frame.height))
    finally:
        if explanations is not None:
            explanations.close()
    output = pl.concat(results, how="vertical_relaxed") if results else pl.DataFrame()
    try:
        write_results(output, args.output)
    except (RulesError, OSError) as exc:
        stderr.write(f"error: {exc}\n")
        return EXIT_FAILURE
    error_path = args.output.with_name(args.output.name + ".errors.csv")
    if errors:
        _write_errors(errors, error_path)
        _report_errors(errors, error_path, stderr)
        return EXIT_BAD_ROWS
    return EXIT_OK


def _parse_setting(text: str) -> tuple[str, float | None]:
    path, sep, value = text.partition("=")
    if not sep or not path:
        raise RulesError(f"--set expects PATH=VALUE, got {text!r}")
    if value.strip().lower() in ("null", "none", ""):
        return path.strip(), None
    try:
        return path.strip(), float(value)
    except ValueError:
        raise RulesError(f"--set {path}: {value!r} is not a number") from None


def reform_totals(baseline: dict[str, np.ndarray], reformed: dict[str, np.ndarray]) -> dict[str, Any]:
    """Totals of a baseline and a reform over the same rows (money as 2-decimal text)."""

    def totals(columns: dict[str, np.ndarray]) -> dict[str, Any]:
        return {
            "rd_extra_deduction": money_text(float(np.nansum(columns["rd_extra_deduction"]))),
            "eit_payable": money_text(float(np.nansum(columns["eit_payable"]))),
            "eit_saving": money_text(float(np.nansum(columns["eit_saving"]))),
            "techsme_eligible": int(np.sum(columns["techsme_eligible"] == 1.0)),
        }

    change = reformed["eit_payable"] - baseline["eit_payable"]
    return {
        "baseline": totals(baseline),
        "reform": totals(reformed),
        "winners": int(np.sum(change < -0.005)),
        "losers": int(np.sum(change > 0.005)),
        "rows": int(len(change)),
    }


def reform_main(argv: list[str], *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """`techsme reform --set PATH=VALUE [--set ...] --from DATE INPUT`: baseline vs reform totals."""
    from techsme.rules.assessment import assess_columns
    from techsme.rules.facts_io import parse_facts

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    parser = argparse.ArgumentParser(prog="techsme reform", description="Compare a parameter reform with the law.")
    parser.add_argument("input", type=Path)
    parser.add_argument("--set", dest="settings", action="append", required=True, metavar="PATH=VALUE",
                        help="parameter value from --from on (bracket values as path[i].amount); null ends a measure")
    parser.add_argument("--from", dest="start", required=True, type=dt.date.fromisoformat, help="effective date")
    parser.add_argument("--year", type=int, help="tax year for rows whose tax_year is empty")
    parser.add_argument("--json", action="store_true", help="print the totals as JSON")
    args = parser.parse_args(argv)
    tune_allocator()
    try:
        reform: dict[str, dict[dt.date, float | None]] = {}
        for setting in args.settings:
            path, value = _parse_setting(setting)
            reform.setdefault(path, {})[args.start] = value
        parsed = parse_facts(read_facts(args.input), year=args.year)
        baseline = assess_columns(parsed.table)
        reformed = assess_columns(parsed.table, reform=reform)
    except (RulesError, OSError, pl.exceptions.PolarsError) as exc:
        stderr.write(f"error: {exc}\n")
        return EXIT_FAILURE
    summary = reform_totals(baseline, reformed)
    summary["bad_rows"] = len({e.row for e in parsed.errors})
    if args.json:
        stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    else:
        labels = [("rd_extra_deduction", "total extra deduction"), ("eit_payable", "total EIT payable"),
                  ("eit_saving", "total EIT saving"), ("techsme_eligible", "count tech-SME eligible")]
        stdout.write(f"{'':28}{'baseline':>22}{'reform':>22}\n")
        for key, label in labels:
            stdout.write(f"{label:28}{summary['baseline'][key]!s:>22}{summary['reform'][key]!s:>22}\n")
        stdout.write(f"winners (pay less EIT): {summary['winners']}; losers (pay more): {summary['losers']}; "
                     f"rows: {summary['rows']}; bad rows skipped: {summary['bad_rows']}\n")
    return EXIT_OK
