"""The state tables of the evaluation process (the single source for services, checks and documentation)."""

from django.utils.translation import gettext_lazy as _

from techsme.accounts.roles import Role
from techsme.core.workflow import PUBLIC, SYSTEM, Transition, Workflow
from techsme.evaluation.models import BatchState, FilingState, ObjectionState, RevocationState

F = FilingState
ENTERPRISE = (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER)
REVIEWERS = (Role.AGENCY_REVIEWER, Role.AGENCY_ADMIN)
PUBLISHERS = (Role.PROGRAMME_MANAGER, Role.AGENCY_ADMIN)


def _attested(filing) -> str | None:
    if not filing.attestation:
        return str(_("Tick the attestation that the data are true and complete before submitting."))
    return None


FILING_WORKFLOW = Workflow(
    subject=_("filing"),
    states=dict(FilingState.choices),
    transitions=[
        Transition("update", (F.DRAFT, F.RETURNED), None, ENTERPRISE, label=_("edit")),
        Transition("submit", (F.DRAFT, F.RETURNED), F.SUBMITTED, ENTERPRISE, guard=_attested, label=_("submit")),
        Transition("route_imported", F.IMPORTED, F.SUBMITTED, (SYSTEM, *REVIEWERS, Role.PROGRAMME_MANAGER),
                   label=_("route into the review queue")),
        Transition("onsite_check", (F.SUBMITTED, F.ACCEPTED), None, REVIEWERS,
                   label=_("record the on-site check of")),
        Transition("accept", F.SUBMITTED, F.ACCEPTED, REVIEWERS, label=_("accept")),
        Transition("return", F.SUBMITTED, F.RETURNED, REVIEWERS, label=_("return")),
        Transition("reject", (F.SUBMITTED, F.ACCEPTED, F.HELD), F.REJECTED, REVIEWERS, label=_("reject")),
        Transition("publish", F.ACCEPTED, F.IN_PUBLICITY, PUBLISHERS, label=_("publish")),
        Transition("object", F.IN_PUBLICITY, None, (PUBLIC,), label=_("lodge an objection against")),
        Transition("register", F.IN_PUBLICITY, F.REGISTERED, PUBLISHERS, label=_("register")),
        Transition("hold", F.IN_PUBLICITY, F.HELD, PUBLISHERS, label=_("hold the registration of")),
        Transition("release", F.HELD, F.REGISTERED, PUBLISHERS, label=_("register")),
        Transition("uphold_objection", F.IN_PUBLICITY, F.OBJECTION_UPHELD, PUBLISHERS,
                   label=_("refuse after an upheld objection")),
        Transition("annual_update", F.REGISTERED, None, ENTERPRISE,
                   label=_("make the annual update of")),
        Transition("lapse", F.REGISTERED, F.LAPSED, (SYSTEM, Role.AGENCY_ADMIN), label=_("lapse")),
        Transition("revoke", (F.REGISTERED, F.LAPSED), F.REVOKED, (Role.AGENCY_ADMIN,), label=_("revoke")),
    ],
)

BATCH_WORKFLOW = Workflow(
    subject=_("publicity batch"),
    states=dict(BatchState.choices),
    transitions=[Transition("close", BatchState.OPEN, BatchState.CLOSED, PUBLISHERS, label=_("close"))],
)

OBJECTION_WORKFLOW = Workflow(
    subject=_("objection"),
    states=dict(ObjectionState.choices),
    transitions=[
        Transition("uphold", ObjectionState.OPEN, ObjectionState.UPHELD, PUBLISHERS, label=_("uphold")),
        Transition("dismiss", ObjectionState.OPEN, ObjectionState.DISMISSED, PUBLISHERS, label=_("dismiss")),
    ],
)

REVOCATION_WORKFLOW = Workflow(
    subject=_("revocation procedure"),
    states=dict(RevocationState.choices),
    transitions=[
        Transition("defend", RevocationState.NOTICE, RevocationState.DEFENCE, (Role.ENTERPRISE_ADMIN,),
                   label=_("submit a defence in")),
        Transition("decide", (RevocationState.NOTICE, RevocationState.DEFENCE), RevocationState.DECIDED,
                   (Role.AGENCY_ADMIN,), label=_("decide")),
    ],
)

WORKFLOWS = {
    "filing": FILING_WORKFLOW,
    "batch": BATCH_WORKFLOW,
    "objection": OBJECTION_WORKFLOW,
    "revocation": REVOCATION_WORKFLOW,
}


def documentation_tables() -> str:
    """All state tables as Markdown (role names in the active language), as pasted into docs/evaluation.md."""
    from techsme.accounts.roles import Role

    labels = dict(Role.choices) | {PUBLIC: _("anyone (public)"), SYSTEM: _("the system (scheduled job)")}
    titles = {"filing": _("Filing"), "batch": _("Publicity batch"), "objection": _("Objection"),
              "revocation": _("Revocation procedure")}
    return "\n".join(f"#### {titles[key]}\n\n{workflow.as_markdown(labels)}" for key, workflow in WORKFLOWS.items())
