"""Actions of technology transfer, added to ``core.permissions.ACTIONS`` from ``TransferConfig.ready()``.

Publishing side: university and institute staff, enterprise staff and service-provider staff for their own
organisation. Moderation, contract registration and the catalogue: agency staff inside their region; the second
review of a contract claimed for tax relief and amendments of registered amounts: agency administrators only.
"""

from techsme.core.permissions import ACTIONS
from techsme.core.roles import AGENCY_ROLES, ENTERPRISE_ROLES, Role

PUBLISHER_ROLES = ENTERPRISE_ROLES | {Role.INSTITUTION_STAFF, Role.PROVIDER_STAFF}
SELLER_ROLES = PUBLISHER_ROLES | {Role.BROKER}
SOLVER_ROLES = ENTERPRISE_ROLES | {Role.INSTITUTION_STAFF, Role.PROVIDER_STAFF}
_REVIEWERS = frozenset({Role.AGENCY_REVIEWER, Role.AGENCY_ADMIN})
_ADMIN = frozenset({Role.AGENCY_ADMIN})

TRANSFER_ACTIONS: dict[str, frozenset[str]] = {
    # obj: Outcome (owner organisation) — write, submit, withdraw; agency staff read in their region
    "transfer.outcome.edit": PUBLISHER_ROLES,
    "transfer.outcome.view": PUBLISHER_ROLES | AGENCY_ROLES,
    "transfer.outcome.moderate": _REVIEWERS,
    # obj: Need (the enterprise's organisation) — confidential details included
    "transfer.need.edit": ENTERPRISE_ROLES,
    "transfer.need.view": ENTERPRISE_ROLES | AGENCY_ROLES,
    # obj: Match — the enterprise's side (need) and the owner's side (outcome) are checked separately
    "transfer.match.need_side": ENTERPRISE_ROLES,
    "transfer.match.outcome_side": PUBLISHER_ROLES,
    "transfer.match.run": frozenset({Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER}),
    # obj: Challenge (poster) and ChallengeEntry (solver)
    "transfer.challenge.post": frozenset({Role.ENTERPRISE_ADMIN, Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER}),
    "transfer.challenge.decide": frozenset({Role.ENTERPRISE_ADMIN, Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER}),
    "transfer.challenge.enter": SOLVER_ROLES,
    # obj: TechContract (seller organisation / seller's region)
    "transfer.contract.submit": SELLER_ROLES,
    "transfer.contract.view": SELLER_ROLES | AGENCY_ROLES,
    "transfer.contract.register": _REVIEWERS,
    "transfer.contract.second_review": _ADMIN,
    "transfer.contract.amend": _ADMIN,
    "transfer.contract.rate": PUBLISHER_ROLES,
    "transfer.stats": AGENCY_ROLES,
    # obj: InnovativeProduct (the enterprise's organisation / region)
    "transfer.product.submit": ENTERPRISE_ROLES,
    "transfer.product.decide": _REVIEWERS,
}

ACTIONS.update(TRANSFER_ACTIONS)
