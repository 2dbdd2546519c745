"""Actions of the registry, registered into ``core.permissions.ACTIONS`` from ``apps.py``.

Who writes the registry (docs/roles-and-scope.md, "Write matrix"): the enterprise itself and the agency
administrator in whose region it lies. A programme manager registers new enterprises (one by one or by import, in
its region) but never changes an enterprise that is already registered, nor its facts; a change of region is a
request that the receiving agency's administrator accepts.
"""

from techsme.core.permissions import ACTIONS
from techsme.core.roles import AGENCY_ROLES, ENTERPRISE_ROLES, Role

_ADMIN = frozenset({Role.AGENCY_ADMIN})

REGISTRY_ACTIONS: dict[str, frozenset[str]] = {
    "enterprise.view": AGENCY_ROLES | ENTERPRISE_ROLES,
    "enterprise.create": frozenset({Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER}),
    "enterprise.edit": frozenset({Role.AGENCY_ADMIN, Role.ENTERPRISE_ADMIN}),
    # change the region code directly: only inside the agency administrator's own area (old and new region)
    "enterprise.move": _ADMIN,
    "facts.edit": frozenset({Role.AGENCY_ADMIN, Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER}),
    "ip.edit": frozenset({Role.AGENCY_ADMIN, Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER}),
    # bulk import: new enterprises (with enterprise.create in their region) …
    "registry.import": frozenset({Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER}),
    # … and rows of an enterprise already registered (its identity and facts are overwritten): the owner agency only
    "registry.import.update": _ADMIN,
    "registry.export": AGENCY_ROLES,
    # region changes: the enterprise (or its current agency) asks, the receiving agency decides
    "region_change.view": AGENCY_ROLES | ENTERPRISE_ROLES,
    "region_change.request": frozenset({Role.ENTERPRISE_ADMIN, Role.AGENCY_ADMIN}),
    "region_change.decide": _ADMIN,
}

ACTIONS.update(REGISTRY_ACTIONS)
