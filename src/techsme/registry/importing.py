"""Bulk import of enterprises and their annual facts from a CSV or XLSX file (columns of ``facts.md``).

One row is one enterprise in one tax year. The import is all-or-nothing: every row is checked first, and when any
row has an error nothing is written and the report lists the errors (spreadsheet row, column, message) — the first
``IMPORT_MAX_ERRORS`` of them and how many there were in all. A row whose ``tax_year`` and every fact cell are empty
registers or updates the enterprise only (an export of an enterprise without facts therefore imports back).

Bounded: the file is read inside the upload limits of ``core.uploads`` (bytes, rows, columns, cells, compression
ratio, checked by ``techsme.spreadsheets`` before the cells are parsed, then streamed); every cell is read by
``techsme.parsing``, the parser the API and ``techsme assess`` use too. ``start_registry_import`` runs a small file
(up to ``IMPORT_INLINE_MAX_BYTES``) in the request and a larger one as a background job (``core.jobs``, kind
``registry.import``) whose progress the import page shows; the job writes the same report.

Audit: every enterprise created or changed gets its own event (verb ``registry.import_enterprise``) and every tax
year of facts created or changed its own event (``registry.import_facts``), each with the per-field before and
after values (``core.audit.diff``); a year imported again unchanged writes none. One more event on the ``core.Job``
that stands for the batch (verb ``registry.import``) names the file and the counts.
"""

import csv
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme import parsing
from techsme.core import audit
from techsme.core.errors import FieldError
from techsme.core.exports import unescape_cell, write_csv
from techsme.core.jobs import register_job, start_job
from techsme.core.models import Job
from techsme.core.permissions import can
from techsme.core.uploads import read_upload, spreadsheet_limits
from techsme.core.values import field_error, message
from techsme.registry.facts_fields import DEFAULTS, FACT_FIELDS, consistency_errors, parse_value
from techsme.registry.models import AnnualFacts, Enterprise
from techsme.registry.services import enterprise_errors
from techsme.spreadsheets import SheetError, iter_rows

IDENTITY_COLUMNS = ("uscc", "name", "tax_year", "region_code", "industry_code", "founded_on")
ENTERPRISE_COLUMNS = ("uscc", "name", "region_code", "industry_code", "founded_on")
KNOWN_COLUMNS = frozenset(IDENTITY_COLUMNS) | frozenset(FACT_FIELDS)
EXTENSIONS = {"csv", "xlsx"}
CHUNK = 500  # ids per IN (...) clause, well under SQLite's variable limit
JOB_KIND = "registry.import"
UPLOAD_DIR = "imports"  # under MEDIA_ROOT, never served; a job's file is deleted when the job ends
Progress = Callable[[float, str], None]


def max_errors() -> int:
    return int(getattr(settings, "IMPORT_MAX_ERRORS", 1000))


@dataclass
class ImportReport:
    """The outcome of an import. ``rows``: data rows read (blank rows skipped); ``enterprises_updated``: existing
    enterprises the file touched (identity and/or facts); ``errors``: the first ``IMPORT_MAX_ERRORS`` problems,
    ``row`` being the spreadsheet row (header = 1) or None for the file as a whole; ``error_count``: all of them.
    When ``ok`` is false nothing was written. ``job``: the background job running the import (``ok`` is then None
    until it ends)."""

    ok: bool | None
    rows: int = 0
    enterprises_created: int = 0
    enterprises_updated: int = 0
    facts_saved: int = 0
    errors: list[FieldError] = field(default_factory=list)
    error_count: int = 0
    job: Job | None = None

    def __post_init__(self) -> None:
        self.error_count = max(self.error_count, len(self.errors))

    @property
    def more_errors(self) -> int:
        return self.error_count - len(self.errors)

    def errors_csv(self) -> bytes:
        """The errors as a CSV download (UTF-8 with BOM; columns row, column, message; formula-escaped)."""
        return errors_csv(self.errors, self.error_count)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "enterprises_created": self.enterprises_created,
            "enterprises_updated": self.enterprises_updated,
            "facts_saved": self.facts_saved,
            "errors": [e.as_dict() for e in self.errors],
            "error_count": self.error_count,
            "job": self.job.pk if self.job else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ImportReport":
        """The report a background job stored as its result."""
        errors = [FieldError(e["field"], e["message"], e.get("row")) for e in data.get("errors", [])]
        return cls(ok=data.get("ok"), rows=data.get("rows", 0), enterprises_created=data.get("enterprises_created", 0),
                   enterprises_updated=data.get("enterprises_updated", 0), facts_saved=data.get("facts_saved", 0),
                   errors=errors, error_count=data.get("error_count", len(errors)))


