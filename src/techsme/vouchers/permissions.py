"""Actions of the voucher process, registered into ``core.permissions.ACTIONS`` from ``VouchersConfig.ready``.

Each workflow transition becomes ``vouchers.<workflow>.<transition>`` with the table's roles, so the permission check
and the state table cannot disagree.
"""

from techsme.accounts.roles import AGENCY_ROLES, ENTERPRISE_ROLES, Role
from techsme.core.permissions import ACTIONS
from techsme.core.workflow import PUBLIC, SYSTEM
from techsme.vouchers.workflows import MANAGERS, WORKFLOWS

_PSEUDO = {PUBLIC, SYSTEM}


def action_name(workflow_key: str, transition: str) -> str:
    return f"vouchers.{workflow_key}.{transition}"


VOUCHER_ACTIONS: dict[str, frozenset[str]] = {
    "vouchers.view": AGENCY_ROLES | ENTERPRISE_ROLES | {Role.PROVIDER_STAFF},
    "vouchers.programme.manage": frozenset(MANAGERS),
    "vouchers.apply": frozenset(ENTERPRISE_ROLES),
    "vouchers.contract.record": frozenset(ENTERPRISE_ROLES),
    "vouchers.provider.register": frozenset({Role.PROVIDER_STAFF}),
    # Decide although an overridable criterion fails (with a reason, audited; see services.criteria).
    "vouchers.override": frozenset({Role.AGENCY_ADMIN}),
}
for _key, _workflow in WORKFLOWS.items():
    for _t in _workflow.transitions:
        VOUCHER_ACTIONS[action_name(_key, _t.name)] = frozenset(_t.roles - _PSEUDO)

ACTIONS.update(VOUCHER_ACTIONS)
