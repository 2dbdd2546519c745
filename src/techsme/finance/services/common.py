"""Helpers shared by every finance verb: the permission and state check, the criteria rule, audit events, amounts.

Decision criteria: a deciding verb (admit a bank, confirm a loan, approve or pay a compensation) first lists the
``Problem``s of its object. A problem that is not ``overridable`` always refuses the decision. An overridable problem
refuses it too, unless the actor holds ``finance.override`` (agency administrators: the officer who decides is not
the one who waives a rule) and gives a reason; the decision then goes ahead, and the codes of the overridden criteria,
the reason and the officer are stored on the record and in the audit event of the decision.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techsme.core import audit
from techsme.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from techsme.core.permissions import can
from techsme.core.workflow import SYSTEM, Transition
from techsme.finance.permissions import action_name
from techsme.finance.workflows import WORKFLOWS

# The generic pieces of the voucher module are reused, not copied: amounts, retries, roles, the refusal type.
from techsme.vouchers.services.common import actor_roles, parse_amount, retrying, user_of, yuan
from techsme.vouchers.services.criteria import CriteriaNotMet, Problem

__all__ = [
    "CENT", "CriteriaNotMet", "Problem", "ZERO", "authorize", "enforce", "event", "invalid", "local_today", "now",
    "parse_amount", "parse_pct", "retrying", "share_of", "user_of", "yuan",
]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
OVERRIDE_ACTION = "finance.override"

# Labels of the criteria codes, for records and lists (the messages of a refusal are more specific).
LABELS = {
    "no_local_presence": gettext_lazy("no branch in the pool's region"),
    "no_tech_branch": gettext_lazy("neither a technology branch nor dedicated technology-credit staff"),
    "not_eligible": gettext_lazy("borrower does not meet the agreement's rule"),
    "terms": gettext_lazy("loan terms outside the agreement"),
    "suspended": gettext_lazy("the bank's enrolments are suspended"),
    "late_claim": gettext_lazy("claim filed after the claim window"),
    "no_documents": gettext_lazy("no supporting documents"),
    "nothing_to_compensate": gettext_lazy("nothing left to compensate"),
    "caps_exhausted": gettext_lazy("the caps leave nothing"),
    "pool_short": gettext_lazy("the pool's balance is too low"),
    "same_officer": gettext_lazy("approved and paid by the same officer"),
    "loan_not_in_default": gettext_lazy("the loan is no longer in default"),
}


def labels(codes: list[str]) -> list[str]:
    return [str(LABELS.get(code, code)) for code in codes]


def now() -> Any:
    return timezone.now()


def local_today() -> date:
    return timezone.localdate()


def invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput([FieldError(field, message)])


def parse_pct(value: Any, field: str, low: Decimal = Decimal("0"), high: Decimal = Decimal("100")) -> Decimal:
    """A percentage with at most two decimals inside ``[low, high]`` (``"4.35"`` → 4.35)."""
    try:
        number = Decimal(str(value).strip().removesuffix("%"))
    except Exception:
        number = None
    if number is None or not number.is_finite() or number != number.quantize(CENT) or not low <= number <= high:
        raise invalid(field, _("Enter a percentage between %(low)s and %(high)s with at most two decimals.")
                      % {"low": low, "high": high})
    return number.quantize(CENT)


def share_of(amount: Decimal, pct: Decimal) -> Decimal:
    """``pct`` % of ``amount``, half-up to the fen."""
    return (amount * pct / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


def authorize(actor: Any, key: str, name: str, obj: Any, state: str) -> Transition:
    """Scope first (an outsider learns nothing about the state), then the state table."""
    workflow = WORKFLOWS[key]
    t = workflow.transition(name)
    system = actor is None and SYSTEM in t.roles
    if not system and not can(actor, action_name(key, name), obj):
        raise PermissionDenied(
            _("You may not %(action)s this %(subject)s.") % {"action": t.label, "subject": workflow.subject}
        )
    return workflow.check(name, state, actor_roles(actor), obj)


def enforce(problems: list[Problem], *, actor: Any, override_reason: str, scope_obj: Any) -> tuple[list[str], str]:
    """``([], "")`` when nothing fails; the overridden codes and the reason when an entitled actor overrides with a
    reason; otherwise ``CriteriaNotMet`` (or ``PermissionDenied`` when someone not entitled tries to override)."""
    reason = (override_reason or "").strip()[:2000]
    if not problems:
        return [], ""
    entitled = can(actor, OVERRIDE_ACTION, scope_obj)
    overridable = all(p.overridable for p in problems)
    if reason and overridable and not entitled:
        raise PermissionDenied(_("Only an agency administrator may override the criteria of this decision."))
    if not (reason and overridable and entitled):
        raise CriteriaNotMet(problems, may_override=overridable and entitled)
    return [p.code for p in problems], reason


def event(actor: Any, verb: str, obj: Any, region: str, org: int | None, **changes: Any) -> None:
    audit.record(actor=actor, verb=f"finance.{verb}", obj=obj, changes=changes, region_code=region,
                 organisation_id=org)


def required_text(value: Any, field: str, message: str, limit: int = 2000) -> str:
    text = str(value or "").strip()
    if not text:
        raise invalid(field, message)
    if len(text) > limit:
        raise invalid(field, _("At most %(n)d characters.") % {"n": limit})
    return text


def conflict(message: str) -> Conflict:
    return Conflict(message)