def errors_csv(errors: list[FieldError], total: int) -> bytes:
    rows = [{"row": e.row or "", "column": e.field, "message": str(e.message)} for e in errors]
    if total > len(errors):
        rows.append({"row": "", "column": "", "message": _("…and %(n)d more errors not listed.")
                     % {"n": total - len(errors)}})
    return write_csv(rows, ["row", "column", "message"])


class _Errors:
    """The first ``cap`` errors and the count of all of them."""

    def __init__(self, cap: int) -> None:
        self.cap, self.count = cap, 0
        self.kept: list[FieldError] = []
        self.bad_rows: set[int] = set()

    def add(self, error: FieldError) -> None:
        self.count += 1
        if error.row is not None:
            self.bad_rows.add(error.row)
        if len(self.kept) < self.cap:
            self.kept.append(error)

    def extend(self, errors: list[FieldError]) -> None:
        for error in errors:
            self.add(error)

    def report(self, rows: int = 0) -> ImportReport:
        return ImportReport(ok=False, rows=rows, errors=sorted(self.kept, key=lambda e: e.row or 0),
                            error_count=self.count)


class ImportRefused(Exception):
    """The file as a whole cannot be imported (``error`` says why)."""

    def __init__(self, error: FieldError):
        super().__init__(error.message)
        self.error = error


# --- reading ----------------------------------------------------------------------------------------------------


def extension(filename: str) -> str:
    name = (filename or "").strip().lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def read_file(file: Any, filename: str) -> bytes:
    """The bytes of an uploaded import file (CSV or XLSX, within the byte limit), or ``ImportRefused``."""
    if extension(filename) not in EXTENSIONS:
        raise ImportRefused(FieldError("file", _("Only CSV and XLSX files can be imported (this file is “%(name)s”).")
                                       % {"name": filename}))
    try:
        return read_upload(file, spreadsheet_limits())
    except SheetError as error:
        raise ImportRefused(field_error("file", error)) from None


def file_rows(data: bytes, filename: str, encoding: str = "utf-8") -> Iterator[tuple[int, list[Any]]]:
    """``(spreadsheet row, cells)`` of every non-blank row, header first; cells are text or typed values, None for
    empty. Raises ``SheetError`` (a limit, an undecodable row, a damaged file) while iterating."""
    for number, values in iter_rows(data, extension(filename), spreadsheet_limits(), encoding):
        cells = [cell(v) for v in values]
        if any(v is not None for v in cells):
            yield number, cells


def cell(value: Any) -> Any:
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


def _code_text(value: Any) -> str:
    return parsing.compact_code(value) if value is not None else ""


