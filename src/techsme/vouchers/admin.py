"""Admin of the voucher app: read-only (rows change only through ``vouchers.services``), scoped like every list."""

from django.contrib import admin

from techsme.core.admin import ScopedAdmin
from techsme.vouchers.models import Application, Contract, Programme, ReimbursementBatch, ServiceProvider, Voucher


def _all_fields(model: type) -> list[str]:
    return [f.name for f in model._meta.fields]


@admin.register(Programme)
class ProgrammeAdmin(ScopedAdmin):
    view_action = "vouchers.programme.manage"
    list_display = ("name", "agency", "year", "cap_per_application", "cap_per_enterprise_year", "max_contract_share",
                    "valid_until")
    list_filter = ("year",)
    readonly_fields = _all_fields(Programme)


@admin.register(Application)
class ApplicationAdmin(ScopedAdmin):
    view_action = "vouchers.view"
    list_display = ("enterprise", "programme", "amount", "state", "approved_amount", "created_at")
    list_filter = ("state",)
    search_fields = ("enterprise__name", "enterprise__uscc")
    readonly_fields = _all_fields(Application)
    list_select_related = ("enterprise", "programme")


@admin.register(Voucher)
class VoucherAdmin(ScopedAdmin):
    view_action = "vouchers.view"
    list_display = ("code", "enterprise", "programme", "amount", "state", "valid_until")
    list_filter = ("state",)
    search_fields = ("code", "enterprise__name")
    readonly_fields = _all_fields(Voucher)
    list_select_related = ("enterprise", "programme")


@admin.register(ServiceProvider)
class ServiceProviderAdmin(ScopedAdmin):
    view_action = "vouchers.view"
    list_display = ("institution", "programme", "accreditation", "state")
    list_filter = ("state",)
    readonly_fields = _all_fields(ServiceProvider)


@admin.register(Contract)
class ContractAdmin(ScopedAdmin):
    view_action = "vouchers.view"
    list_display = ("enterprise", "provider", "category", "amount", "redeemed_amount", "refunded_amount", "state")
    list_filter = ("state", "category")
    readonly_fields = _all_fields(Contract)
    list_select_related = ("enterprise", "provider")


@admin.register(ReimbursementBatch)
class ReimbursementBatchAdmin(ScopedAdmin):
    view_action = "vouchers.programme.manage"
    list_display = ("period", "programme", "provider", "amount", "created_at")
    list_filter = ("period",)
    readonly_fields = _all_fields(ReimbursementBatch)
