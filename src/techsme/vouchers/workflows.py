"""The state tables of the voucher process (the single source for services, permission actions and the docs)."""

from django.utils.translation import gettext_lazy as _

from techsme.accounts.roles import Role
from techsme.core.workflow import SYSTEM, Transition, Workflow
from techsme.vouchers.models import ApplicationState, ContractState, ProgrammeState, ProviderState, VoucherState

ENTERPRISE = (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER)
MANAGERS = (Role.PROGRAMME_MANAGER, Role.AGENCY_ADMIN)
STAFF = (Role.AGENCY_REVIEWER, Role.PROGRAMME_MANAGER, Role.AGENCY_ADMIN)
PROVIDER = (Role.PROVIDER_STAFF,)
A, V, P, C, G = ApplicationState, VoucherState, ProviderState, ContractState, ProgrammeState

PROGRAMME_WORKFLOW = Workflow(
    subject=_("voucher programme"),
    states=dict(ProgrammeState.choices),
    transitions=[
        Transition("edit", (G.OPEN, G.SUSPENDED), None, MANAGERS, label=_("edit the settings of")),
        Transition("suspend", G.OPEN, G.SUSPENDED, MANAGERS, label=_("suspend")),
        Transition("resume", G.SUSPENDED, G.OPEN, MANAGERS, label=_("resume")),
        Transition("close", (G.OPEN, G.SUSPENDED), G.CLOSED, MANAGERS, label=_("close")),
    ],
)

APPLICATION_WORKFLOW = Workflow(
    subject=_("voucher application"),
    states=dict(ApplicationState.choices),
    transitions=[
        Transition("approve", A.SUBMITTED, A.APPROVED, MANAGERS, label=_("approve")),
        Transition("reject", A.SUBMITTED, A.REJECTED, MANAGERS, label=_("reject")),
    ],
)

VOUCHER_WORKFLOW = Workflow(
    subject=_("voucher"),
    states=dict(VoucherState.choices),
    transitions=[
        Transition("cancel", V.ACTIVE, V.CANCELLED, MANAGERS, label=_("cancel")),
        Transition("expire", V.ACTIVE, V.EXPIRED, (SYSTEM, Role.AGENCY_ADMIN), label=_("expire")),
    ],
)

PROVIDER_WORKFLOW = Workflow(
    subject=_("service provider"),
    states=dict(ProviderState.choices),
    transitions=[
        Transition("approve", P.PENDING, P.APPROVED, MANAGERS, label=_("approve")),
        Transition("reject", P.PENDING, P.REJECTED, MANAGERS, label=_("reject")),
        Transition("add_service", (P.PENDING, P.APPROVED), None, PROVIDER, label=_("add a service to")),
        Transition("edit_service", (P.PENDING, P.APPROVED), None, PROVIDER, label=_("edit a service of")),
        Transition("withdraw_service", (P.PENDING, P.APPROVED), None, PROVIDER, label=_("withdraw a service of")),
    ],
)

CONTRACT_WORKFLOW = Workflow(
    subject=_("service contract"),
    states=dict(ContractState.choices),
    transitions=[
        # SYSTEM: the instruments app redeems on the owner institution's behalf when an enterprise pays a recorded
        # instrument usage (the owner's staff recorded the usage and its charge; see instruments.services).
        Transition("redeem", C.RECORDED, C.REDEEMED, PROVIDER + (SYSTEM,), label=_("redeem the voucher for")),
        Transition("withdraw", C.RECORDED, C.CANCELLED, ENTERPRISE + PROVIDER, label=_("withdraw")),
        Transition("confirm_delivery", C.REDEEMED, C.DELIVERED, PROVIDER, label=_("confirm the delivery of")),
        Transition("verify", C.DELIVERED, C.VERIFIED, STAFF, label=_("verify")),
        Transition("refund", (C.REDEEMED, C.DELIVERED, C.VERIFIED), None, MANAGERS, label=_("refund")),
        Transition("cancel", (C.REDEEMED, C.DELIVERED), C.CANCELLED, MANAGERS, label=_("cancel")),
        Transition("reimburse", C.VERIFIED, C.REIMBURSED, MANAGERS, label=_("reimburse")),
    ],
)

WORKFLOWS = {
    "programme": PROGRAMME_WORKFLOW,
    "application": APPLICATION_WORKFLOW,
    "voucher": VOUCHER_WORKFLOW,
    "provider": PROVIDER_WORKFLOW,
    "contract": CONTRACT_WORKFLOW,
}


def documentation_tables() -> str:
    """All state tables as Markdown (as pasted into docs/vouchers.md)."""
    from techsme.core.workflow import PUBLIC

    labels = dict(Role.choices) | {PUBLIC: _("anyone (public)"), SYSTEM: _("the system (scheduled job)")}
    return "\n".join(f"#### {key}\n\n{workflow.as_markdown(labels)}" for key, workflow in WORKFLOWS.items())