class _Checker:
    """Checks rows one by one, remembering what earlier rows said (duplicates, identity per USCC)."""

    def __init__(self, actor: Any, columns: list[str]):
        self.actor = actor
        self.fact_columns = [c for c in columns if c in FACT_FIELDS]
        self.region_allowed: dict[str, bool] = {}
        self.seen_years: dict[tuple[str, int | None], int] = {}
        self.identity: dict[str, tuple[int, dict[str, Any]]] = {}

    def _enterprise(self, raw: dict[str, Any], err: Callable[[str, str], None], bad: set[str]) -> dict[str, Any]:
        name = raw.get("name")
        enterprise: dict[str, Any] = {"name": parsing.compact_code(name) if isinstance(name, int | float) else
                                      str(name or "").strip()}
        for key in ("uscc", "region_code", "industry_code"):
            enterprise[key] = _code_text(raw.get(key))
        enterprise["founded_on"] = None
        try:
            enterprise["founded_on"] = parsing.parse_date(raw.get("founded_on"))
        except parsing.InputError as error:
            err("founded_on", message(error))
            bad.add("founded_on")
        for e in enterprise_errors(enterprise, check_clash=False):
            if e.field not in bad:
                err(e.field, e.message)
        return enterprise

    def check(self, number: int, raw: dict[str, Any]) -> tuple[_Row | None, list[FieldError]]:
        errors: list[FieldError] = []

        def err(column: str, text: str) -> None:
            errors.append(FieldError(column, text, number))

        bad: set[str] = set()
        enterprise = self._enterprise(raw, err, bad)
        facts: dict[str, Any] = {}
        for name in self.fact_columns:
            try:
                facts[name] = parse_value(name, raw.get(name))
            except ValueError as exc:
                err(name, str(exc))
                bad.add(name)
        tax_year: int | None = None
        try:
            tax_year = parsing.parse_year(raw.get("tax_year"))
        except parsing.InputError as error:
            err("tax_year", message(error))
            bad.add("tax_year")
        if tax_year is None and "tax_year" not in bad:
            if any(v is not None for v in facts.values()) or bad & set(FACT_FIELDS):
                err("tax_year", _("This field is required."))
        if tax_year is not None:
            for name in FACT_FIELDS:
                if facts.get(name) is None and name in DEFAULTS:
                    facts[name] = DEFAULTS[name]
                facts.setdefault(name, None)
            founded = enterprise.get("founded_on") if isinstance(enterprise.get("founded_on"), date) else None
            for e in consistency_errors(facts, tax_year=tax_year, founded_on=founded):
                if e.field not in bad:
                    err(e.field, e.message)
        self._check_region(enterprise, errors, err)
        self._check_repeats(number, enterprise, tax_year, errors, err)
        if errors:
            return None, errors
        return _Row(number, enterprise, tax_year, facts if tax_year is not None else None), []

    def _check_region(self, enterprise: dict[str, Any], errors: list[FieldError],
                      err: Callable[[str, str], None]) -> None:
        region = enterprise.get("region_code") or ""
        if region and not any(e.field == "region_code" for e in errors):
            if region not in self.region_allowed:
                self.region_allowed[region] = can(self.actor, "enterprise.create", Enterprise(region_code=region))
            if not self.region_allowed[region]:
                err("region_code", _("You may not import enterprises of region %(code)s: it is outside your "
                                     "region.") % {"code": region})

    def _check_repeats(self, number: int, enterprise: dict[str, Any], tax_year: int | None,
                       errors: list[FieldError], err: Callable[[str, str], None]) -> None:
        uscc = enterprise["uscc"]
        if not uscc or any(e.field in ("uscc", "tax_year") for e in errors):
            return
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


def _header(raw_header: list[Any]) -> list[str]:
    header = [str(h).strip().lower() if h is not None else "" for h in raw_header]
    while header and header[-1] == "":
        header.pop()
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


def _estimated_rows(data: bytes, filename: str) -> int:
    return max(1, data.count(b"\n")) if extension(filename) == "csv" else 0


