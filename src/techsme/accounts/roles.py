"""Roles, organisation kinds and agency levels: plain data kept in ``core.roles`` (the ground floor, which the
permission module reads without importing any app); re-exported here for the apps that know them as accounts'."""

from techsme.core.roles import (
    AGENCY_ROLES,
    ENTERPRISE_ROLES,
    LEVEL_PREFIX_LENGTH,
    ROLES_BY_KIND,
    AgencyLevel,
    OrgKind,
    Role,
)

__all__ = ["AGENCY_ROLES", "ENTERPRISE_ROLES", "LEVEL_PREFIX_LENGTH", "ROLES_BY_KIND", "AgencyLevel", "OrgKind",
           "Role"]
