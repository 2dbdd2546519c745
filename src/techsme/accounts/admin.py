"""Admin for users, organisations, memberships and API tokens — through ``core.admin.ScopedAdmin``."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from techsme.accounts.models import ApiToken, Membership, Organisation, User
from techsme.core.admin import SUPERUSERS_ONLY, ScopedAdmin


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    change_action = SUPERUSERS_ONLY
    audit_hidden_fields = frozenset({"password"})
    fieldsets = (*DjangoUserAdmin.fieldsets, (None, {"fields": ("display_name",)}))
    list_display = ("username", "display_name", "email", "is_active", "is_staff", "is_superuser", "last_login")


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    view_action = "organisation.view"
    change_action = SUPERUSERS_ONLY
    list_display = ("name", "kind", "level", "region_code", "created_at")
    list_filter = ("kind", "level")
    search_fields = ("name", "region_code")


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    view_action = "membership.view"
    change_action = SUPERUSERS_ONLY
    list_display = ("user", "organisation", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "organisation__name")
    autocomplete_fields = ("user", "organisation")


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    """Read-only: only the hash of a key is stored; tokens are created and revoked by their owner."""

    list_display = ("name", "user", "key_prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "key_prefix")
    readonly_fields = ("user", "name", "key_prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
