"""The agency's review of submitted filings: accept, return or reject, one at a time or in a batch.

Accepting is guarded (``services.guards``): a filing that fails a criterion is refused with the reason, unless an
agency administrator records an override with a written reason.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from techsme.core.errors import FieldError, InvalidInput
from techsme.evaluation.models import Filing
from techsme.evaluation.services.common import authorize, lock_filing, move_filing, notify_state, require_text
from techsme.evaluation.services.filing import apply_score
from techsme.evaluation.services.guards import guard_approval

DECISIONS = ("accept", "return", "reject")


def _checked(decision: str, reason: str) -> str:
    if decision not in DECISIONS:
        raise InvalidInput([FieldError("decision", _("Choose accept, return or reject."))])
    if decision in ("return", "reject"):
        return require_text("reason", reason, _("Give the reasons for returning or rejecting the filing."))
    return (reason or "").strip()


def _decide_locked(actor: Any, filings: list[Filing], decision: str, reason: str, override: bool,
                   override_reason: str) -> list[Filing]:
    """Authorise every filing, guard an acceptance, then move them all (the rows are locked, in id order)."""
    for filing in filings:
        authorize(actor, "filing", decision, filing, filing.state)
    overridden: dict[Filing, list[str]] = {}
    if decision == "accept":
        for filing in filings:
            if filing.assessed_at is None:  # never assessed (the engine failed at submission): assess now
                apply_score(filing)
        overridden = guard_approval(actor=actor, filings=filings, step="accept", override=override,
                                    override_reason=override_reason)
    for filing in filings:
        why = filing.override_reason if filing in overridden else reason
        move_filing(filing, decision, actor, why or "")
        notify_state(filing, reason)
    return filings


def do_decide_filing(*, actor: Any, filing: Filing, decision: str, reason: str = "", override: bool = False,
                     override_reason: str = "") -> Filing:
    """Accept, return (with reasons) or reject (with reasons) a submitted filing.

    Accepting a filing that fails a criterion (a hard condition, a score below 60, a failed on-site check) is refused
    (``Conflict``) unless ``override`` is set by an agency administrator with ``override_reason``.
    """
    reason = _checked(decision, reason)
    with transaction.atomic():
        return _decide_locked(actor, [lock_filing(filing)], decision, reason, override, override_reason)[0]


def do_decide_batch(*, actor: Any, filing_ids: Iterable[int], decision: str, reason: str = "",
                    override: bool = False, override_reason: str = "") -> list[Filing]:
    """The same decision on many filings, all or nothing (rows locked in id order).

    An acceptance is refused as a whole when any filing fails a criterion, with the count per criterion, unless an
    agency administrator overrides (one written reason, recorded on each failing filing).
    """
    ids = sorted(set(filing_ids))
    if not ids:
        raise InvalidInput([FieldError("filings", _("Select at least one filing."))])
    reason = _checked(decision, reason)
    with transaction.atomic():
        filings = list(Filing.objects.select_for_update().filter(pk__in=ids).select_related("enterprise")
                       .order_by("pk"))
        if [f.pk for f in filings] != ids:
            raise InvalidInput([FieldError("filings", _("Some of the selected filings do not exist."))])
        return _decide_locked(actor, filings, decision, reason, override, override_reason)
