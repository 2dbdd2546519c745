"""Moving an enterprise into another region: a request the receiving agency accepts.

The region code decides which agency has jurisdiction (``core.permissions``), so an enterprise never sets its own:
its administrator — or the administrator of its current agency — asks (``do_request_region_change``), the
administrator of the agency whose area covers the new region accepts or rejects it with a note, and until then the
enterprise stays where it is. The requester may withdraw a pending request. Every step is audited; the accepted
move records the enterprise's region (and its organisation's) before and after.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techsme.core import audit
from techsme.core.errors import Conflict, FieldError, InvalidInput
from techsme.core.hooks import Todo
from techsme.core.identifiers import region_error
from techsme.core.permissions import can, scope
from techsme.registry.models import Enterprise, RegionChange

MAX_TEXT = 2000


def _record(actor: Any, verb: str, change: RegionChange, changes: dict[str, Any]) -> None:
    # filed under the receiving region, so that both agencies' audit pages can be asked about it by object
    audit.record(actor=actor, verb=verb, obj=change, changes=changes, region_code=change.to_region,
                 organisation_id=change.enterprise.organisation_id)


def do_request_region_change(*, actor: Any, enterprise_id: int, to_region: str, reason: str) -> RegionChange:
    to_region, reason = (to_region or "").strip(), (reason or "").strip()
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().filter(pk=enterprise_id).first()
        if enterprise is None or not can(actor, "enterprise.view", enterprise):
            raise Http404
        if not can(actor, "region_change.request", enterprise):
            raise PermissionDenied(_("You may not request a change of region for this enterprise."))
        errors = []
        if message := region_error(to_region) if to_region else _("This field is required."):
            errors.append(FieldError("to_region", message))
        elif to_region == enterprise.region_code:
            errors.append(FieldError("to_region", _("The enterprise is already registered in this region.")))
        if not reason:
            errors.append(FieldError("reason", _("Say why the enterprise moves (its new registered address).")))
        elif len(reason) > MAX_TEXT:
            errors.append(FieldError("reason", _("At most %(n)d characters.") % {"n": MAX_TEXT}))
        if errors:
            raise InvalidInput(errors)
        if enterprise.region_changes.filter(state=RegionChange.State.PENDING).exists():
            raise Conflict(_("A request to change the region is already waiting for a decision."))
        change = RegionChange.objects.create(enterprise=enterprise, from_region=enterprise.region_code,
                                             to_region=to_region, reason=reason, requested_by=actor)
        _record(actor, "registry.region_change.request", change,
                {"from_region": [None, change.from_region], "to_region": [None, to_region],
                 "reason": [None, reason]})
    return change


def _pending(actor: Any, change_id: int, action: str) -> RegionChange:
    change = (RegionChange.objects.select_for_update().select_related("enterprise")
              .filter(pk=change_id).first())
    if change is None or not can(actor, "region_change.view", change) and not can(
            actor, "enterprise.view", change.enterprise):
        raise Http404
    if not can(actor, action, change):
        raise PermissionDenied(_("Only the administrator of the receiving agency decides on this request."))
    if change.state != RegionChange.State.PENDING:
        raise Conflict(_("This request was already decided (%(state)s).") % {"state": change.get_state_display()})
    return change


def do_accept_region_change(*, actor: Any, change_id: int, note: str = "") -> RegionChange:
    """Move the enterprise: its region (and its organisation's) become the requested one."""
    with transaction.atomic():
        change = _pending(actor, change_id, "region_change.decide")
        enterprise = Enterprise.objects.select_for_update().get(pk=change.enterprise_id)
        if enterprise.region_code != change.from_region:
            raise Conflict(_("The enterprise's region changed since the request was made; ask it to request again."))
        enterprise.region_code = change.to_region
        enterprise.save(update_fields=["region_code", "updated_at"])
        organisation = enterprise.organisation
        if organisation is not None and organisation.region_code != change.to_region:
            organisation.region_code = change.to_region
            organisation.save(update_fields=["region_code"])
        change.state, change.decided_by, change.decided_at = RegionChange.State.ACCEPTED, actor, timezone.now()
        change.decision_note = (note or "").strip()[:MAX_TEXT]
        change.save()
        _record(actor, "registry.region_change.accept", change,
                {"state": [RegionChange.State.PENDING, change.state], "note": [None, change.decision_note]})
        audit.record(actor=actor, verb="registry.update_enterprise", obj=enterprise,
                     changes={"region_code": [change.from_region, change.to_region]},
                     organisation_id=enterprise.organisation_id)
    return change


def do_reject_region_change(*, actor: Any, change_id: int, note: str) -> RegionChange:
    note = (note or "").strip()
    if not note:
        raise InvalidInput([FieldError("note", _("Give the enterprise the reason for the rejection."))])
    with transaction.atomic():
        change = _pending(actor, change_id, "region_change.decide")
        change.state, change.decided_by, change.decided_at = RegionChange.State.REJECTED, actor, timezone.now()
        change.decision_note = note[:MAX_TEXT]
        change.save()
        _record(actor, "registry.region_change.reject", change,
                {"state": [RegionChange.State.PENDING, change.state], "note": [None, change.decision_note]})
    return change


def do_withdraw_region_change(*, actor: Any, change_id: int) -> RegionChange:
    """The enterprise (or its current agency) takes back a request that is still pending."""
    with transaction.atomic():
        change = (RegionChange.objects.select_for_update().select_related("enterprise")
                  .filter(pk=change_id).first())
        if change is None or not can(actor, "enterprise.view", change.enterprise):
            raise Http404
        if not can(actor, "region_change.request", change.enterprise):
            raise PermissionDenied(_("You may not withdraw this request."))
        if change.state != RegionChange.State.PENDING:
            raise Conflict(_("This request was already decided (%(state)s).")
                           % {"state": change.get_state_display()})
        change.state, change.decided_by, change.decided_at = RegionChange.State.WITHDRAWN, actor, timezone.now()
        change.save()
        _record(actor, "registry.region_change.withdraw", change,
                {"state": [RegionChange.State.PENDING, change.state]})
    return change


# --- reads ------------------------------------------------------------------------------------------------------


def changes_of(enterprise: Enterprise) -> QuerySet[RegionChange]:
    """The requests of an enterprise the caller may already see (the enterprise page is scoped)."""
    return enterprise.region_changes.select_related("requested_by", "decided_by")


def incoming(user: Any) -> QuerySet[RegionChange]:
    """Requests into the user's area that the user may decide (pending first)."""
    qs = scope(user, "region_change.decide", RegionChange.objects.select_related("enterprise", "requested_by"))
    return qs.order_by("state", "-requested_at", "-id")


def incoming_change(user: Any, change_id: int) -> RegionChange:
    change = incoming(user).filter(pk=change_id).first()
    if change is None:
        raise Http404
    return change


def region_change_todos(user: Any) -> list[Todo]:
    if not can(user, "region_change.decide"):
        return []
    count = incoming(user).filter(state=RegionChange.State.PENDING).count()
    return [Todo(label=gettext_lazy("Enterprises asking to move into your region"),
                 url=reverse("web:region_changes"), count=count, group=gettext_lazy("Registry"))]
