"""The audit trail for agency administrators (events of their region) and superusers (every event).

Filters: object (type and id), enterprise, actor, action and a date range (Asia/Shanghai days); 50 events a page.
Changes are shown as field names (the model's labels) with before → after in readable values.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Field, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core.models import AuditEvent
from techsme.core.permissions import can, scope
from techsme.refdata.regions import region_name
from techsme.registry.selectors import enterprise_for

PAGE_SIZE = 50
MAX_TEXT = 80
FILTERS = ("object_type", "object_id", "actor", "verb", "since", "until", "enterprise")


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None
    after: str | None


def _model(object_type: str) -> type[Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(field: Any, name: str) -> str:
    if isinstance(field, Field):
        return str(field.verbose_name)
    if field is not None and getattr(field, "related_model", None) is not None:  # a reverse relation
        return str(field.related_model._meta.verbose_name_plural)
    return name.replace("_", " ")


def _shown(field: Any, name: str, value: Any) -> str | None:
    """A stored change value as people read it: yes/no, choice labels, region names, lists joined."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(filter(None, (_shown(field, name, v) for v in value))) or None
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(None, str(k), v) or '—'}" for k, v in value.items())
    choices = dict(getattr(field, "flatchoices", None) or ())
    if value in choices:
        return str(choices[value])
    if name.endswith("region_code") and isinstance(value, str) and value.isdigit():
        return region_name(value)
    return str(value)


def changes_of(event: AuditEvent) -> list[Change]:
    model = _model(event.object_type)
    rows = []
    changes = event.changes if isinstance(event.changes, dict) else {}
    for name, value in sorted(changes.items()):
        old, new = (value[0], value[1]) if isinstance(value, list) and len(value) == 2 else (None, value)
        field = _field(model, name)
        rows.append(Change(_label(field, name), _shown(field, name, old), _shown(field, name, new)))
    return rows


def type_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def _day(raw: str, name: str, errors: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("“%(value)s” is not a date (%(field)s); use YYYY-MM-DD.") % {"value": raw, "field": name})
        return None


def _filtered(user: Any, events: QuerySet, filters: dict[str, str], errors: list[str]) -> tuple[QuerySet, Any]:
    if filters["object_type"]:
        events = events.filter(object_type=filters["object_type"])
    if filters["object_id"]:
        events = events.filter(object_id=filters["object_id"])
    enterprise = None
    if filters["enterprise"].isdigit() and len(filters["enterprise"]) < 19:
        enterprise = enterprise_for(user, int(filters["enterprise"]), "audit.view")
        events = events.filter(
            Q(object_type="registry.enterprise", object_id=str(enterprise.pk))
            | Q(object_type="registry.annualfacts",
                object_id__in=[str(i) for i in enterprise.facts.values_list("pk", flat=True)])
            | Q(object_type="registry.ipasset",
                object_id__in=[str(i) for i in enterprise.ip_assets.values_list("pk", flat=True)])
        )
    if filters["actor"]:
        events = events.filter(Q(actor__username__iexact=filters["actor"])
                               | Q(actor_repr__icontains=filters["actor"]))
    if filters["verb"]:
        events = events.filter(verb=filters["verb"])
    tz = timezone.get_current_timezone()
    since = _day(filters["since"], _("From"), errors)
    until = _day(filters["until"], _("Until"), errors)
    if since and until and since > until:
        errors.append(_("The start date is after the end date."))
    if since:
        events = events.filter(occurred_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        events = events.filter(occurred_at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return events, enterprise


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can(user, "audit.view"):
        raise PermissionDenied
    events = scope(user, "audit.view", AuditEvent.objects.all())
    filters = {k: request.GET.get(k, "").strip()[:MAX_TEXT] for k in FILTERS}
    types = sorted(((t, type_label(t)) for t in events.values_list("object_type", flat=True).distinct()),
                   key=lambda pair: pair[1])
    verbs = sorted(set(events.values_list("verb", flat=True).distinct()))
    errors: list[str] = []
    events, enterprise = _filtered(user, events, filters, errors)
    page = Paginator(events.select_related("actor").order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"event": e, "type": type_label(e.object_type), "changes": changes_of(e)} for e in page.object_list]
    return render(request, "web/audit.html", {
        "page": page, "rows": rows, "enterprise": enterprise, "filters": filters, "types": types, "verbs": verbs,
        "errors": errors, "total": page.paginator.count,
    })