def _check_rows(actor: Any, data: bytes, filename: str, encoding: str, found: _Errors,
                progress: Progress | None) -> list[_Row]:
    """Every row checked; the good ones returned, the errors added to ``found``. Raises for a refused file."""
    reader = file_rows(data, filename, encoding)
    first = next(reader, None)
    if first is None:
        raise ImportRefused(FieldError("file", _("The file is empty.")))
    header_row, raw_header = first
    if header_row != 1:
        raise ImportRefused(FieldError("file", _("The first row must be a header with the column names."), 1))
    header = _header(raw_header)
    checker = _Checker(actor, header)
    rows: list[_Row] = []
    estimate = _estimated_rows(data, filename)
    for count, (number, cells) in enumerate(reader, start=1):
        if len(cells) > len(header) and any(v is not None for v in cells[len(header):]):
            found.add(FieldError("file", _("This row has more cells than the header has columns."), number))
            continue
        raw = {name: cells[i] if i < len(cells) else None for i, name in enumerate(header) if name}
        row, row_errors = checker.check(number, raw)
        found.extend(row_errors)
        if row is not None:
            rows.append(row)
        if progress is not None and count % 1000 == 0:
            share = min(count / estimate, 1) if estimate else 0.5
            progress(60 * share, _("%(n)d rows checked.") % {"n": count})
    return rows


# --- the verbs --------------------------------------------------------------------------------------------------


def do_import_registry(*, actor: Any, file: BinaryIO | Any, filename: str, encoding: str = "utf-8",
                       job: Job | None = None, progress: Progress | None = None) -> ImportReport:
    """Check every row of ``file``; when all are valid, write them all in one transaction (see module docstring)."""
    if not can(actor, "registry.import"):
        return ImportReport(ok=False, errors=[FieldError("file", _("You may not import enterprise data."))])
    found = _Errors(max_errors())
    try:
        data = file if isinstance(file, bytes) else read_file(file, filename)
        rows = _check_rows(actor, data, filename, encoding, found, progress)
    except ImportRefused as refused:
        return ImportReport(ok=False, errors=[refused.error])
    except SheetError as error:  # a limit or an undecodable row: said first, before the rows checked until then
        report = found.report()
        report.errors = [field_error("file", error), *report.errors[: max(found.cap - 1, 0)]]
        report.error_count += 1
        return report
    except _HeaderErrors as bad_header:
        return ImportReport(ok=False, errors=bad_header.errors)
    except csv.Error as exc:
        return ImportReport(ok=False, errors=[FieldError("file", _("The CSV file is malformed: %(error)s")
                                                          % {"error": exc})])
    total = len(rows) + len(found.bad_rows)
    if not rows and not found.count:
        return ImportReport(ok=False, errors=[FieldError("file", _("The file has a header but no data rows."))])
    existing = _existing(rows)
    for row in rows:
        enterprise = existing.get(row.enterprise["uscc"])
        if enterprise is not None and not can(actor, "registry.import.update", enterprise):
            # an enterprise already registered is changed only by itself and the agency administrator of its region
            found.add(FieldError("uscc", _("This USCC belongs to an enterprise already registered; only the "
                                           "administrator of its agency may import its data."), row.number))
    if found.count:
        return found.report(rows=total)
    try:
        return _Writer(actor, filename, job, progress).write(rows, existing)
    except (_Changed, IntegrityError):
        text = _("The registry changed while this file was being imported, so nothing was imported. Try again.")
        return ImportReport(ok=False, rows=len(rows), errors=[FieldError("file", text)])


def start_registry_import(*, actor: Any, file: Any, filename: str, encoding: str = "utf-8") -> ImportReport:
    """Import a small file now, or start a background job for a larger one (``report.job``, ``ok`` None)."""
    if not can(actor, "registry.import"):
        return ImportReport(ok=False, errors=[FieldError("file", _("You may not import enterprise data."))])
    try:
        data = read_file(file, filename)
    except ImportRefused as refused:
        return ImportReport(ok=False, errors=[refused.error])
    if len(data) <= int(getattr(settings, "IMPORT_INLINE_MAX_BYTES", 512 * 1024)):
        return do_import_registry(actor=actor, file=data, filename=filename, encoding=encoding)
    stored = default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}.{extension(filename)}", ContentFile(data))
    job = start_job(actor=actor, kind=JOB_KIND,
                    params={"path": stored, "filename": filename[:200], "encoding": encoding, "bytes": len(data)})
    return ImportReport(ok=None, job=job)


