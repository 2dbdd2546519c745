"""Life of a registration: the annual update (renewal), lapse, and reported changes."""

from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from techsme.core.permissions import can, scope
from techsme.evaluation.models import (
    Registration,
    RegistrationState,
)
from techsme.evaluation.permissions import action_name
from techsme.evaluation.services.common import (
    audit_event,
    authorize,
    local_today,
    lock_filing,
    move_filing,
    notify,
    notify_agency,
    notify_state,
)
from techsme.registry.models import AnnualFacts


def annual_update_deadline(year: int) -> date:
    return date(year + 1, 3, 31)


def do_lapse_registrations(*, actor: Any, year: int, today: date | None = None) -> int:
    """Lapse the registrations of ``year`` without an annual update by 31 March of the next year.

    ``actor=None`` is the system (a scheduled job, every region); an agency admin lapses only in their region.
    """
    today = today or local_today()
    deadline = annual_update_deadline(year)
    if today <= deadline:
        raise Conflict(_("Registrations of %(year)s can lapse only after %(date)s.") % {
            "year": year, "date": deadline.isoformat()})
    cutoff = timezone.make_aware(datetime.combine(deadline, time.max))
    with transaction.atomic():
        due = Registration.objects.filter(year=year, state=RegistrationState.REGISTERED).exclude(
            annual_update_at__lte=cutoff)
        if actor is not None:
            if not can(actor, action_name("filing", "lapse")):
                raise PermissionDenied(_("You may not lapse registrations."))
            due = scope(actor, action_name("filing", "lapse"), due)
        registrations = list(due.select_for_update().order_by("pk"))
        now = timezone.now()
        for registration in registrations:
            filing = lock_filing(registration.filing_id)
            authorize(actor, "filing", "lapse", filing, filing.state)
            registration.state = RegistrationState.LAPSED
            registration.state_changed_at = now
            registration.save(update_fields=["state", "state_changed_at"])
            reason = _("No annual update by %(date)s.") % {"date": deadline.isoformat()}
            move_filing(filing, "lapse", actor, reason, now)
            notify_state(filing)
    return len(registrations)


def do_record_annual_update(*, actor: Any, registration: Registration, now: datetime | None = None) -> Registration:
    """The enterprise confirms its data of the registration year by 31 March of the next year (renewal)."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        filing = lock_filing(registration.filing_id)
        authorize(actor, "filing", "annual_update", filing, filing.state)
        if timezone.localtime(now).date() > annual_update_deadline(registration.year):
            raise Conflict(_("The annual update was due by %(date)s.") % {
                "date": annual_update_deadline(registration.year).isoformat()})
        if not AnnualFacts.objects.filter(enterprise=registration.enterprise_id, tax_year=registration.year).exists():
            raise Conflict(_("Enter the facts of %(year)s before making the annual update.") % {
                "year": registration.year})
        registration.annual_update_at = now
        registration.save(update_fields=["annual_update_at"])
        move_filing(filing, "annual_update", actor)
        values = {"number": registration.number, "name": filing.enterprise.name, "year": registration.year}
        notify(filing, _("Annual update of %(number)s recorded") % values,
               _("The annual update of %(name)s for %(year)s was recorded; the registration %(number)s is "
                  "renewed.") % values)
        notify_agency(registration.region6, _("Annual update received: %(name)s") % values,
                       _("%(name)s made the annual update of its registration %(number)s for %(year)s.") % values)
    return registration


def change_report_deadline(changed_on: date) -> date:
    """Three calendar months after the change (the last day of a shorter month when the day does not exist)."""
    import calendar

    from techsme.evaluation.models import CHANGE_REPORT_MONTHS

    month = changed_on.month - 1 + CHANGE_REPORT_MONTHS
    year, month = changed_on.year + month // 12, month % 12 + 1
    return date(year, month, min(changed_on.day, calendar.monthrange(year, month)[1]))


def do_report_change(*, actor: Any, registration: Registration, kind: str, changed_on: date | None,
                     description: str, new_name: str = "", today: date | None = None) -> Any:
    """A registered enterprise reports a name change or a major change (due within 3 months; a late report is
    accepted and marked late). The agency sees it on the filing page and may start a revocation."""
    from techsme.evaluation.models import ChangeKind, ChangeReport

    today = today or local_today()
    errors = []
    if kind not in ChangeKind.values:
        errors.append(FieldError("kind", _("Choose a name change or a major change.")))
    if changed_on is None:
        errors.append(FieldError("changed_on", _("Give the date of the change.")))
    elif changed_on > today:
        errors.append(FieldError("changed_on", _("The date of the change cannot be in the future.")))
    if kind == ChangeKind.NAME and not (new_name or "").strip():
        errors.append(FieldError("new_name", _("Give the new name.")))
    if not (description or "").strip():
        errors.append(FieldError("description", _("Describe the change.")))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not can(actor, "evaluation.change_report", registration):
            raise PermissionDenied(_("You may not report changes of this registration."))
        if registration.state != RegistrationState.REGISTERED:
            raise Conflict(_("Only a valid registration can report changes; this one is “%(state)s”.") % {
                "state": registration.get_state_display()})
        report = ChangeReport.objects.create(
            registration=registration, kind=kind, changed_on=changed_on, new_name=(new_name or "").strip()[:200],
            description=description.strip(), late=today > change_report_deadline(changed_on), reported_by=actor,
        )
        filing = registration.filing
        audit_event(actor, "evaluation.registration.report_change", report, filing, kind=kind,
                    changed_on=changed_on, late=report.late)
        notify(filing, _("Change report for %(number)s received") % {"number": registration.number},
               _("The agency received the report of a change (%(kind)s) of %(name)s.") % {
                    "kind": report.get_kind_display(), "name": registration.enterprise.name})
        values = {"kind": report.get_kind_display(), "name": registration.enterprise.name,
                  "number": registration.number}
        body = _("%(name)s (registration %(number)s) reported a change: %(kind)s.") % values
        if report.late:
            body += " " + _("The report is late (more than 3 months after the change).")
        notify_agency(registration.region6, _("Change report received: %(name)s") % values, body)
    return report


def do_acknowledge_change_report(*, actor: Any, report: Any, note: str = "") -> Any:
    """The agency has reviewed a change report (reviewers and agency administrators of the region)."""
    from techsme.evaluation.models import ChangeReport

    with transaction.atomic():
        report = ChangeReport.objects.select_for_update().select_related("registration__enterprise").get(pk=report.pk)
        if not can(actor, "evaluation.change_report.review", report):
            raise PermissionDenied(_("You may not review this change report."))
        if report.acknowledged_at is not None:
            raise Conflict(_("This change report was already acknowledged on %(date)s.") % {
                "date": timezone.localtime(report.acknowledged_at).date().isoformat()})
        report.acknowledged_at = timezone.now()
        report.acknowledged_by = actor
        report.acknowledgement_note = (note or "").strip()
        report.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
        registration = report.registration
        audit_event(actor, "evaluation.change_report.acknowledge", report, registration.filing,
                    note=report.acknowledgement_note)
        values = {"kind": report.get_kind_display(), "number": registration.number}
        body = _("The agency reviewed your report of a change (%(kind)s) of the registration %(number)s.") % values
        if report.acknowledgement_note:
            body += "\n\n" + _("Note: %(note)s") % {"note": report.acknowledgement_note}
        notify(registration.filing, _("Change report for %(number)s reviewed") % values, body)
    return report
