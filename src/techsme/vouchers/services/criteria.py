"""The criteria each deciding verb rests on, and the one rule for overriding them.

A deciding verb (approve an application, verify a delivered contract, pay a reimbursement) first lists the
``Problem``s of its object. A problem that is not ``overridable`` always refuses the decision. An overridable problem
refuses it too, unless the actor holds ``vouchers.override`` (agency administrators: the officer who decides is not
the one who waives a rule) and gives a reason; the decision then goes ahead, and the codes of the overridden criteria,
the reason and the officer are stored on the record (shown there and in lists with a warning mark) and in the audit
event of the decision. ``CriteriaNotMet`` is a ``Conflict`` (HTTP 409) whose message names every failed criterion.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techsme.core.errors import Conflict, PermissionDenied
from techsme.core.permissions import can
from techsme.vouchers import eligibility
from techsme.vouchers.models import Application, Contract, ContractState

OVERRIDE_ACTION = "vouchers.override"

# Labels of the criteria codes, for records and lists (the messages of a refusal are more specific).
LABELS = {
    "not_eligible": gettext_lazy("does not meet the programme's eligibility rule"),
    "programme_expired": gettext_lazy("the programme's vouchers are no longer valid"),
    "no_delivery_report": gettext_lazy("no report of what was delivered"),
    "no_document": gettext_lazy("no contract document"),
    "nothing_redeemed": gettext_lazy("nothing redeemed to reimburse"),
    "not_verified": gettext_lazy("delivery not verified by the agency"),
    "already_reimbursed": gettext_lazy("already reimbursed"),
}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    overridable: bool


class CriteriaNotMet(Conflict):
    """The decision rests on criteria that fail; nothing was changed."""

    def __init__(self, problems: list[Problem], may_override: bool):
        self.problems = problems
        self.may_override = may_override
        text = " ".join(p.message for p in problems)
        if may_override:
            text += " " + _("An agency administrator may still decide so by recording an override with a reason.")
        super().__init__(text)


def labels(codes: list[str]) -> list[str]:
    return [str(LABELS.get(code, code)) for code in codes]


def may_override(actor: Any, scope_obj: Any) -> bool:
    return can(actor, OVERRIDE_ACTION, scope_obj)


def enforce(problems: list[Problem], *, actor: Any, override_reason: str, scope_obj: Any) -> tuple[list[str], str]:
    """``([], "")`` when nothing fails; the overridden codes and the reason when an entitled actor overrides with a
    reason; otherwise ``CriteriaNotMet`` (or ``PermissionDenied`` when someone not entitled tries to override)."""
    reason = (override_reason or "").strip()
    if not problems:
        return [], ""
    entitled = may_override(actor, scope_obj)
    overridable = all(p.overridable for p in problems)
    if reason and overridable and not entitled:
        raise PermissionDenied(_("Only an agency administrator may override the criteria of this decision."))
    if not (reason and overridable and entitled):
        raise CriteriaNotMet(problems, may_override=overridable and entitled)
    return [p.code for p in problems], reason


# ---------------------------------------------------------------------------------------------------------------
# the criteria


def application_problems(application: Application, today: date) -> list[Problem]:
    """What an approval of the application would break, judged on today's facts (the amount and caps are checked as
    input by the verb; the remaining budget by the ledger)."""
    programme, enterprise = application.programme, application.enterprise
    problems = []
    if programme.valid_until < today:
        problems.append(Problem("programme_expired", _(
            "The vouchers of programme “%(programme)s” were valid until %(date)s; a voucher issued now could not be "
            "used.") % {"programme": programme.name, "date": programme.valid_until.isoformat()}, False))
    failed = eligibility.failed_conditions(programme.eligibility, enterprise, programme.year)
    if failed:
        problems.append(Problem("not_eligible", _(
            "%(enterprise)s does not meet the programme's eligibility rule today: %(conditions)s.")
            % {"enterprise": enterprise.name, "conditions": "; ".join(failed)}, True))
    return problems


def has_evidence_document(contract: Contract) -> bool:
    """The contract document, or — for an instrument use paid by voucher — the owner's usage record."""
    return bool(contract.document) or hasattr(contract, "instrument_usage")


def verification_problems(contract: Contract) -> list[Problem]:
    """What must hold before the agency confirms that a service was delivered (and so becomes payable)."""
    problems = []
    if contract.net_amount <= 0 or contract.redeem_transaction_id is None:
        problems.append(Problem("nothing_redeemed", _(
            "Nothing of this contract is still redeemed (it was refunded in full); there is nothing to verify for "
            "payment."), False))
    if not contract.delivery_report.strip():
        problems.append(Problem("no_delivery_report", _(
            "The provider has not reported what was delivered."), False))
    if not has_evidence_document(contract):
        problems.append(Problem("no_document", _(
            "No contract document was attached, so the delivery cannot be checked against the contract."), True))
    return problems


def reimbursement_problems(contract: Contract) -> list[Problem]:
    """Checked again for every contract at payment: a contract that fails is held (not paid) with its reason."""
    problems = []
    if contract.state != ContractState.VERIFIED or contract.verified_at is None or contract.delivered_at is None:
        problems.append(Problem("not_verified", str(LABELS["not_verified"]), False))
    if contract.batch_id is not None:
        problems.append(Problem("already_reimbursed", str(LABELS["already_reimbursed"]), False))
    if contract.net_amount <= 0 or contract.redeem_transaction_id is None:
        problems.append(Problem("nothing_redeemed", str(LABELS["nothing_redeemed"]), False))
    if not contract.delivery_report.strip():
        problems.append(Problem("no_delivery_report", str(LABELS["no_delivery_report"]), False))
    if not has_evidence_document(contract) and "no_document" not in contract.overridden:
        problems.append(Problem("no_document", str(LABELS["no_document"]), False))
    return problems