@register_job(JOB_KIND)
def run_import_job(job: Job, report_progress: Any) -> dict[str, Any]:
    """The background import: the same verb, with progress; the stored file is deleted whatever happens."""
    path = job.params["path"]
    try:
        with default_storage.open(path, "rb") as handle:
            data = handle.read()
        report_progress(1, _("Checking the rows."))
        report = do_import_registry(actor=job.owner, file=data, filename=job.params.get("filename", ""),
                                    encoding=job.params.get("encoding", "utf-8"), job=job, progress=report_progress)
    finally:
        default_storage.delete(path)
    report_progress(100, _("Import complete.") if report.ok else _("Nothing was imported: the file has errors."))
    return report.as_dict()


class _Changed(Exception):
    """Another writer registered one of the file's enterprises between the checks and the write."""


def _existing(rows: list[_Row], *, lock: bool = False) -> dict[str, Enterprise]:
    usccs = sorted({r.enterprise["uscc"] for r in rows})
    found: dict[str, Enterprise] = {}
    for start in range(0, len(usccs), CHUNK):
        query = Enterprise.objects.filter(uscc__in=usccs[start : start + CHUNK]).order_by("uscc")
        for enterprise in query.select_for_update() if lock else query:
            found[enterprise.uscc] = enterprise
    return found


