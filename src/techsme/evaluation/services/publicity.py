"""Publicity: publishing accepted filings in a batch, objections, and closing the batch (registration)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.accounts.models import Organisation
from techsme.accounts.roles import Role
from techsme.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from techsme.core.permissions import ACTIONS, grants
from techsme.core.workdays import add_workdays, calendar_coverage_warning
from techsme.evaluation import criteria, numbering
from techsme.evaluation.models import (
    BatchState,
    Filing,
    FilingState,
    Objection,
    ObjectionState,
    OnsiteResult,
    PublicityBatch,
    Registration,
)
from techsme.evaluation.permissions import action_name
from techsme.evaluation.services.closing import closing_failures, hold, issue_registration
from techsme.evaluation.services.common import (
    AGENCY_NOTIFIED_ROLES,
    audit_event,
    authorize,
    local_today,
    move_filing,
    notify_agency,
    notify_state,
    require_text,
)

PUBLICITY_WORKDAYS = 10


def _publisher_of(actor: Any, agency: Organisation) -> None:
    if getattr(actor, "is_superuser", False):
        return
    allowed = ACTIONS[action_name("filing", "publish")]
    if not any(g.organisation_id == agency.pk and g.role in allowed for g in grants(actor)):
        raise PermissionDenied(_("You may not publish for this agency."))


def do_publish_batch(*, actor: Any, agency: Organisation, filing_ids: Iterable[int] | None = None,
                     published_on: date | None = None) -> PublicityBatch:
    """Publish accepted filings of the agency's region for 10 working days.

    Without ``filing_ids``, the accepted filings that pass every criterion are published (never one accepted by an
    override: that one must be chosen). A chosen filing that fails a criterion no override covers is refused. Every
    filing flagged for an on-site check needs a recorded, passed check first. When the publicity period runs
    into a year without an official holiday calendar, the batch keeps a warning (``calendar_warning``).
    """
    published_on = published_on or local_today()
    with transaction.atomic():
        _publisher_of(actor, agency)
        agency = Organisation.objects.select_for_update().get(pk=agency.pk)  # one publication at a time per agency
        prefix = agency.region_prefix
        # Without a selection: only what passes every criterion (an overridden filing must be chosen by name).
        candidates = Filing.objects.filter(state=FilingState.ACCEPTED, enterprise__region_code__startswith=prefix,
                                           eligible=True, override_at__isnull=True).exclude(
            onsite_check_result=OnsiteResult.FAILED)
        if filing_ids is not None:
            ids = sorted(set(filing_ids))
            candidates = Filing.objects.filter(pk__in=ids)
        filings = list(candidates.select_for_update().order_by("pk"))
        if filing_ids is not None and len(filings) != len(ids):
            raise InvalidInput([FieldError("filings", _("Some of the selected filings do not exist."))])
        if not filings:
            raise Conflict(_("There are no accepted, eligible filings to publish."))
        problems = []
        for filing in filings:
            authorize(actor, "filing", "publish", filing, filing.state)
            if not filing.enterprise.region_code.startswith(prefix):
                raise PermissionDenied(_("%(name)s is outside the agency's region.") % {"name": filing.enterprise})
            if filing.needs_onsite_check and not filing.onsite_check_result:
                problems.append(_("%(name)s needs a recorded on-site check before publicity.") % {
                    "name": filing.enterprise})
            elif filing.onsite_check_result == OnsiteResult.FAILED:
                problems.append(_("%(name)s failed its on-site check; reject the filing instead.") % {
                    "name": filing.enterprise})
            elif codes := criteria.uncovered(filing):
                problems.append(_("%(name)s fails the criteria and was not accepted by an override: %(reasons)s") % {
                    "name": filing.enterprise, "reasons": " ".join(criteria.texts(codes))})
        if problems:
            raise Conflict(" ".join(problems))
        years = {f.year for f in filings}
        if len(years) > 1:
            raise Conflict(_("A publicity batch holds filings of one evaluation year only."))
        year = years.pop()
        ends_on = add_workdays(published_on, PUBLICITY_WORKDAYS)
        last = PublicityBatch.objects.filter(region_prefix=prefix, year=year).aggregate(n=Max("number"))["n"]
        batch = PublicityBatch.objects.create(
            agency=agency, region_prefix=prefix, year=year, number=(last or 0) + 1, published_on=published_on,
            ends_on=ends_on, calendar_warning=calendar_coverage_warning(published_on, ends_on) or "",
            published_by=actor,
        )
        audit_event(actor, "evaluation.batch.publish", batch, None, filings=[f.pk for f in filings],
                    published_on=published_on, ends_on=ends_on)
        for filing in filings:
            filing.batch = batch
            move_filing(filing, "publish", actor)
            notify_state(filing)
    return batch


def do_lodge_objection(*, actor: Any = None, batch: PublicityBatch, filing: Filing, name: str, contact: str,
                       text: str, today: date | None = None) -> Objection:
    """Anyone may object to a filing while its batch is in publicity (up to and including the last day)."""
    today = today or local_today()
    actor = actor if actor is not None else AnonymousUser()  # the audit trail says "anonymous", not "system"
    errors = [FieldError(field, _("This field is required.")) for field, value in
              (("name", name), ("contact", contact), ("text", text)) if not (value or "").strip()]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        batch = PublicityBatch.objects.select_for_update().get(pk=batch.pk)
        filing = Filing.objects.get(pk=filing.pk)
        if filing.batch_id != batch.pk:
            raise InvalidInput([FieldError("filing", _("This filing is not in this publicity batch."))])
        if batch.state != BatchState.OPEN or today > batch.ends_on:
            raise Conflict(_("The publicity period of this batch ended on %(date)s; objections are no longer "
                             "accepted.") % {"date": batch.ends_on.isoformat()})
        authorize(actor, "filing", "object", filing, filing.state)
        objection = Objection.objects.create(batch=batch, filing=filing, name=name.strip()[:100],
                                             contact=contact.strip()[:200], text=text.strip())
        audit_event(actor, "evaluation.objection.lodge", objection, filing)
        values = {"name": filing.enterprise.name, "batch": batch.code, "date": batch.ends_on.isoformat()}
        notify_agency(filing.enterprise.region_code, _("Objection lodged against %(name)s") % values,
                       _("An objection was lodged against %(name)s in the publicity batch %(batch)s. Resolve it "
                         "before the batch is closed (the publicity ends on %(date)s).") % values,
                       AGENCY_NOTIFIED_ROLES | {Role.PROGRAMME_MANAGER})
    return objection


def do_resolve_objection(*, actor: Any, objection: Objection, decision: str, resolution: str) -> Objection:
    """Uphold or dismiss an objection, with the reasons."""
    if decision not in ("uphold", "dismiss"):
        raise InvalidInput([FieldError("decision", _("Choose uphold or dismiss."))])
    resolution = require_text("resolution", resolution, _("Give the reasons for the decision on the objection."))
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        t = authorize(actor, "objection", decision, objection, objection.state)
        if objection.batch.state != BatchState.OPEN:
            raise Conflict(_("The publicity batch is closed."))
        before = objection.state
        objection.state = t.target
        objection.resolution = resolution
        objection.resolved_by = actor
        objection.resolved_at = timezone.now()
        objection.save()
        audit_event(actor, f"evaluation.objection.{decision}", objection, objection.filing,
                    state=[before, objection.state], resolution=resolution)
    return objection


def do_close_batch(*, actor: Any, batch: PublicityBatch, today: date | None = None) -> list[Registration]:
    """After the publicity period, with every objection resolved: register the filings without an upheld objection.

    The facts of each of them are scored again first (``closing.closing_record``): a filing that no longer passes a
    criterion (and carries no override for it) is held with its reasons instead of numbered. Registration numbers are
    issued inside this transaction; the counters are locked in sorted order before anything else is written.
    """
    today = today or local_today()
    with transaction.atomic():
        batch = PublicityBatch.objects.select_for_update().get(pk=batch.pk)
        authorize(actor, "batch", "close", batch, batch.state)
        if today <= batch.ends_on:
            raise Conflict(_("The publicity period runs until %(date)s; the batch can be closed after that day.")
                           % {"date": batch.ends_on.isoformat()})
        if batch.objections.filter(state=ObjectionState.OPEN).exists():
            raise Conflict(_("Resolve every objection before closing the batch."))
        filings = list(Filing.objects.select_for_update().filter(batch=batch, state=FilingState.IN_PUBLICITY)
                       .select_related("enterprise").order_by("pk"))
        upheld = set(batch.objections.filter(state=ObjectionState.UPHELD).values_list("filing_id", flat=True))
        for filing in filings:
            authorize(actor, "filing", "uphold_objection" if filing.pk in upheld else "register", filing,
                      filing.state)
        passing = [f for f in filings if f.pk not in upheld]
        failures = closing_failures(passing)
        held = {f: codes for f in passing if (codes := criteria.uncovered(f, failures[f.pk]))}
        to_register = [f for f in passing if f not in held]
        numbering.lock_counters((f.enterprise.region_code, f.year) for f in to_register)
        now = timezone.now()
        batch.state = BatchState.CLOSED
        batch.closed_at = now
        batch.save(update_fields=["state", "closed_at"])
        audit_event(actor, "evaluation.batch.close", batch, None, registered=len(to_register), refused=len(upheld),
                    held=len(held))
        registrations = [issue_registration(filing, actor, "register", now) for filing in to_register]
        for filing, codes in held.items():
            hold(filing, codes, actor, now)
        for filing in filings:
            if filing.pk in upheld:
                move_filing(filing, "uphold_objection", actor, now=now)
                notify_state(filing)
    return registrations
