"""Bulk import of enterprises and their annual facts from a CSV or XLSX file (columns of ``facts.md``).

One row is one enterprise in one tax year. The import is all-or-nothing: every row is checked first, and when any
row has an error nothing is written and the report lists every error (spreadsheet row, column, message). A row whose
``tax_year`` and every fact cell are empty registers or updates the enterprise only (an export of an enterprise
without facts therefore imports back).

Audit: an accepted import writes ONE event, verb ``registry.import``, on a ``core.Job`` row of kind
``registry.import`` that stands for the batch. Its changes name the file, the counts, and the USCCs of the
enterprises created and updated, with the tax years saved for each. Enterprises and facts are written with bulk
operations, so there is no event per enterprise (a 10,000-row file imports in seconds).
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core import audit
from techsme.core.errors import FieldError
from techsme.core.exports import unescape_cell, write_csv
from techsme.core.models import Job
from techsme.core.permissions import can
from techsme.registry.facts_fields import DEFAULTS, FACT_FIELDS, consistency_errors, parse_value
from techsme.registry.models import AnnualFacts, Enterprise
from techsme.registry.services import enterprise_errors, normalise_enterprise_data

IDENTITY_COLUMNS = ("uscc", "name", "tax_year", "region_code", "industry_code", "founded_on")
ENTERPRISE_COLUMNS = ("uscc", "name", "region_code", "industry_code", "founded_on")
KNOWN_COLUMNS = frozenset(IDENTITY_COLUMNS) | frozenset(FACT_FIELDS)
EXTENSIONS = {"csv", "xlsx"}
CHUNK = 500  # ids per IN (...) clause, well under SQLite's variable limit


@dataclass
class ImportReport:
    """The outcome of an import. ``rows``: data rows read (blank rows skipped); ``enterprises_updated``: existing
    enterprises the file touched (identity and/or facts); ``errors``: every problem, ``row`` being the
    spreadsheet row (header = 1) or None for the file as a whole. When ``ok`` is false nothing was written."""

    ok: bool
    rows: int = 0
    enterprises_created: int = 0
    enterprises_updated: int = 0
    facts_saved: int = 0
    errors: list[FieldError] = field(default_factory=list)

    def errors_csv(self) -> bytes:
        """The errors as a CSV download (UTF-8 with BOM; columns row, column, message; formula-escaped)."""
        rows = [{"row": e.row or "", "column": e.field, "message": str(e.message)} for e in self.errors]
        return write_csv(rows, ["row", "column", "message"])

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "enterprises_created": self.enterprises_created,
            "enterprises_updated": self.enterprises_updated,
            "facts_saved": self.facts_saved,
            "errors": [e.as_dict() for e in self.errors],
        }


class _Refused(Exception):
    def __init__(self, message: str, column: str = "file", row: int | None = None):
        super().__init__(message)
        self.error = FieldError(column, message, row)


# --- reading ----------------------------------------------------------------------------------------------------


def _read_bytes(file: Any) -> bytes:
    limit = int(settings.IMPORT_MAX_BYTES)
    too_big = _("The file is larger than the limit of %(mb)s MB.") % {"mb": _megabytes(limit)}
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise _Refused(too_big)
    if hasattr(file, "seek"):
        file.seek(0)
    if hasattr(file, "chunks"):
        parts, total = [], 0
        for chunk in file.chunks():
            total += len(chunk)
            if total > limit:
                raise _Refused(too_big)
            parts.append(chunk)
        data = b"".join(parts)
    else:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise _Refused(too_big)
    if not data.strip():
        raise _Refused(_("The file is empty."))
    return data


def _megabytes(limit: int) -> str:
    value = limit / (1024 * 1024)
    return f"{value:.0f}" if value >= 1 else f"{value:.2f}"


def _extension(filename: str) -> str:
    name = (filename or "").strip().lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


# Signatures of files that people rename to .csv by mistake (or on purpose).
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")


def _rows_csv(data: bytes) -> Iterator[list[Any]]:
    head = data.lstrip(b"\xef\xbb\xbf")[:8]
    if head.startswith(b"PK\x03\x04"):
        raise _Refused(_("This file is a workbook or an archive, not CSV text. If it is an XLSX workbook, name it "
                         "“.xlsx”."))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _Refused(_("This is an old Excel (.xls) file. Save it as XLSX or as “CSV UTF-8” and try again."))
    if head.startswith(BINARY_SIGNATURES) or b"\x00" in data[:8192]:
        raise _Refused(_("This file is not a CSV text file (it contains binary data)."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Refused(
            _("This CSV file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8” and try again.")
        ) from None
    yield from csv.reader(io.StringIO(text, newline=""))


def _rows_xlsx(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    not_xlsx = _("This file is not an XLSX workbook.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _Refused(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise _Refused(not_xlsx)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _Refused:
        raise
    except Exception:  # noqa: BLE001 — any failure to open means the workbook is damaged
        raise _Refused(_("The workbook could not be read; it may be damaged.")) from None
    try:
        if not workbook.worksheets:
            raise _Refused(_("The workbook has no sheet."))
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _cell(value: Any) -> Any:
    """A cell as text or a typed spreadsheet value; empty cells become None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = unescape_cell(value.strip())
        return value or None
    return value


