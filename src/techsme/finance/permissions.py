"""Actions of the finance processes, registered into ``core.permissions.ACTIONS`` from ``FinanceConfig.ready``.

Each workflow transition becomes ``finance.<workflow>.<transition>`` with the table's roles, so the permission check
and the state table cannot disagree. Scope: agency roles act inside their region (a pool's region), bank officers on
their bank's admissions, agreements, loans and claims, enterprises on their own loans (``BorrowerLoan``).
"""

from techsme.accounts.roles import AGENCY_ROLES, ENTERPRISE_ROLES, Role
from techsme.core.permissions import ACTIONS
from techsme.core.workflow import PUBLIC, SYSTEM
from techsme.finance.workflows import MANAGERS, WORKFLOWS

_PSEUDO = {PUBLIC, SYSTEM}
BANK = frozenset({Role.BANK_OFFICER})
INVESTOR = frozenset({Role.INVESTOR_STAFF})


def action_name(workflow_key: str, transition: str) -> str:
    return f"finance.{workflow_key}.{transition}"


FINANCE_ACTIONS: dict[str, frozenset[str]] = {
    "finance.view": AGENCY_ROLES | BANK,  # pools, agreements, loans, claims in scope
    "finance.borrower.view": frozenset(ENTERPRISE_ROLES),  # an enterprise's own loans
    "finance.pool.manage": frozenset(MANAGERS),  # create and fund pools, sign agreements
    "finance.admission.apply": BANK,
    "finance.loan.create": BANK,
    "finance.claim.create": BANK,
    "finance.export": AGENCY_ROLES | BANK,
    # Decide although an overridable criterion fails (with a reason, audited; see services.criteria).
    "finance.override": frozenset({Role.AGENCY_ADMIN}),
    "finance.subsidy.manage": frozenset(MANAGERS),
    "finance.subsidy.view": AGENCY_ROLES,
    "finance.investment.view": AGENCY_ROLES | INVESTOR,
    "finance.investment.record": frozenset(MANAGERS) | INVESTOR,
    "finance.listing.view": AGENCY_ROLES | frozenset(ENTERPRISE_ROLES),
    "finance.listing.manage": frozenset(MANAGERS),
    "finance.listing.consent": frozenset({Role.ENTERPRISE_ADMIN}),
    "finance.monitor": AGENCY_ROLES,
}
for _key, _workflow in WORKFLOWS.items():
    for _t in _workflow.transitions:
        FINANCE_ACTIONS[action_name(_key, _t.name)] = frozenset(_t.roles - _PSEUDO)

ACTIONS.update(FINANCE_ACTIONS)
