"""Filings received offline: recorded in bulk as ``imported``, then assessed and routed into the review queue."""

from collections.abc import Iterable
from typing import Any

from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core import audit
from techsme.core.errors import FieldError, InvalidInput
from techsme.core.permissions import can
from techsme.evaluation.models import (
    Filing,
    FilingDecision,
    FilingState,
    Revocation,
    RevocationDecision,
)
from techsme.evaluation.services.common import authorize, jsonable
from techsme.evaluation.services.filing import store_result
from techsme.evaluation.services.onsite import onsite_reasons_many
from techsme.registry.models import Enterprise


def do_receive_offline_filings(*, actor: Any, entries: list[tuple[Enterprise, int, dict[str, Any]]],
                               job: Any = None, rows: list[int] | None = None) -> list[int]:
    """Record filings received on paper as ``imported`` (one per enterprise and year; facts as received).

    ``entries``: (enterprise, evaluation year, facts record of year − 1); ``rows``: the spreadsheet row of each entry
    (for the error report). All or nothing: an enterprise that already
    has an active filing for the year, or is barred by a revocation, refuses the whole set (``InvalidInput``). The
    filings enter the review queue through ``do_route_imported_filings``. One audit event for the set.
    """
    if not entries:
        raise InvalidInput([FieldError("file", _("The file has a header but no data rows."))])
    with transaction.atomic():
        errors = []

        def row(index: int) -> int | None:
            return rows[index] if rows else None

        for index, (enterprise, _year, _facts) in enumerate(entries):
            if not can(actor, "evaluation.import", enterprise):
                errors.append(FieldError("uscc", _("%(name)s is outside your region.") % {"name": enterprise.name},
                                         row(index)))
        ids = sorted({e.pk for e, _y, _f in entries})
        years = {(e.pk, y) for e, y, _f in entries}
        active: set[tuple[int, int]] = set()
        barred: dict[int, int] = {}
        for start in range(0, len(ids), 900):
            part = ids[start:start + 900]
            active |= set(Filing.objects.filter(enterprise_id__in=part).exclude(
                state__in=[FilingState.REJECTED, FilingState.OBJECTION_UPHELD]).values_list("enterprise_id", "year"))
            for enterprise_id, until in Revocation.objects.filter(
                    registration__enterprise_id__in=part, decision=RevocationDecision.REVOKED,
                    bars_until_year__isnull=False).values_list("registration__enterprise_id", "bars_until_year"):
                barred[enterprise_id] = max(until, barred.get(enterprise_id, until))
        for index, (enterprise, year, _facts) in enumerate(entries):
            if (enterprise.pk, year) in active:
                errors.append(FieldError("uscc", _("%(name)s already has a filing for %(year)s.") % {
                    "name": enterprise.name, "year": year}, row(index)))
            if barred.get(enterprise.pk, 0) >= year:
                errors.append(FieldError("uscc", _("The registration of %(name)s was revoked; it may not file "
                                                   "again before %(year)s.") % {
                    "name": enterprise.name, "year": barred[enterprise.pk] + 1}, row(index)))
        if len(years) != len(entries):
            errors.append(FieldError("uscc", _("The file has the same enterprise twice for one year.")))
        if errors:
            raise InvalidInput(errors)
        filings = [Filing(enterprise=enterprise, year=year, facts_year=year - 1, facts=jsonable(facts),
                          state=FilingState.IMPORTED, attestation=True, import_job=job)
                   for enterprise, year, facts in entries]
        Filing.objects.bulk_create(filings, batch_size=500)
        created = [f.pk for f in filings]
        if any(pk is None for pk in created):  # backends without RETURNING on bulk insert
            created = list(Filing.objects.filter(import_job=job, state=FilingState.IMPORTED).order_by("pk")
                           .values_list("pk", flat=True))
        audit.record(actor=actor, verb="evaluation.filing.receive_offline", obj=job or filings[0],
                     changes={"filings": len(filings), "years": sorted({y for _e, y, _f in entries})})
    return created


