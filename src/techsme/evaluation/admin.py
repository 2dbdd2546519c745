"""Admin of the evaluation app: the working-day table and the yearly settings are edited here (superusers,
audited); filings, batches, registrations and revocations are read-only — they change only through the services."""

from django.contrib import admin

from techsme.core.admin import SUPERUSERS_ONLY, ScopedAdmin
from techsme.evaluation.models import (
    EvaluationYear,
    Filing,
    PublicityBatch,
    Registration,
    Revocation,
    WorkdayOverride,
)


def _all_fields(model: type) -> list[str]:
    return [f.name for f in model._meta.fields]


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(ScopedAdmin):
    change_action = SUPERUSERS_ONLY
    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    search_fields = ("note",)
    date_hierarchy = "date"


@admin.register(EvaluationYear)
class EvaluationYearAdmin(ScopedAdmin):
    change_action = SUPERUSERS_ONLY
    list_display = ("year", "opens_on", "closes_on", "onsite_max_employees_small", "onsite_tech_share_high",
                    "onsite_tech_share_min_employees", "onsite_check_first_time", "onsite_past_revocation_years")


@admin.register(Filing)
class FilingAdmin(ScopedAdmin):
    view_action = "evaluation.view"
    list_display = ("enterprise", "year", "state", "score", "needs_onsite_check", "submitted_at")
    list_filter = ("year", "state", "needs_onsite_check")
    search_fields = ("enterprise__name", "enterprise__uscc")
    readonly_fields = _all_fields(Filing)
    list_select_related = ("enterprise",)


@admin.register(PublicityBatch)
class PublicityBatchAdmin(ScopedAdmin):
    view_action = "evaluation.batch.close"
    list_display = ("__str__", "agency", "published_on", "ends_on", "state")
    list_filter = ("year", "state")
    readonly_fields = _all_fields(PublicityBatch)


@admin.register(Registration)
class RegistrationAdmin(ScopedAdmin):
    view_action = "evaluation.view"
    list_display = ("number", "enterprise", "year", "region6", "state", "issued_at")
    list_filter = ("year", "state")
    search_fields = ("number", "enterprise__name", "enterprise__uscc")
    readonly_fields = _all_fields(Registration)
    list_select_related = ("enterprise",)


@admin.register(Revocation)
class RevocationAdmin(ScopedAdmin):
    view_action = "evaluation.view"
    list_display = ("registration", "ground", "state", "decision", "defence_deadline", "bars_until_year")
    list_filter = ("ground", "state", "decision")
    readonly_fields = _all_fields(Revocation)
