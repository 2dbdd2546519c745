"""The Django admin, for staff, through the permission module.

``ScopedAdmin`` is the base of every model admin: the change list is ``core.permissions.scope`` of the model's view
action, and each view/change/delete permission asks ``core.permissions.can`` with the object. An admin is read-only
unless it names a ``change_action``; writes made through the admin are audited in the same transaction.
"""

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from techsme.core import audit
from techsme.core.models import AdditionalRegion, AuditEvent, Job
from techsme.core.permissions import _resolve, can, scope

SUPERUSERS_ONLY = "system.admin"


class ScopedAdmin(admin.ModelAdmin):
    view_action: str = SUPERUSERS_ONLY
    change_action: str | None = None  # None: read-only for everybody
    audit_hidden_fields: frozenset[str] = frozenset()  # recorded as changed, without their values

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope(request.user, self.view_action, super().get_queryset(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, self.view_action)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can(request.user, self.view_action, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.change_action is not None and can(request.user, self.change_action)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.change_action is not None and can(request.user, self.change_action, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.change_action is not None and can(request.user, self.change_action, obj)

    # --- audited writes -------------------------------------------------------------------------------------
    def _audit(self, request: HttpRequest, obj: Model, verb: str, changes: dict[str, Any]) -> None:
        audit.record(
            actor=request.user,
            verb=f"admin.{verb}",
            obj=obj,
            changes=changes,
            region_code=str(_resolve(obj, getattr(obj, "scope_region_field", None)) or ""),
            organisation_id=_resolve(obj, getattr(obj, "scope_org_field", None)),
        )

    def _snapshot(self, obj: Model, fields: list[str]) -> dict[str, Any]:
        return {f: getattr(obj, f, None) for f in fields}

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:
        concrete = {f.name for f in obj._meta.concrete_fields}
        fields = [f for f in form.changed_data if f in concrete]
        related = [f for f in form.changed_data if f not in concrete and f in {m.name for m in obj._meta.many_to_many}]
        before = {}
        if change and obj.pk:
            original = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = self._snapshot(original, fields) if original else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changes = audit.diff(before, self._snapshot(obj, fields))
            for hidden in self.audit_hidden_fields & set(changes):
                changes[hidden] = ["…", "…"]
            for name in related:  # many-to-many: saved after save_model; recorded as changed
                changes[name] = ["…", "…"]
            self._audit(request, obj, "change" if change else "add", changes)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        with transaction.atomic():
            self._audit(request, obj, "delete", {"deleted": [str(obj), None]})
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    """Append-only: nobody adds, changes or deletes events, not even a superuser."""

    view_action = "audit.view"
    change_action = None
    list_display = ("occurred_at", "actor_repr", "verb", "object_type", "object_id", "object_repr", "region_code")
    list_filter = ("verb", "object_type")
    search_fields = ("verb", "object_repr", "actor_repr", "object_id")
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(AdditionalRegion)
class AdditionalRegionAdmin(ScopedAdmin):
    change_action = SUPERUSERS_ONLY
    list_display = ("code", "name", "added_at")
    search_fields = ("code", "name")


@admin.register(Job)
class JobAdmin(ScopedAdmin):
    list_display = ("id", "kind", "owner", "status", "progress", "message", "created_at", "finished_at")
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in Job._meta.fields]
