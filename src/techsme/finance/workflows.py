"""The state tables of the finance processes (the single source for services, permission actions and the docs)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techsme.accounts.roles import Role
from techsme.core.workflow import SYSTEM, Transition, Workflow
from techsme.finance.models import AdmissionState, AgreementState, ClaimState, LoanState

BANK = (Role.BANK_OFFICER,)
MANAGERS = (Role.PROGRAMME_MANAGER, Role.AGENCY_ADMIN)
STAFF = (Role.AGENCY_REVIEWER, Role.PROGRAMME_MANAGER, Role.AGENCY_ADMIN)
A, G, L, C = AdmissionState, AgreementState, LoanState, ClaimState

ADMISSION_WORKFLOW = Workflow(
    subject=_("bank admission"),
    states=dict(AdmissionState.choices),
    transitions=[
        Transition("admit", A.APPLIED, A.ADMITTED, MANAGERS, label=_("admit")),
        Transition("refuse", A.APPLIED, A.REFUSED, MANAGERS, label=_("refuse")),
        Transition("withdraw", A.APPLIED, A.WITHDRAWN, BANK, label=_("withdraw")),
    ],
)

AGREEMENT_WORKFLOW = Workflow(
    subject=_("pool agreement"),
    states=dict(AgreementState.choices),
    transitions=[
        Transition("suspend", G.ACTIVE, G.SUSPENDED, MANAGERS + (SYSTEM,), label=_("suspend")),
        Transition("resume", G.SUSPENDED, G.ACTIVE, MANAGERS, label=_("resume")),
        Transition("end", (G.ACTIVE, G.SUSPENDED), G.ENDED, MANAGERS, label=_("end")),
    ],
)

LOAN_WORKFLOW = Workflow(
    subject=_("loan"),
    states=dict(LoanState.choices),
    transitions=[
        Transition("file", L.DRAFT, L.FILED, BANK, label=pgettext_lazy("verb", "file")),
        Transition("edit", L.DRAFT, None, BANK, label=_("edit")),
        Transition("withdraw", (L.DRAFT, L.FILED), L.WITHDRAWN, BANK, label=_("withdraw")),
        Transition("accept", L.FILED, L.ENROLLED, MANAGERS, label=_("confirm the enrolment of")),
        Transition("refuse", L.FILED, L.REFUSED, MANAGERS, label=_("refuse")),
        Transition("return", L.FILED, L.DRAFT, STAFF, label=_("return for correction")),
        Transition("repay", L.ENROLLED, None, BANK, label=_("record a repayment of")),
        Transition("default", L.ENROLLED, L.DEFAULTED, BANK, label=_("report the default of")),
        Transition("write_off", L.DEFAULTED, L.WRITTEN_OFF, (SYSTEM,) + MANAGERS, label=_("write off")),
    ],
)

CLAIM_WORKFLOW = Workflow(
    subject=_("compensation claim"),
    states=dict(ClaimState.choices),
    transitions=[
        Transition("edit", (C.DRAFT, C.RETURNED), None, BANK, label=_("edit")),
        Transition("submit", (C.DRAFT, C.RETURNED), C.SUBMITTED, BANK, label=_("submit")),
        Transition("withdraw", (C.DRAFT, C.RETURNED, C.SUBMITTED), C.WITHDRAWN, BANK, label=_("withdraw")),
        Transition("first_review", C.SUBMITTED, C.UNDER_REVIEW, STAFF, label=_("complete the first review of")),
        Transition("return", (C.SUBMITTED, C.UNDER_REVIEW), C.RETURNED, STAFF, label=_("return")),
        Transition("approve", C.UNDER_REVIEW, C.APPROVED, MANAGERS, label=_("approve")),
        Transition("reject", (C.SUBMITTED, C.UNDER_REVIEW), C.REJECTED, MANAGERS, label=_("reject")),
        Transition("pay", C.APPROVED, C.PAID, MANAGERS, label=_("pay")),
        Transition("recover", C.PAID, None, BANK, label=_("record a recovery on")),
    ],
)

WORKFLOWS = {
    "admission": ADMISSION_WORKFLOW,
    "agreement": AGREEMENT_WORKFLOW,
    "loan": LOAN_WORKFLOW,
    "claim": CLAIM_WORKFLOW,
}


def documentation_tables() -> str:
    """All state tables as Markdown (as pasted into docs/finance.md)."""
    from techsme.core.workflow import PUBLIC

    labels = dict(Role.choices) | {PUBLIC: _("anyone (public)"), SYSTEM: _("the system (scheduled job)")}
    return "\n".join(f"#### {key}\n\n{workflow.as_markdown(labels)}" for key, workflow in WORKFLOWS.items())
