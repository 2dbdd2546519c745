"""Filings received offline (on paper): a spreadsheet of the facts contract, imported all or nothing.

One row is one enterprise and one tax year (the columns of ``facts.md``, as for the registry import); the filing is
for the evaluation year after the tax year. The file is checked by ``registry.importing`` (every row, every column;
nothing is written when any row has an error) and the enterprises and their facts are saved in the registry; then,
in the same transaction, one ``imported`` filing per row is recorded (``services.do_receive_offline_filings``) and a
background job (kind ``evaluation.import_offline``, ``evaluation/jobs.py``) assesses them in bulk and routes them into
the review queue (``services.do_route_imported_filings``), reporting its progress.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from techsme import parsing
from techsme.core.errors import FieldError, InvalidInput
from techsme.core.exports import write_csv
from techsme.core.jobs import start_job
from techsme.core.models import Job
from techsme.core.permissions import can
from techsme.evaluation import services
from techsme.registry import importing as registry_importing
from techsme.registry.facts_fields import FACT_FIELDS
from techsme.registry.models import AnnualFacts, Enterprise

JOB_KIND = "evaluation.import_offline"
CHUNK = 900


@dataclass
class OfflineImportReport:
    """``ok`` false: nothing was written, ``errors`` says why (row = spreadsheet row, header = 1)."""

    ok: bool
    rows: int = 0
    filings: int = 0
    job: Job | None = None
    errors: list[FieldError] = field(default_factory=list)

    def errors_csv(self) -> bytes:
        rows = [{"row": e.row or "", "column": e.field, "message": str(e.message)} for e in self.errors]
        return write_csv(rows, ["row", "column", "message"])

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "filings": self.filings, "job": self.job.pk if self.job else None,
                "errors": [e.as_dict() for e in self.errors]}


class _Rollback(Exception):
    def __init__(self, errors: list[FieldError]):
        super().__init__("rollback")
        self.errors = errors


def _keys(data: bytes, filename: str) -> list[tuple[int, str, int]]:
    """(row number, USCC, tax year) of every data row (rows the registry check refuses are skipped here)."""
    reader = registry_importing.file_rows(data, filename)
    first = next(reader, None)
    header = [str(h).strip().lower() if h is not None else "" for h in (first[1] if first else [])]
    out = []
    for number, values in reader:
        cells = dict(zip(header, values, strict=False))
        try:
            uscc, year = parsing.parse_uscc(cells.get("uscc")), parsing.parse_year(cells.get("tax_year"))
        except parsing.InputError:
            continue
        if uscc is not None and year is not None:
            out.append((number, uscc, year))
    return out


def _records(keys: list[tuple[int, str, int]]) -> tuple[list[tuple[Enterprise, int, dict[str, Any]]], list[int]]:
    usccs = sorted({uscc for _n, uscc, _y in keys})
    enterprises: dict[str, Enterprise] = {}
    for start in range(0, len(usccs), CHUNK):
        for enterprise in Enterprise.objects.filter(uscc__in=usccs[start:start + CHUNK]):
            enterprises[enterprise.uscc] = enterprise
    facts: dict[tuple[int, int], dict[str, Any]] = {}
    ids = sorted(e.pk for e in enterprises.values())
    years = sorted({y for _n, _u, y in keys})
    for start in range(0, len(ids), CHUNK):
        for row in AnnualFacts.objects.filter(enterprise_id__in=ids[start:start + CHUNK], tax_year__in=years).values(
                "enterprise_id", "tax_year", *FACT_FIELDS):
            facts[(row.pop("enterprise_id"), row["tax_year"])] = row
    entries, rows = [], []
    for number, uscc, year in keys:
        enterprise = enterprises[uscc]
        record = {"uscc": enterprise.uscc, "name": enterprise.name, "region_code": enterprise.region_code,
                  "industry_code": enterprise.industry_code, "founded_on": enterprise.founded_on.isoformat()}
        record |= facts[(enterprise.pk, year)]
        entries.append((enterprise, year + 1, record))
        rows.append(number)
    return entries, rows


def do_import_offline_filings(*, actor: Any, file: Any, filename: str) -> OfflineImportReport:
    """Check and save the file (all or nothing), record its filings and start the job that routes them."""
    if not can(actor, "evaluation.import"):
        return OfflineImportReport(ok=False, errors=[FieldError("file", _("You may not import filings."))])
    try:
        data = registry_importing.read_file(file, filename)
    except registry_importing.ImportRefused as refused:
        return OfflineImportReport(ok=False, errors=[refused.error])
    try:
        with transaction.atomic():
            report = registry_importing.do_import_registry(actor=actor, file=data, filename=filename)
            if not report.ok:
                return OfflineImportReport(ok=False, rows=report.rows, errors=list(report.errors))
            keys = _keys(data, filename)
            if len(keys) != report.rows:
                raise _Rollback([FieldError("tax_year", _("Every row of a filing needs a tax year."))])
            entries, rows = _records(keys)
            job = start_job(actor=actor, kind=JOB_KIND, params={"filename": filename, "rows": len(rows)})
            try:
                ids = services.do_receive_offline_filings(actor=actor, entries=entries, job=job, rows=rows)
            except InvalidInput as exc:
                raise _Rollback(sorted(exc.errors, key=lambda e: e.row or 0)) from None
    except _Rollback as rollback:
        return OfflineImportReport(ok=False, rows=len(rollback.errors), errors=rollback.errors)
    return OfflineImportReport(ok=True, rows=report.rows, filings=len(ids), job=job)




def start_routing(*, actor: Any) -> Job | None:
    """A job that routes the filings still waiting in ``imported`` (after a failed or interrupted run)."""
    from techsme.core.permissions import scope
    from techsme.evaluation.models import Filing, FilingState

    waiting = scope(actor, "evaluation.import", Filing.objects.filter(state=FilingState.IMPORTED))
    if not waiting.exists():
        return None
    return start_job(actor=actor, kind=JOB_KIND, params={"resume": True})
