"""The one place that decides who may do what to which object.

Agency staff act inside their region prefix (a city reviewer of 4403 covers 440305 but not 4401); enterprise
staff inside their own organisation; superusers everywhere. Web views, the API and the admin all ask here.
A scoped model declares ``scope_region_field`` (a lookup to a six-digit region code) and/or ``scope_org_field``
(a lookup to the owning organisation id).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet

from techsme.core.roles import AGENCY_ROLES, ENTERPRISE_ROLES, Role

ALL_STAFF = AGENCY_ROLES
_ENT_ANY = ENTERPRISE_ROLES
_AGENCY_ADMINS = frozenset({Role.AGENCY_ADMIN})

# action → roles that may take it (the object must also be in the member's scope). The ground floor declares only
# its own actions; every app registers its actions from its ``AppConfig.ready()`` (``registry/permissions.py``,
# ``evaluation/permissions.py``, …). The write matrix in docs/roles-and-scope.md is tested against them.
ACTIONS: dict[str, frozenset[str]] = {
    "audit.view": _AGENCY_ADMINS,
    "organisation.view": ALL_STAFF | _ENT_ANY,
    "membership.view": _AGENCY_ADMINS,
    # Superusers only (no role grants it): users, tokens, jobs and reference data in the admin.
    "system.admin": frozenset(),
}


@dataclass(frozen=True)
class Grant:
    role: str
    organisation_id: int
    region_prefix: str | None  # set for agency roles


def grants(user: Any) -> list[Grant]:
    """The user's memberships as grants (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_techsme_grants", None)
    if cached is None:
        cached = [
            Grant(m.role, m.organisation_id, m.organisation.region_prefix if m.role in AGENCY_ROLES else None)
            for m in user.memberships.select_related("organisation")
        ]
        user._techsme_grants = cached
    return cached


def _grants_for(user: Any, action: str) -> list[Grant]:
    roles = ACTIONS.get(action)
    if roles is None:
        raise KeyError(f"unknown action {action!r}")
    return [g for g in grants(user) if g.role in roles]


def _resolve(obj: Model, lookup: str | None) -> Any:
    if not lookup:
        return None
    value: Any = obj
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def can(user: Any, action: str, obj: Model | None = None) -> bool:
    """May ``user`` take ``action`` (on ``obj``, when given)?"""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    relevant = _grants_for(user, action)
    if obj is None:
        return bool(relevant)
    region = _resolve(obj, getattr(obj, "scope_region_field", None))
    org = _resolve(obj, getattr(obj, "scope_org_field", None))
    for grant in relevant:
        # the same rule as scope(): the object's region starts with the agency's prefix (a national agency, prefix
        # "", also covers objects whose region is "" — everywhere — which no narrower agency does)
        if grant.region_prefix is not None and region is not None and str(region).startswith(grant.region_prefix):
            return True
        if grant.region_prefix is None and org is not None and org == grant.organisation_id:
            return True
    return False


def scope(user: Any, action: str, queryset: QuerySet) -> QuerySet:
    """``queryset`` narrowed to the objects ``user`` may take ``action`` on (empty when none)."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return queryset.none()
    if user.is_superuser:
        return queryset
    model = queryset.model
    region_field = getattr(model, "scope_region_field", None)
    org_field = getattr(model, "scope_org_field", None)
    condition = Q(pk__in=[])
    for grant in _grants_for(user, action):
        if grant.region_prefix is not None and region_field:
            condition |= Q(**{f"{region_field}__startswith": grant.region_prefix})
        elif grant.region_prefix is None and org_field:
            condition |= Q(**{org_field: grant.organisation_id})
    return queryset.filter(condition)


def agency_prefixes(user: Any) -> list[str]:
    """Region prefixes the user covers as agency staff (``[""]`` for a superuser: everywhere)."""
    if getattr(user, "is_superuser", False):
        return [""]
    return sorted({g.region_prefix for g in grants(user) if g.region_prefix is not None})


def roles(user: Any) -> set[str]:
    return {g.role for g in grants(user)}


def organisations(user: Any, role_set: Iterable[str] = ENTERPRISE_ROLES) -> list[int]:
    wanted = set(role_set)
    return sorted({g.organisation_id for g in grants(user) if g.role in wanted})
