"""Admin of the instruments app: the sharing reference figures are edited here (superusers, audited); instruments,
bookings and usage are read-only here — they change only through the services (web pages and API)."""

from django.contrib import admin

from techsme.core.admin import SUPERUSERS_ONLY, ScopedAdmin
from techsme.instruments.models import Booking, Instrument, SharingReference, UsageRecord


@admin.register(SharingReference)
class SharingReferenceAdmin(ScopedAdmin):
    change_action = SUPERUSERS_ONLY
    list_display = ("valid_from_year", "effective_hours", "external_hours", "sharing_rate", "flag_share", "citation")


@admin.register(Instrument)
class InstrumentAdmin(ScopedAdmin):
    view_action = "instrument.stats"
    list_display = ("name_zh", "name_en", "owner", "category_code", "region_code", "purchase_value", "status")
    list_filter = ("status", "fee_unit")
    search_fields = ("name_zh", "name_en", "model_number", "manufacturer")
    readonly_fields = [f.name for f in Instrument._meta.fields]


@admin.register(Booking)
class BookingAdmin(ScopedAdmin):
    list_display = ("instrument", "organisation", "kind", "start", "end", "status")
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in Booking._meta.fields]


@admin.register(UsageRecord)
class UsageRecordAdmin(ScopedAdmin):
    list_display = ("instrument", "organisation", "start", "end", "external", "charge")
    list_filter = ("external",)
    readonly_fields = [f.name for f in UsageRecord._meta.fields]
