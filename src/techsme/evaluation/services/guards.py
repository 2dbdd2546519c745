"""The guard of every approving verb: a filing that fails a criterion is refused, unless overridden.

Accepting a filing, accepting many, registering a held one: each rests on the criteria of ``evaluation.criteria``.
When a filing fails one that no earlier override covers, the verb refuses (409, the message names the filing and the
criteria), unless the caller asks for an override: then only a role holding ``evaluation.filing.override`` (the
agency administrator of the region) may take it, and only with a written reason. The override is stored on the
filing (reason, criteria, who, when) and audited in the verb's transaction.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from techsme.core.permissions import can
from techsme.evaluation import criteria
from techsme.evaluation.models import Filing
from techsme.evaluation.services.common import audit_event

OVERRIDE_ACTION = "evaluation.filing.override"
MAX_OVERRIDE_REASON = 2000
OVERRIDE_FIELDS = ["override_reason", "override_criteria", "override_by", "override_at"]


def refusal(failing: dict[Filing, list[str]], total: int) -> str:
    """Why the approval is refused, in words: one filing by name, many as counts per criterion."""
    if total == 1 and len(failing) == 1:
        ((filing, codes),) = failing.items()
        return _("%(name)s fails the criteria of a technology-based SME: %(reasons)s Approving it needs an override "
                 "with a written reason by an agency administrator.") % {
            "name": filing.enterprise.name, "reasons": " ".join(criteria.texts(codes))}
    counts = Counter(code for codes in failing.values() for code in codes)
    listed = "; ".join(f"{text} ({counts[code]})" for code, text in
                       ((code, str(criteria.CRITERIA.get(code, code))) for code in sorted(counts)))
    return _("%(failing)d of the %(total)d selected filings fail the criteria of a technology-based SME: "
             "%(counts)s. Approving them needs an override with a written reason by an agency administrator.") % {
        "failing": len(failing), "total": total, "counts": listed}


def guard_approval(*, actor: Any, filings: Iterable[Filing], step: str, override: bool = False,
                   override_reason: str = "",
                   failed: Callable[[Filing], list[str]] = criteria.failed_criteria) -> dict[Filing, list[str]]:
    """Refuse, or record the override for, the filings that fail a criterion no earlier override covers.

    ``failed`` gives a filing's failed criteria (by default its stored assessment); ``step`` names the approving
    transition in the audit event. Returns the overridden filings with their criteria (empty: nothing failed).
    Call it inside the verb's transaction, with the filings locked.
    """
    filings = list(filings)
    failing = {f: codes for f in filings if (codes := criteria.uncovered(f, failed(f)))}
    if not failing:
        return {}
    if not override:
        raise Conflict(refusal(failing, len(filings)))
    for filing in failing:
        if not can(actor, OVERRIDE_ACTION, filing):
            raise PermissionDenied(_("Only an agency administrator of the region may override the criteria of "
                                     "%(name)s.") % {"name": filing.enterprise.name})
    reason = (override_reason or "").strip()
    if not reason:
        raise InvalidInput([FieldError("override_reason", _("Write the reason for the override."))])
    if len(reason) > MAX_OVERRIDE_REASON:
        raise InvalidInput([FieldError("override_reason", _("Keep the reason within %(n)d characters.") % {
            "n": MAX_OVERRIDE_REASON})])
    now = timezone.now()
    for filing, codes in failing.items():
        filing.override_reason = reason
        filing.override_criteria = sorted(set(filing.override_criteria or []) | set(codes))
        filing.override_by = actor if getattr(actor, "is_authenticated", False) else None
        filing.override_at = now
        filing.save(update_fields=OVERRIDE_FIELDS)
        audit_event(actor, "evaluation.filing.override", filing, filing, step=step, criteria=codes, reason=reason)
    return failing
