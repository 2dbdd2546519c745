"""Reading, validating and writing fact/result files (CSV, XLSX, Parquet) and record lists.

Every source is first turned into a frame of text cells (None = empty), then parsed column by column with the
same rules: one validation path for files, API records and the CLI. A cell is read by ``techsme.parsing`` — the
parser of the web forms, the imports and the API too — so a value is accepted or refused alike everywhere (plain
ASCII numbers take a vectorised fast path that gives the same values). Files are read by ``techsme.spreadsheets``:
CSV text must decode in the declared encoding (an error names the first bad row; nothing is replaced) and an XLSX
is checked for zip bombs and streamed without padding.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from techsme import parsing, refdata
from techsme.cells import NEEDS_QUOTE_PATTERN, safe_cell
from techsme.rules.engine import REGISTRY, Variable
from techsme.rules.errors import InputFileError
from techsme.spreadsheets import Limits, SheetError, decode_text, iter_xlsx_rows

PASSTHROUGH_PREFIX = "x_"
IDENTITY = ("uscc", "name", "tax_year", "region_code", "industry_code", "founded_on")
# Files given to the command line are the operator's own: no size or row bounds, but zip bombs are still refused.
FILE_LIMITS = Limits(max_bytes=None, max_rows=None, max_columns=None, max_cells=None, max_uncompressed=None,
                     max_shared_strings=None, max_other_part=None, max_entries=None)

NON_NEGATIVE = {
    "employees", "tech_staff", "revenue", "total_cost_expense", "total_assets", "rd_expense", "avg_headcount",
    "avg_total_assets", "rd_core_expense", "rd_other_expense", "rd_commissioned_domestic", "rd_commissioned_foreign",
    "rd_intangible_amortization", "rd_other_expense_capped_by_project", "rd_q4_2022_expense", "ip_class1",
    "ip_class2", "rd_expense_3y", "revenue_3y", "revenue_y1", "revenue_y2", "hnte_conversions_avg_3y",
}
INTEGRAL = {"employees", "tech_staff", "ip_class1", "ip_class2", "tax_year"}
BOUNDS: dict[str, tuple[float, float]] = {
    "tax_year": (parsing.YEAR_MIN, parsing.YEAR_MAX),
    "excluded_industry_revenue_share": (0.0, 1.0),
    "hnte_tech_staff_share": (0.0, 1.0),
    "rd_in_china_share": (0.0, 1.0),
    "high_tech_revenue_share": (0.0, 1.0),
    "operating_months_q4_2022": (0.0, 3.0),
    "operating_months_2022": (0.0, 12.0),
    "hnte_ip_advancement": (0.0, 8.0),
    "hnte_ip_core_role": (0.0, 8.0),
    "hnte_ip_acquisition": (0.0, 6.0),
    "hnte_rd_management": (0.0, 20.0),
}


def enterprise_facts() -> dict[str, Variable]:
    """The input columns of an enterprise-year row, by name."""
    return {n: v for n, v in REGISTRY.items() if v.is_input and v.entity == "enterprise_year"}


@dataclass
class RowError:
    row: int
    uscc: str | None
    field: str
    message_en: str
    message_zh: str

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message_en": self.message_en, "message_zh": self.message_zh}


@dataclass
class ParsedFacts:
    """Engine-ready columns of the good rows, plus the errors of the bad ones."""

    n_rows: int
    good_rows: np.ndarray
    table: dict[str, np.ndarray]
    errors: list[RowError] = field(default_factory=list)
    passthrough: dict[str, list[Any]] = field(default_factory=dict)


# ---------------------------------------------------------------- reading sources into text frames
def _cell_text(value: Any) -> str | None:
    """A typed value as the text ``techsme.parsing`` reads back to the same value (numbers never in exponent form)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return format(Decimal(repr(value)), "f") if math.isfinite(value) else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, int | dt.date):
        return str(value) if not isinstance(value, dt.date) else value.isoformat()
    return str(value)


