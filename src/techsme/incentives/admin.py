"""Read-only admin views of scenarios and notifications, scoped through the permission module."""

from django.contrib import admin

from techsme.core.admin import ScopedAdmin
from techsme.incentives.models import Notification, Scenario


@admin.register(Scenario)
class ScenarioAdmin(ScopedAdmin):
    view_action = "incentives.scenario.view"
    list_display = ("name", "agency", "tax_year", "region_prefix", "effective_from", "created_by", "ran_at")
    list_filter = ("tax_year",)
    search_fields = ("name",)


@admin.register(Notification)
class NotificationAdmin(ScopedAdmin):
    view_action = "incentives.outreach"
    list_display = ("subject", "enterprise", "recipient", "topic", "created_at", "read_at")
    list_filter = ("topic",)
    search_fields = ("subject", "enterprise__name")
