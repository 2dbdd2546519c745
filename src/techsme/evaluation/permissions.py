"""Actions of the evaluation process, registered into ``core.permissions.ACTIONS`` at import.

Each transition of the workflow tables becomes an action ``evaluation.<workflow>.<transition>`` whose roles are the
table's roles (so the permission check and the state table cannot disagree); pseudo-roles are left out (public
transitions are not scope-checked, system transitions are taken without a user).
"""

from techsme.accounts.roles import AGENCY_ROLES, ENTERPRISE_ROLES, Role
from techsme.core.permissions import ACTIONS
from techsme.core.workflow import PUBLIC, SYSTEM
from techsme.evaluation.workflows import WORKFLOWS

_PSEUDO = {PUBLIC, SYSTEM}


def action_name(workflow_key: str, transition: str) -> str:
    return f"evaluation.{workflow_key}.{transition}"


EVALUATION_ACTIONS: dict[str, frozenset[str]] = {
    "evaluation.view": AGENCY_ROLES | ENTERPRISE_ROLES,
    "evaluation.start": frozenset(ENTERPRISE_ROLES),
    "evaluation.review_queue": frozenset({Role.AGENCY_REVIEWER, Role.AGENCY_ADMIN}),
    "evaluation.revocation.notice": frozenset({Role.AGENCY_ADMIN}),
    "evaluation.settings": frozenset({Role.AGENCY_ADMIN}),
    "evaluation.import": frozenset({Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER}),
    "evaluation.publicity": frozenset({Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER}),
    "evaluation.change_report": frozenset(ENTERPRISE_ROLES),
    # The agency's follow-up page (pending revocations, change reports) and acknowledging a change report.
    "evaluation.change_report.review": frozenset({Role.AGENCY_REVIEWER, Role.AGENCY_ADMIN}),
    # Approving (accepting, publishing, registering) a filing that fails a criterion of ``evaluation.criteria``.
    "evaluation.filing.override": frozenset({Role.AGENCY_ADMIN}),
}
for _key, _workflow in WORKFLOWS.items():
    for _t in _workflow.transitions:
        if PUBLIC not in _t.roles:
            EVALUATION_ACTIONS[action_name(_key, _t.name)] = frozenset(_t.roles - _PSEUDO)

ACTIONS.update(EVALUATION_ACTIONS)