# --- row checks -------------------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    enterprise: dict[str, Any]
    tax_year: int | None
    facts: dict[str, Any] | None


def _parse_year(raw: Any) -> int:
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a year.") % {"value": raw}) from None
    if not number.is_finite() or number != number.to_integral_value() or not 1900 <= number <= 2100:
        raise ValueError(_("“%(value)s” is not a year.") % {"value": raw})
    return int(number)


def _parse_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": raw}) from None


class _Checker:
    """Checks rows one by one, remembering what earlier rows said (duplicates, identity per USCC)."""

    def __init__(self, actor: Any, columns: list[str]):
        self.actor = actor
        self.fact_columns = [c for c in columns if c in FACT_FIELDS]
        self.region_allowed: dict[str, bool] = {}
        self.seen_years: dict[tuple[str, int | None], int] = {}
        self.identity: dict[str, tuple[int, dict[str, Any]]] = {}

    def check(self, number: int, raw: dict[str, Any]) -> tuple[_Row | None, list[FieldError]]:
        errors: list[FieldError] = []

        def err(column: str, message: str) -> None:
            errors.append(FieldError(column, message, number))

        enterprise = normalise_enterprise_data({k: raw.get(k) for k in ENTERPRISE_COLUMNS})
        enterprise["uscc"] = str(enterprise["uscc"] or "")
        for key in ("name", "region_code", "industry_code"):
            value = enterprise.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(int(value)) if float(value).is_integer() else str(value)
            enterprise[key] = str(value).strip() if value is not None else ""
        bad: set[str] = set()
        if raw.get("founded_on") is not None:
            try:
                enterprise["founded_on"] = _parse_date(raw["founded_on"])
            except ValueError as exc:
                err("founded_on", str(exc))
                bad.add("founded_on")
        for e in enterprise_errors(enterprise, check_clash=False):
            if e.field not in bad:
                err(e.field, e.message)

        facts: dict[str, Any] = {}
        for name in self.fact_columns:
            try:
                facts[name] = parse_value(name, raw.get(name))
            except ValueError as exc:
                err(name, str(exc))
                bad.add(name)
        tax_year: int | None = None
        if raw.get("tax_year") is None:
            if any(v is not None for v in facts.values()) or bad & set(FACT_FIELDS):
                err("tax_year", _("This field is required."))
        else:
            try:
                tax_year = _parse_year(raw["tax_year"])
            except ValueError as exc:
                err("tax_year", str(exc))
        if tax_year is not None:
            for name in FACT_FIELDS:
                if facts.get(name) is None and name in DEFAULTS:
                    facts[name] = DEFAULTS[name]
                facts.setdefault(name, None)
            founded = enterprise.get("founded_on") if isinstance(enterprise.get("founded_on"), date) else None
            for e in consistency_errors(facts, tax_year=tax_year, founded_on=founded):
                if e.field not in bad:
                    err(e.field, e.message)

        region = enterprise.get("region_code") or ""
        if region and not any(e.field == "region_code" for e in errors):
            if region not in self.region_allowed:
                self.region_allowed[region] = can(self.actor, "enterprise.create", Enterprise(region_code=region))
            if not self.region_allowed[region]:
                err("region_code", _("You may not import enterprises of region %(code)s: it is outside your "
                                     "region.") % {"code": region})

        uscc = enterprise["uscc"]
        if uscc and not any(e.field in ("uscc", "tax_year") for e in errors):
            key = (uscc, tax_year)
            if key in self.seen_years:
                err("tax_year", _("Row %(row)d already has this USCC and tax year.") % {"row": self.seen_years[key]})
            else:
                self.seen_years[key] = number
            identity = {k: enterprise.get(k) for k in ENTERPRISE_COLUMNS}
            if uscc in self.identity:
                first_row, first = self.identity[uscc]
                for key_name in ("name", "region_code", "industry_code", "founded_on"):
                    if identity[key_name] != first[key_name]:
                        err(key_name, _("This enterprise has a different %(column)s in row %(row)d; one enterprise "
                                        "must have the same name, region, industry and founding date in every row.")
                            % {"column": key_name, "row": first_row})
            else:
                self.identity[uscc] = (number, identity)
        if errors:
            return None, errors
        return _Row(number, enterprise, tax_year, facts if tax_year is not None else None), []


