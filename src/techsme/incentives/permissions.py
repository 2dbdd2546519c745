"""Actions of the incentives app, registered into ``core.permissions.ACTIONS`` from ``apps.py``."""

from techsme.accounts.roles import AGENCY_ROLES, ENTERPRISE_ROLES, Role
from techsme.core.permissions import ACTIONS

INCENTIVE_ACTIONS: dict[str, frozenset[str]] = {
    # See the incentives of an enterprise (its own staff; agency staff in scope).
    "incentives.view": AGENCY_ROLES | ENTERPRISE_ROLES,
    # Outreach lists, their export and the bulk notification.
    "incentives.outreach": frozenset({Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER, Role.AGENCY_REVIEWER}),
    "incentives.notify": frozenset({Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER}),
    # Reform scenarios: see the agency's scenarios; build and run them.
    "incentives.scenario.view": AGENCY_ROLES,
    "incentives.scenario.run": frozenset({Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER}),
}

ACTIONS.update(INCENTIVE_ACTIONS)
