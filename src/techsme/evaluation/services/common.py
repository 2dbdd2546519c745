"""Helpers of every evaluation verb: authorisation against the state tables, locking, the history row and
audit event of a transition, notifications after the commit, JSON-safe values."""

import logging
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.mail import send_mail, send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.accounts.recipients import agency_emails, member_emails
from techsme.accounts.roles import Role
from techsme.core import audit
from techsme.core.errors import FieldError, InvalidInput, PermissionDenied
from techsme.core.permissions import can
from techsme.core.permissions import roles as roles_of
from techsme.core.workflow import PUBLIC, SYSTEM, Transition
from techsme.evaluation.models import (
    Filing,
    FilingDecision,
)
from techsme.evaluation.permissions import action_name
from techsme.evaluation.workflows import WORKFLOWS
from techsme.registry.models import Enterprise

logger = logging.getLogger(__name__)


def local_today() -> date:
    return timezone.localdate()


def actor_roles(actor: Any) -> set[str]:
    if actor is None:
        return {SYSTEM, PUBLIC}
    if getattr(actor, "is_superuser", False):
        return set(Role.values) | {PUBLIC}
    return roles_of(actor) | {PUBLIC}


def authorize(actor: Any, key: str, name: str, obj: Any, state: str) -> Transition:
    """Scope first (an outsider learns nothing about the state), then the state table."""
    workflow = WORKFLOWS[key]
    t = workflow.transition(name)
    public = PUBLIC in t.roles
    system = actor is None and SYSTEM in t.roles
    if not public and not system and not can(actor, action_name(key, name), obj):
        raise PermissionDenied(
            _("You may not %(action)s this %(subject)s.") % {"action": t.label, "subject": workflow.subject}
        )
    return workflow.check(name, state, actor_roles(actor), obj)


def require_text(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput([FieldError(field, message)])
    return value


def lock_filing(filing: Filing | int) -> Filing:
    pk = filing.pk if isinstance(filing, Filing) else filing
    return Filing.objects.select_for_update().get(pk=pk)


def audit_event(actor: Any, verb: str, obj: Any, filing: Filing | None = None, **changes: Any) -> None:
    enterprise = filing.enterprise if filing is not None else None
    audit.record(
        actor=actor,
        verb=verb,
        obj=obj,
        changes=changes,
        region_code=enterprise.region_code if enterprise else getattr(obj, "region_prefix", ""),
        organisation_id=enterprise.organisation_id if enterprise else None,
    )


def move_filing(filing: Filing, name: str, actor: Any, reason: str = "", now: datetime | None = None) -> FilingDecision:
    """Apply an already-checked transition of the filing: state, history row, audit event."""
    t = WORKFLOWS["filing"].transition(name)
    before = filing.state
    if t.target:
        filing.state = t.target
        filing.state_changed_at = now or timezone.now()
    filing.save()
    decision = FilingDecision.objects.create(
        filing=filing,
        transition=name,
        from_state=before,
        to_state=filing.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
    )
    audit_event(actor, f"evaluation.filing.{name}", filing, filing, state=[before, filing.state], reason=reason)
    return decision


def _recipients(enterprise: Enterprise) -> list[str]:
    emails = {enterprise.contact_email} if enterprise.contact_email else set()
    return sorted(emails | set(member_emails(enterprise.organisation_id)))


def notify(filing: Filing, subject: str, body: str) -> None:
    """Send an e-mail to the enterprise after the transaction commits (never for a rolled-back change)."""
    enterprise = filing.enterprise

    def send() -> None:
        recipients = _recipients(enterprise)
        if recipients:
            send_mail(subject, body, None, recipients, fail_silently=True)

    transaction.on_commit(send)


def notify_state(filing: Filing, reason: str = "") -> None:
    subject = _("Tech-SME evaluation %(year)s: %(state)s") % {
        "year": filing.year, "state": filing.get_state_display()}
    body = _("The evaluation filing of %(name)s for %(year)s is now “%(state)s”.") % {
        "name": filing.enterprise.name, "year": filing.year, "state": filing.get_state_display()}
    if reason:
        body += "\n\n" + _("Reason: %(reason)s") % {"reason": reason}
    notify(filing, subject, body)


# Agency staff told of what the enterprises send in (objections also go to the programme managers who resolve them).
AGENCY_NOTIFIED_ROLES = frozenset({Role.AGENCY_REVIEWER, Role.AGENCY_ADMIN})


def agency_recipients(region_code: str, roles: frozenset[str] = AGENCY_NOTIFIED_ROLES) -> list[str]:
    """E-mail addresses of the active agency staff with one of ``roles`` covering ``region_code``."""
    return agency_emails(region_code, roles)


def notify_agency(region_code: str, subject: str, body: str,
                   roles: frozenset[str] = AGENCY_NOTIFIED_ROLES) -> None:
    """E-mail the agency staff covering ``region_code`` after the transaction commits (one message each)."""

    def send() -> None:
        recipients = agency_recipients(region_code, roles)
        if recipients:
            send_mass_mail([(subject, body, None, [to]) for to in recipients], fail_silently=True)

    transaction.on_commit(send)


def jsonable(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, Decimal):
            out[key] = str(value)
        elif isinstance(value, date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


def to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