# --- the verb ---------------------------------------------------------------------------------------------------


def _header(raw_header: list[Any]) -> list[str]:
    header = [str(h).strip().lower() if h is not None else "" for h in raw_header]
    while header and header[-1] == "":
        header.pop()
    if not any(header):
        raise _Refused(_("The first row must be a header with the column names."), "file", 1)
    errors = []
    seen: set[str] = set()
    for index, name in enumerate(header, start=1):
        if not name:
            errors.append(FieldError("file", _("Column %(n)d has no name in the header row.") % {"n": index}, 1))
        elif name in seen:
            errors.append(FieldError(name, _("The column %(column)s appears twice.") % {"column": name}, 1))
        elif name not in KNOWN_COLUMNS and not name.startswith("x_"):
            errors.append(FieldError(name, _("Unknown column %(column)s (check its spelling; columns of your own "
                                             "must start with x_).") % {"column": name}, 1))
        seen.add(name)
    for name in IDENTITY_COLUMNS:
        if name not in seen:
            errors.append(FieldError(name, _("The required column %(column)s is missing.") % {"column": name}, 1))
    if errors:
        raise _HeaderErrors(errors)
    return header


class _HeaderErrors(Exception):
    def __init__(self, errors: list[FieldError]):
        super().__init__("header")
        self.errors = errors


def do_import_registry(*, actor: Any, file: BinaryIO | Any, filename: str) -> ImportReport:
    """Check every row of ``file``; when all are valid, write them all in one transaction (see module docstring)."""
    if not can(actor, "registry.import"):
        return ImportReport(ok=False, errors=[FieldError("file", _("You may not import enterprise data."))])
    try:
        extension = _extension(filename)
        if extension not in EXTENSIONS:
            raise _Refused(_("Only CSV and XLSX files can be imported (this file is “%(name)s”).") % {"name": filename})
        data = _read_bytes(file)
        reader = _rows_xlsx(data) if extension == "xlsx" else _rows_csv(data)
        first = next(reader, None)
        if first is None:
            raise _Refused(_("The file is empty."))
        header = _header(first)
        checker = _Checker(actor, header)
        rows: list[_Row] = []
        errors: list[FieldError] = []
        for number, values in enumerate(reader, start=2):
            cells = [_cell(v) for v in values]
            if all(v is None for v in cells):
                continue
            if len(cells) > len(header) and any(v is not None for v in cells[len(header):]):
                errors.append(FieldError("file", _("This row has more cells than the header has columns."), number))
                continue
            raw = {name: cells[i] if i < len(cells) else None for i, name in enumerate(header) if name}
            row, row_errors = checker.check(number, raw)
            errors.extend(row_errors)
            if row is not None:
                rows.append(row)
    except _Refused as refused:
        return ImportReport(ok=False, errors=[refused.error])
    except _HeaderErrors as bad_header:
        return ImportReport(ok=False, errors=bad_header.errors)
    except csv.Error as exc:
        return ImportReport(ok=False, errors=[FieldError("file", _("The CSV file is malformed: %(error)s")
                                                          % {"error": exc})])
    total = len(rows) + len({e.row for e in errors if e.row})
    if not rows and not errors:
        return ImportReport(ok=False, errors=[FieldError("file", _("The file has a header but no data rows."))])

    existing = _existing(rows)
    for row in rows:
        found = existing.get(row.enterprise["uscc"])
        if found is not None and not (can(actor, "enterprise.create", found)):
            errors.append(FieldError("uscc", _("This USCC belongs to an enterprise outside your region; it cannot be "
                                               "imported by you."), row.number))
    if errors:
        errors.sort(key=lambda e: (e.row or 0))
        return ImportReport(ok=False, rows=total, errors=errors)
    try:
        return _write(actor, filename, rows, existing)
    except (_Changed, IntegrityError):
        message = _("The registry changed while this file was being imported, so nothing was imported. Try again.")
        return ImportReport(ok=False, rows=total, errors=[FieldError("file", message)])


