"""Revocation of a registration: notice, the enterprise's defence, the decision (also from a change report)."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.accounts.roles import Role
from techsme.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from techsme.core.permissions import can
from techsme.core.workdays import add_workdays
from techsme.evaluation.models import (
    Registration,
    RegistrationState,
    Revocation,
    RevocationDecision,
    RevocationGround,
    RevocationState,
)
from techsme.evaluation.services.common import (
    actor_roles,
    audit_event,
    authorize,
    local_today,
    lock_filing,
    move_filing,
    notify,
    notify_agency,
    notify_state,
    require_text,
)
from techsme.evaluation.workflows import WORKFLOWS

DEFENCE_WORKDAYS = 10
FRAUD_BAR_YEARS = 3

def do_revoke_notice(*, actor: Any, registration: Registration, ground: str, notice_text: str,
                     defence_deadline: date | None = None, today: date | None = None) -> Revocation:
    """Notice of intended revocation on a legal ground; the enterprise may defend itself until the deadline."""
    if ground not in RevocationGround.values:
        raise InvalidInput([FieldError("ground", _("Choose one of the legal grounds for revocation."))])
    notice_text = require_text("notice_text", notice_text, _("State the facts behind the intended revocation."))
    today = today or local_today()
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not can(actor, "evaluation.revocation.notice", registration):
            raise PermissionDenied(_("You may not start a revocation of this registration."))
        filing = lock_filing(registration.filing_id)
        WORKFLOWS["filing"].check("revoke", filing.state, actor_roles(actor))
        if registration.revocations.exclude(state=RevocationState.DECIDED).exists():
            raise Conflict(_("A revocation procedure for this registration is already under way."))
        deadline = defence_deadline or add_workdays(today, DEFENCE_WORKDAYS)
        if deadline <= today:
            raise InvalidInput([FieldError("defence_deadline", _("The defence deadline must be in the future."))])
        revocation = Revocation.objects.create(
            registration=registration, ground=ground, notice_text=notice_text, notice_at=timezone.now(),
            notice_by=actor, defence_deadline=deadline,
        )
        audit_event(actor, "evaluation.revocation.notice", revocation, filing, ground=ground, deadline=deadline)
        notify(filing, _("Notice of intended revocation of %(number)s") % {"number": registration.number},
               _("The agency intends to revoke the registration %(number)s (%(ground)s). You may submit a defence "
                  "until %(date)s.") % {"number": registration.number, "ground": revocation.get_ground_display(),
                                        "date": deadline.isoformat()})
    return revocation


def do_revoke_defence(*, actor: Any, revocation: Revocation, text: str, today: date | None = None) -> Revocation:
    """The enterprise's defence, by the deadline."""
    text = require_text("defence_text", text, _("Write the defence."))
    today = today or local_today()
    with transaction.atomic():
        revocation = Revocation.objects.select_for_update().get(pk=revocation.pk)
        authorize(actor, "revocation", "defend", revocation, revocation.state)
        if today > revocation.defence_deadline:
            raise Conflict(_("The deadline for the defence was %(date)s.") % {
                "date": revocation.defence_deadline.isoformat()})
        revocation.defence_text = text
        revocation.defence_at = timezone.now()
        revocation.state = RevocationState.DEFENCE
        revocation.save()
        filing = revocation.registration.filing
        audit_event(actor, "evaluation.revocation.defend", revocation, filing)
        values = {"number": revocation.registration.number, "name": filing.enterprise.name}
        notify(filing, _("Defence received for %(number)s") % values,
               _("The agency received the defence of %(name)s against the intended revocation of %(number)s.")
                % values)
        notify_agency(revocation.registration.region6, _("Defence received: %(name)s") % values,
                       _("%(name)s submitted a defence against the intended revocation of its registration "
                         "%(number)s.") % values, frozenset({Role.AGENCY_ADMIN, Role.AGENCY_REVIEWER}))
    return revocation


def do_revoke_decide(*, actor: Any, revocation: Revocation, decision: str, reason: str,
                     today: date | None = None) -> Revocation:
    """Decide after the defence (or after its deadline): revoke — barring the enterprise — or not."""
    if decision not in RevocationDecision.values:
        raise InvalidInput([FieldError("decision", _("Choose revoked or not revoked."))])
    reason = require_text("decision_reason", reason, _("Give the reasons for the decision."))
    today = today or local_today()
    with transaction.atomic():
        revocation = Revocation.objects.select_for_update().get(pk=revocation.pk)
        authorize(actor, "revocation", "decide", revocation, revocation.state)
        if revocation.state == RevocationState.NOTICE and today <= revocation.defence_deadline:
            raise Conflict(_("The enterprise may submit a defence until %(date)s; decide after that day.") % {
                "date": revocation.defence_deadline.isoformat()})
        registration = Registration.objects.select_for_update().get(pk=revocation.registration_id)
        filing = lock_filing(registration.filing_id)
        now = timezone.now()
        revocation.state = RevocationState.DECIDED
        revocation.decision = decision
        revocation.decision_reason = reason
        revocation.decided_at = now
        revocation.decided_by = actor
        if decision == RevocationDecision.REVOKED:
            authorize(actor, "filing", "revoke", filing, filing.state)
            fraud = revocation.ground == RevocationGround.FRAUD
            revocation.bars_until_year = today.year + (FRAUD_BAR_YEARS if fraud else 0)
            registration.state = RegistrationState.REVOKED
            registration.state_changed_at = now
            registration.save(update_fields=["state", "state_changed_at"])
            move_filing(filing, "revoke", actor, reason, now)
            notify_state(filing, reason)
        else:
            notify(filing, _("Registration %(number)s is not revoked") % {"number": registration.number},
                   _("The agency decided not to revoke the registration %(number)s.") % {
                        "number": registration.number} + "\n\n" + _("Reason: %(reason)s") % {"reason": reason})
        revocation.save()
        audit_event(actor, "evaluation.revocation.decide", revocation, filing, decision=decision,
                    bars_until_year=revocation.bars_until_year)
    return revocation


def do_revoke_from_change_report(*, actor: Any, report: Any, notice_text: str,
                                 ground: str = RevocationGround.CONDITIONS_NOT_MET,
                                 defence_deadline: date | None = None, today: date | None = None) -> Revocation:
    """Start a revocation notice from a reported major change that affects the conditions.

    The report is acknowledged (if it was not yet) and linked to the procedure; the notice itself is
    ``do_revoke_notice`` (agency administrators only), in the same transaction.
    """
    from techsme.evaluation.models import ChangeKind, ChangeReport

    with transaction.atomic():
        report = ChangeReport.objects.select_for_update().get(pk=report.pk)
        if not can(actor, "evaluation.change_report.review", report):
            raise PermissionDenied(_("You may not review this change report."))
        if report.kind != ChangeKind.MAJOR:
            raise Conflict(_("Only a major change affecting the conditions can lead to a revocation."))
        if report.revocation_id is not None:
            raise Conflict(_("A revocation was already started from this change report."))
        revocation = do_revoke_notice(actor=actor, registration=report.registration, ground=ground,
                                      notice_text=notice_text, defence_deadline=defence_deadline, today=today)
        report.revocation = revocation
        fields = ["revocation"]
        if report.acknowledged_at is None:
            report.acknowledged_at = timezone.now()
            report.acknowledged_by = actor
            fields += ["acknowledged_at", "acknowledged_by"]
        report.save(update_fields=fields)
        audit_event(actor, "evaluation.change_report.revoke", report, report.registration.filing,
                    revocation=revocation.pk)
    return revocation