def text_frame_from_rows(header: list[str], rows: Iterable[Iterable[Any]]) -> pl.DataFrame:
    columns: dict[str, list[str | None]] = {name: [] for name in header}
    for row in rows:
        values = list(row)
        for i, name in enumerate(header):
            columns[name].append(_cell_text(values[i]) if i < len(values) else None)
    return pl.DataFrame(columns, schema={name: pl.String for name in header})


def text_frame_from_records(records: list[Mapping[str, Any]]) -> pl.DataFrame:
    header: list[str] = []
    for record in records:
        for key in record:
            if key not in header:
                header.append(key)
    return text_frame_from_rows(header, ([record.get(k) for k in header] for record in records))


def _as_text_frame(frame: pl.DataFrame) -> pl.DataFrame:
    casts = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Datetime:
            column = column.dt.date()
        if dtype == pl.Boolean:
            column = pl.when(column).then(pl.lit("true")).when(~column).then(pl.lit("false"))
        casts.append(column.cast(pl.String).alias(name))
    return frame.select(casts)


def read_facts(path: str | Path, *, encoding: str = "utf-8") -> pl.DataFrame:
    """Read a facts file (CSV with/without BOM in ``encoding``, XLSX first sheet, Parquet) into a frame of text cells.

    Raises `InputFileError` for an unknown extension, an unknown column (other than `x_…`), CSV bytes that do not
    decode (naming the first such row) or an XLSX refused by ``techsme.spreadsheets``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = _read_csv(path.read_bytes(), encoding)
        elif suffix == ".xlsx":
            rows = (values for _number, values in iter_xlsx_rows(path.read_bytes(), FILE_LIMITS))
            header = [str(h).strip() for h in next(rows, []) if h is not None]
            frame = text_frame_from_rows(header, (r for r in rows if any(c is not None for c in r)))
        elif suffix == ".parquet":
            frame = _as_text_frame(pl.read_parquet(path))
        else:
            raise InputFileError(f"{path}: unknown file type {suffix!r} (use .csv, .xlsx or .parquet)")
    except SheetError as error:
        raise InputFileError(f"{path}: {error.message_en}") from None
    frame = frame.rename({c: c.strip() for c in frame.columns})
    check_columns(frame.columns, str(path))
    return frame


def _read_csv(data: bytes, encoding: str) -> pl.DataFrame:
    text = decode_text(data, encoding)  # strict: raises naming the first row that does not decode
    if encoding.lower().replace("_", "-") != "utf-8":
        data = text.encode("utf-8")
    frame = pl.read_csv(io.BytesIO(data), infer_schema=False)
    return frame.rename({frame.columns[0]: frame.columns[0].lstrip("\ufeff")}) if frame.columns else frame


def check_columns(columns: Iterable[str], source: str) -> None:
    known = enterprise_facts()
    unknown = [c for c in columns if c not in known and not c.startswith(PASSTHROUGH_PREFIX)]
    if unknown:
        raise InputFileError(
            f"{source}: unknown column(s) {', '.join(unknown)} (prefix a column with 'x_' to carry it through)"
        )
    missing = [c for c in IDENTITY if c not in columns]
    if missing:
        raise InputFileError(f"{source}: missing identity column(s) {', '.join(missing)}")


# ---------------------------------------------------------------- parsing and validation
MESSAGES = {
    "required": ("required value is empty", "必填项为空"),
    "negative": ("must not be negative: {raw}", "不能为负数：{raw}"),
    "integral": ("must be a whole number: {raw}", "应为整数：{raw}"),
    "bounds": ("must be between {lo} and {hi}: {raw}", "应在{lo}至{hi}之间：{raw}"),
    "tech_staff": ("technology staff exceed employees: {raw}", "科技人员数超过职工总数：{raw}"),
    "unknown_field": ("unknown field (prefix with x_ to carry it through): {raw}",
                      "未知字段（以x_开头可原样保留）：{raw}"),
}


class _Collector:
    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.bad = np.zeros(frame.height, dtype=bool)
        self.errors: list[RowError] = []
        self.usccs = frame["uscc"].to_list() if "uscc" in frame.columns else [None] * frame.height

    def add(self, column: str, invalid: np.ndarray, kind: str, raw: pl.Series, **extra: Any) -> None:
        rows = np.flatnonzero(invalid)
        if not rows.size:
            return
        self.bad[rows] = True
        en, zh = MESSAGES[kind]
        raws = raw.gather(rows).to_list()
        for row, value in zip(rows.tolist(), raws, strict=True):
            self.errors.append(RowError(row, self.usccs[row], column, en.format(raw=value, **extra),
                                        zh.format(raw=value, **extra)))

    def add_parse_errors(self, column: str, raw: pl.Series, problems: dict[str, parsing.InputError]) -> None:
        """One error per row whose text is a key of ``problems`` (the parser's own message, in both languages)."""
        if not problems:
            return
        rows = np.flatnonzero(raw.is_in(list(problems)).fill_null(False).to_numpy())
        self.bad[rows] = True
        for row, value in zip(rows.tolist(), raw.gather(rows).to_list(), strict=True):
            problem = problems[value]
            self.errors.append(RowError(row, self.usccs[row], column, problem.message_en, problem.message_zh))


def _problems_by_unique(values: pl.Series, check: Any) -> dict[str, parsing.InputError]:
    """``check`` (raising ``InputError``) applied to each distinct non-empty value; the refused ones."""
    problems = {}
    for value in values.drop_nulls().unique().to_list():
        try:
            check(value)
        except parsing.InputError as problem:
            problems[value] = problem
    return problems


def _region(code: str) -> None:
    if not refdata.is_county_region(parsing.parse_region_code(code) or ""):
        raise parsing.InputError("region", code)


def _industry(code: str) -> None:
    if not refdata.is_valid_industry(parsing.parse_industry_code(code) or ""):
        raise parsing.InputError("industry", code)


CODE_CHECKS = {"uscc": parsing.parse_uscc, "region_code": _region, "industry_code": _industry}
_FAST_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"  # read identically by polars and by techsme.parsing
_EPOCH = dt.date(1970, 1, 1)


def _as_float(kind: str, value: str) -> float:
    """The parser's reading as a float; NaN when it reads the text as empty (Python strips more blanks than polars,
    such as the separators U+001C–U+001F, and an empty cell must be unknown here as in the web and the API)."""
    if kind == "bool":
        flag = parsing.parse_bool(value)
        return np.nan if flag is None else float(flag)
    if kind == "date":
        day = parsing.parse_date(value)
        return np.nan if day is None else float((day - _EPOCH).days)
    number = parsing.parse_decimal(value)
    return np.nan if number is None else float(number)


def _cleaned(name: str) -> pl.Expr:
    """The cell as text without surrounding blanks; empty → null."""
    return pl.col(name).str.strip_chars().replace("", None)


def _parse_column(kind: str, raw: pl.Series) -> tuple[np.ndarray, dict[str, parsing.InputError]]:
    """A cleaned text column → float64 (booleans 1/0, dates as day numbers, NaN when empty or refused) and the
    refused texts with their errors. Plain ASCII numbers are cast by polars; every other text goes through
    ``techsme.parsing`` once per distinct value."""
    if kind == "number":
        fast = raw.str.contains(_FAST_NUMBER).fill_null(False)
        column = raw.cast(pl.Float64, strict=False).fill_null(np.nan).to_numpy().astype(np.float64, copy=True)
        column[~fast.to_numpy()] = np.nan
    else:
        fast = pl.Series([False] * len(raw), dtype=pl.Boolean)
        column = np.full(len(raw), np.nan)
    problems: dict[str, parsing.InputError] = {}
    readings: dict[str, float] = {}
    for value in raw.filter(~fast & raw.is_not_null()).unique().to_list():
        try:
            readings[value] = _as_float(kind, value)
        except parsing.InputError as problem:
            problems[value] = problem
    if readings:
        mapped = raw.replace_strict(readings, default=None, return_dtype=pl.Float64).fill_null(np.nan).to_numpy()
        known = ~np.isnan(mapped)
        column[known] = mapped[known]
    return column, problems


def _check_values(name: str, column: np.ndarray, raw: pl.Series, collect: _Collector) -> None:
    with np.errstate(invalid="ignore"):
        if name in NON_NEGATIVE:
            collect.add(name, column < 0, "negative", raw)
        if name in INTEGRAL:
            collect.add(name, ~np.isnan(column) & (column != np.round(column)), "integral", raw)
        if name in BOUNDS:
            lo, hi = BOUNDS[name]
            collect.add(name, (column < lo) | (column > hi), "bounds", raw, lo=lo, hi=hi)


def parse_facts(frame: pl.DataFrame, *, year: int | None = None) -> ParsedFacts:
    """Validate a text frame; return the good rows as engine columns and one `RowError` per problem."""
    known = enterprise_facts()
    collect = _Collector(frame)
    if year is not None:
        tax_year = _cleaned("tax_year") if "tax_year" in frame.columns else pl.lit(None, dtype=pl.String)
        frame = frame.with_columns(tax_year.fill_null(str(year)).alias("tax_year"))
    facts = [c for c in frame.columns if not c.startswith(PASSTHROUGH_PREFIX)]
    text = frame.select(_cleaned(c) for c in frame.columns)
    table: dict[str, np.ndarray] = {}
    for name in facts:
        raw = text[name]
        empty = raw.is_null().to_numpy()
        if name not in known:
            collect.add(name, ~empty, "unknown_field", raw)
            continue
        if name in IDENTITY:
            collect.add(name, empty, "required", raw)
        if known[name].kind == "text":
            table[name] = raw.to_numpy()
            if name in CODE_CHECKS:
                collect.add_parse_errors(name, raw, _problems_by_unique(raw, CODE_CHECKS[name]))
            continue
        column, problems = _parse_column(known[name].kind, raw)
        collect.add_parse_errors(name, raw, problems)
        table[name] = column
        _check_values(name, column, raw, collect)
    if "tech_staff" in table and "employees" in table:
        with np.errstate(invalid="ignore"):
            over = (table["tech_staff"] > table["employees"]) & (table["employees"] >= 0)
            collect.add("tech_staff", over, "tech_staff", text["tech_staff"])
    good = np.flatnonzero(~collect.bad)
    passthrough = {c: frame[c].to_list() for c in frame.columns if c.startswith(PASSTHROUGH_PREFIX)}
    collect.errors.sort(key=lambda e: e.row)
    all_good = good.size == frame.height
    return ParsedFacts(
        n_rows=frame.height,
        good_rows=good,
        table={name: column if all_good else column[good] for name, column in table.items()},
        errors=collect.errors,
        passthrough=passthrough,
    )


# ---------------------------------------------------------------- writing
def write_results(frame: pl.DataFrame, path: str | Path) -> None:
    """Write a result frame by extension: CSV (UTF-8 with BOM, for Excel), XLSX or Parquet.

    Money columns are text with 2 decimals in the frame; Parquet stores them as Decimal(20, 2), XLSX as numbers.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("wb") as handle:
            handle.write("\ufeff".encode())
            _formula_safe(frame).write_csv(handle)
    elif suffix == ".parquet":
        frame.with_columns(
            pl.col(c).cast(pl.Decimal(20, 2)) for c in money_columns(frame.columns)
        ).write_parquet(path)
    elif suffix == ".xlsx":
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(frame.columns)
        money = set(money_columns(frame.columns))
        for row in frame.iter_rows(named=True):
            sheet.append([Decimal(v) if k in money and v is not None else safe_cell(v) for k, v in row.items()])
        workbook.save(path)
    else:
        raise InputFileError(f"{path}: unknown file type {suffix!r} (use .csv, .xlsx or .parquet)")


def _formula_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Text columns with formula-like cells quoted (see ``techsme.cells``); money columns are numbers as text."""
    money = set(money_columns(frame.columns))
    text = [c for c, dtype in frame.schema.items() if dtype == pl.String and c not in money]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(NEEDS_QUOTE_PATTERN)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text
    )


def money_columns(columns: Iterable[str]) -> list[str]:
    from techsme.rules.outputs import OUTPUTS

    money = {o.name for o in OUTPUTS if o.form == "money"}
    return [c for c in columns if c in money]