def _facts_before(ids: list[int], years: list[int]) -> dict[tuple[int, int], dict[str, Any]]:
    before: dict[tuple[int, int], dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        values = AnnualFacts.objects.filter(enterprise_id__in=ids[start : start + CHUNK], tax_year__in=years)
        for row in values.values("enterprise_id", "tax_year", *FACT_FIELDS):
            before[(row.pop("enterprise_id"), row.pop("tax_year"))] = row
    return before


def _facts_objects(ids: list[int], years: list[int]) -> dict[tuple[int, int], AnnualFacts]:
    out: dict[tuple[int, int], AnnualFacts] = {}
    for start in range(0, len(ids), CHUNK):
        query = AnnualFacts.objects.filter(enterprise_id__in=ids[start : start + CHUNK], tax_year__in=years)
        for facts in query.select_related("enterprise").only("pk", "tax_year", "enterprise"):
            out[(facts.enterprise_id, facts.tax_year)] = facts
    return out


class _Writer:
    """Writes checked rows in one transaction, one audit event per changed enterprise and tax year."""

    def __init__(self, actor: Any, filename: str, job: Job | None, progress: Progress | None) -> None:
        self.actor, self.filename, self.job, self.progress = actor, filename, job, progress

    def _say(self, percent: float, text: str) -> None:
        if self.progress is not None:
            self.progress(percent, text)

    def write(self, rows: list[_Row], existing: dict[str, Enterprise]) -> ImportReport:
        identity: dict[str, dict[str, Any]] = {}
        for row in rows:
            identity.setdefault(row.enterprise["uscc"], row.enterprise)
        now = timezone.now()
        self._say(60, _("Saving the enterprises."))
        with transaction.atomic():
            locked = _existing(rows, lock=True)
            if locked.keys() != existing.keys():
                raise _Changed
            before = {u: {k: getattr(e, k) for k in ENTERPRISE_COLUMNS} for u, e in locked.items()}
            new = [Enterprise(**{k: identity[u][k] for k in ENTERPRISE_COLUMNS}) for u in identity if u not in locked]
            Enterprise.objects.bulk_create(new, batch_size=CHUNK)
            changed = self._update_identity(locked, identity, now)
            everyone = _existing(rows)
            ids = sorted(e.pk for e in everyone.values())
            years = sorted({r.tax_year for r in rows if r.tax_year is not None})
            facts_before = _facts_before(ids, years)
            facts = [
                AnnualFacts(enterprise_id=everyone[row.enterprise["uscc"]].pk, tax_year=row.tax_year, **row.facts)
                for row in rows
                if row.tax_year is not None and row.facts is not None
            ]
            AnnualFacts.objects.bulk_create(
                facts, batch_size=CHUNK, update_conflicts=True, unique_fields=["enterprise", "tax_year"],
                update_fields=[*FACT_FIELDS, "updated_at"],
            )
            self._say(75, _("Recording the changes in the audit trail."))
            events = self._audit_enterprises(everyone, before)
            events += self._audit_facts(rows, everyone, ids, years, facts_before)
            job = self._batch_job(now)
            regions = sorted({v["region_code"] for v in identity.values()})
            audit.record(
                actor=self.actor, verb="registry.import", obj=job, region_code=_common_prefix(regions),
                changes={"filename": self.filename, "rows": len(rows), "created": len(new), "updated": len(locked),
                         "facts_saved": len(facts), "changed_enterprises": len(changed), "events": events},
            )
        return ImportReport(ok=True, rows=len(rows), enterprises_created=len(new), enterprises_updated=len(locked),
                            facts_saved=len(facts))

    @staticmethod
    def _update_identity(locked: dict[str, Enterprise], identity: dict[str, dict[str, Any]],
                         now: Any) -> list[Enterprise]:
        changed = []
        for uscc, enterprise in locked.items():
            values = identity[uscc]
            if any(getattr(enterprise, k) != values[k] for k in ENTERPRISE_COLUMNS):
                for k in ENTERPRISE_COLUMNS:
                    setattr(enterprise, k, values[k])
                enterprise.updated_at = now
                changed.append(enterprise)
        Enterprise.objects.bulk_update(changed, [*ENTERPRISE_COLUMNS[1:], "updated_at"], batch_size=CHUNK)
        return changed

    def _audit_enterprises(self, everyone: dict[str, Enterprise], before: dict[str, dict[str, Any]]) -> int:
        events = 0
        for uscc in sorted(everyone):
            enterprise = everyone[uscc]
            changes = audit.diff(before.get(uscc, {}), {k: getattr(enterprise, k) for k in ENTERPRISE_COLUMNS})
            if changes:
                audit.record(actor=self.actor, verb="registry.import_enterprise", obj=enterprise, changes=changes,
                             organisation_id=enterprise.organisation_id)
                events += 1
        return events

    def _audit_facts(self, rows: list[_Row], everyone: dict[str, Enterprise], ids: list[int], years: list[int],
                     facts_before: dict[tuple[int, int], dict[str, Any]]) -> int:
        objects = _facts_objects(ids, years)
        events = 0
        saved = [r for r in rows if r.tax_year is not None and r.facts is not None]
        for position, row in enumerate(sorted(saved, key=lambda r: (r.enterprise["uscc"], r.tax_year)), start=1):
            enterprise = everyone[row.enterprise["uscc"]]
            key = (enterprise.pk, row.tax_year)
            changes = audit.diff(facts_before.get(key, {}), row.facts or {})
            if changes:
                audit.record(actor=self.actor, verb="registry.import_facts", obj=objects[key], changes=changes,
                             region_code=enterprise.region_code, organisation_id=enterprise.organisation_id)
                events += 1
            if position % 1000 == 0:
                self._say(75 + 24 * position / len(saved), _("%(n)d years of facts recorded.") % {"n": position})
        return events

    def _batch_job(self, now: Any) -> Job:
        if self.job is not None:
            return self.job
        return Job.objects.create(
            kind=JOB_KIND, owner=self.actor, status=Job.Status.DONE, progress=100, finished_at=now,
            message=self.filename[:300], params={"filename": self.filename},
        )


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