class _Changed(Exception):
    """Another writer registered one of the file's enterprises between the checks and the write."""


def _existing(rows: list[_Row]) -> dict[str, Enterprise]:
    usccs = sorted({r.enterprise["uscc"] for r in rows})
    found: dict[str, Enterprise] = {}
    for start in range(0, len(usccs), CHUNK):
        for enterprise in Enterprise.objects.filter(uscc__in=usccs[start : start + CHUNK]):
            found[enterprise.uscc] = enterprise
    return found


def _write(actor: Any, filename: str, rows: list[_Row], existing: dict[str, Enterprise]) -> ImportReport:
    identity: dict[str, dict[str, Any]] = {}
    years: dict[str, list[int]] = {}
    for row in rows:
        identity.setdefault(row.enterprise["uscc"], row.enterprise)
        if row.tax_year is not None:
            years.setdefault(row.enterprise["uscc"], []).append(row.tax_year)
    now = timezone.now()
    with transaction.atomic():
        locked = _existing(rows)
        if locked.keys() != existing.keys():
            raise _Changed
        new = [Enterprise(**{k: identity[u][k] for k in ENTERPRISE_COLUMNS}) for u in identity if u not in locked]
        Enterprise.objects.bulk_create(new, batch_size=CHUNK)
        changed = []
        for uscc, enterprise in locked.items():
            values = identity[uscc]
            if any(getattr(enterprise, k) != values[k] for k in ENTERPRISE_COLUMNS):
                for k in ENTERPRISE_COLUMNS:
                    setattr(enterprise, k, values[k])
                enterprise.updated_at = now
                changed.append(enterprise)
        Enterprise.objects.bulk_update(changed, [*ENTERPRISE_COLUMNS[1:], "updated_at"], batch_size=CHUNK)
        ids = {e.uscc: e.pk for e in [*new, *locked.values()]}
        if any(pk is None for pk in ids.values()):  # backends without RETURNING on bulk insert
            ids = {u: e.pk for u, e in _existing(rows).items()}
        facts = [
            AnnualFacts(enterprise_id=ids[row.enterprise["uscc"]], tax_year=row.tax_year, **row.facts)
            for row in rows
            if row.tax_year is not None and row.facts is not None
        ]
        AnnualFacts.objects.bulk_create(
            facts, batch_size=CHUNK, update_conflicts=True, unique_fields=["enterprise", "tax_year"],
            update_fields=[*FACT_FIELDS, "updated_at"],
        )
        job = Job.objects.create(
            kind="registry.import", owner=actor, status=Job.Status.DONE, progress=100, finished_at=now,
            message=filename[:300], params={"filename": filename},
            result={"rows": len(rows), "created": len(new), "updated": len(locked), "facts": len(facts)},
        )
        regions = sorted({v["region_code"] for v in identity.values()})
        audit.record(
            actor=actor, verb="registry.import", obj=job, region_code=_common_prefix(regions),
            changes={
                "filename": filename, "rows": len(rows), "facts_saved": len(facts),
                "created": {e.uscc: sorted(years.get(e.uscc, [])) for e in new},
                "updated": {u: sorted(years.get(u, [])) for u in locked},
            },
        )
    return ImportReport(ok=True, rows=len(rows), enterprises_created=len(new), enterprises_updated=len(locked),
                        facts_saved=len(facts))


def _common_prefix(codes: list[str]) -> str:
    """The region code the whole batch falls under, padded to six digits ("" when it spans provinces)."""
    if not codes:
        return ""
    prefix = codes[0]
    for code in codes[1:]:
        while not code.startswith(prefix):
            prefix = prefix[:-1]
    if len(prefix) >= 6:
        return prefix[:6]
    for length in (4, 2):
        if len(prefix) >= length:
            return prefix[:length].ljust(6, "0")
    return ""