ROUTED_FIELDS = ("staff_score", "rd_score", "ip_score", "score", "route", "eligible", "fail_reasons", "explanation",
                 "assessed_at", "onsite_reasons", "needs_onsite_check", "state", "state_changed_at", "submitted_at",
                 "submitted_by")


def _update_rows(filings: list[Filing], names: Iterable[str]) -> None:
    """Save ``names`` of many filings with one prepared UPDATE run for every row (``executemany``).

    ``QuerySet.bulk_update`` builds a CASE expression per field and row, which costs seconds per thousand rows;
    this is the same write, with the values prepared by each field for the database in use.
    """
    if not filings:
        return
    connection = connections[Filing.objects.db]
    fields = [Filing._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    # Only quoted column names of the model go into the text; every value is a parameter.
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(Filing._meta.db_table)} SET {assignments} WHERE {quote(Filing._meta.pk.column)} = %s"  # noqa: S608
    params = [[f.get_db_prep_save(getattr(filing, f.attname), connection) for f in fields] + [filing.pk]
              for filing in filings]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def do_route_imported_filings(*, actor: Any, filing_ids: Iterable[int], job: Any = None,
                              report_progress: Any = None, chunk: int = 2000) -> dict[str, int]:
    """Assess filings received offline (in bulk) and move them ``imported → submitted`` into the review queue.

    Works in chunks, each one transaction (a failure keeps the chunks done so far; run it again for the rest). Each
    filing gets its scores, on-site-check triggers and a history row; each chunk one audit event. The explanation
    comes from the same vectorised call of the engine (one per chunk, ``explain=True``) and is stored in its compact
    form (``scoring.compact_explanation``: what the filing page shows), so the page does not call the engine. No
    e-mail is sent to the enterprise (it filed on paper).
    """
    from techsme.evaluation.scoring import compact_explanation, filing_record
    from techsme.rules import assess_records

    ids = sorted(set(filing_ids))
    routed = 0
    for start in range(0, max(len(ids), 1), chunk):
        part = ids[start:start + chunk]
        if not part:
            break
        with transaction.atomic():
            filings = list(Filing.objects.select_for_update().filter(pk__in=part, state=FilingState.IMPORTED)
                           .select_related("enterprise").order_by("pk"))
            for filing in filings:
                authorize(actor, "filing", "route_imported", filing, filing.state)
            results = assess_records([filing_record(f) for f in filings], explain=True) if filings else []
            reasons = onsite_reasons_many(filings)
            now = timezone.now()
            user = actor if getattr(actor, "is_authenticated", False) else None
            for filing, result, onsite in zip(filings, results, reasons, strict=True):
                store_result(filing, result, now)
                if not result.get("errors"):
                    filing.explanation = jsonable(compact_explanation(result.get("explanation")) or {}) or None
                filing.onsite_reasons = onsite
                filing.needs_onsite_check = bool(onsite)
                filing.state = FilingState.SUBMITTED
                filing.state_changed_at = now
                filing.submitted_at = now
                filing.submitted_by = user
            _update_rows(filings, ROUTED_FIELDS)
            FilingDecision.objects.bulk_create([
                FilingDecision(filing=f, transition="route_imported", from_state=FilingState.IMPORTED,
                               to_state=FilingState.SUBMITTED, actor=user) for f in filings], batch_size=500)
            if filings:
                audit.record(actor=actor, verb="evaluation.filing.route_imported", obj=job or filings[0],
                             changes={"filings": [f.pk for f in filings][:50], "count": len(filings)})
            routed += len(filings)
        if report_progress is not None:
            done = min(start + chunk, len(ids))
            report_progress(100 * done // max(len(ids), 1),
                            _("%(done)d of %(total)d filings assessed and routed.") % {"done": done, "total": len(ids)})
    return {"routed": routed, "skipped": len(ids) - routed}
