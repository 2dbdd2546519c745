"""Read-only admin of the registry: enterprises, annual facts and IP assets change only through the services."""

from django.contrib import admin

from techsme.core.admin import ScopedAdmin
from techsme.registry.models import AnnualFacts, Enterprise, IPAsset


def _all_fields(model: type) -> list[str]:
    return [f.name for f in model._meta.fields]


class AnnualFactsInline(admin.TabularInline):
    model = AnnualFacts
    extra = 0
    fields = ("tax_year", "employees", "tech_staff", "revenue", "rd_expense", "total_assets")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    view_action = "enterprise.view"
    list_display = ("name", "uscc", "region_code", "industry_code", "founded_on")
    search_fields = ("name", "uscc")
    list_filter = ("region_code",)
    readonly_fields = _all_fields(Enterprise)
    inlines = [AnnualFactsInline]


@admin.register(AnnualFacts)
class AnnualFactsAdmin(ScopedAdmin):
    view_action = "enterprise.view"
    list_display = ("enterprise", "tax_year", "employees", "revenue", "rd_expense")
    list_filter = ("tax_year",)
    search_fields = ("enterprise__name", "enterprise__uscc")
    readonly_fields = _all_fields(AnnualFacts)
    list_select_related = ("enterprise",)


@admin.register(IPAsset)
class IPAssetAdmin(ScopedAdmin):
    view_action = "enterprise.view"
    list_display = ("number", "kind", "title", "enterprise", "granted_on", "status")
    list_filter = ("kind", "status")
    search_fields = ("number", "title", "enterprise__name")
    readonly_fields = _all_fields(IPAsset)
    list_select_related = ("enterprise",)
