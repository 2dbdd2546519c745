"""Actions of the instruments app, added to the one permission table (``core.permissions.ACTIONS``) at import.

Owner side: provider staff (institutes, universities, labs) and enterprise administrators whose organisation owns the
instrument manage it, decide its bookings and record its usage. User side: members of any enterprise or provider
organisation request bookings for their organisation. Agency staff read statistics within their region.
"""

from techsme.accounts.roles import AGENCY_ROLES, ENTERPRISE_ROLES, Role
from techsme.core.permissions import ACTIONS

OWNER_ROLES = frozenset({Role.PROVIDER_STAFF, Role.ENTERPRISE_ADMIN})
BOOKER_ROLES = ENTERPRISE_ROLES | {Role.PROVIDER_STAFF}

ACTIONS.update({
    # obj: Instrument (owner organisation)
    "instrument.manage": OWNER_ROLES,
    # obj: Booking (requesting organisation)
    "instrument.book": BOOKER_ROLES,
    # obj: Instrument (owner organisation, or the agency's region)
    "instrument.stats": OWNER_ROLES | AGENCY_ROLES,
})
