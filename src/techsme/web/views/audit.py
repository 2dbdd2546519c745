"""The audit trail for agency administrators, in their scope."""

from datetime import date, datetime, time
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core.models import AuditEvent
from techsme.core.permissions import can, scope
from techsme.registry.selectors import enterprise_for

PAGE_SIZE = 50


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _field_label(object_type: str, field: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.get_field(field).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return field


def _shown(value: Any) -> str | None:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return None if value is None else str(value)


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can(user, "audit.view"):
        raise PermissionDenied
    events = scope(user, "audit.view", AuditEvent.objects.all())
    keys = ("object_type", "object_id", "verb", "since", "until", "enterprise")
    filters = {k: request.GET.get(k, "").strip()[:80] for k in keys}
    types = sorted(set(events.values_list("object_type", flat=True).distinct()))
    verbs = sorted(set(events.values_list("verb", flat=True).distinct()))
    if filters["object_type"]:
        events = events.filter(object_type=filters["object_type"])
    if filters["object_id"]:
        events = events.filter(object_id=filters["object_id"])
    enterprise = None
    if filters["enterprise"].isdigit():
        enterprise = enterprise_for(user, int(filters["enterprise"]), "audit.view")
        events = events.filter(
            Q(object_type="registry.enterprise", object_id=str(enterprise.pk))
            | Q(object_type="registry.annualfacts", object_id__in=[str(i) for i in enterprise.facts.values_list(
                "pk", flat=True)])
            | Q(object_type="registry.ipasset", object_id__in=[str(i) for i in enterprise.ip_assets.values_list(
                "pk", flat=True)])
        )
    if filters["verb"]:
        events = events.filter(verb=filters["verb"])
    tz = timezone.get_current_timezone()
    if since := _date(filters["since"]):
        events = events.filter(occurred_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until := _date(filters["until"]):
        events = events.filter(occurred_at__lte=datetime.combine(until, time.max, tzinfo=tz))
    page = Paginator(events.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for event in page.object_list:
        changes = event.changes if isinstance(event.changes, dict) else {}
        pairs = []
        for field, value in sorted(changes.items()):
            old, new = (value[0], value[1]) if isinstance(value, list) and len(value) == 2 else (None, value)
            pairs.append((_field_label(event.object_type, field), _shown(old), _shown(new)))
        rows.append({"event": event, "changes": pairs})
    return render(request, "web/audit.html", {
        "page": page, "rows": rows, "enterprise": enterprise, "filters": filters, "types": types, "verbs": verbs,
    })
