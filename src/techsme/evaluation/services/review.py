"""The agency's review of submitted filings: accept, return or reject, one at a time or in a batch."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from techsme.core.errors import FieldError, InvalidInput
from techsme.evaluation.models import (
    Filing,
)
from techsme.evaluation.services.common import authorize, lock_filing, move_filing, notify_state, require_text


def _decide(actor: Any, filing: Filing, decision: str, reason: str) -> Filing:
    if decision not in ("accept", "return", "reject"):
        raise InvalidInput([FieldError("decision", _("Choose accept, return or reject."))])
    if decision in ("return", "reject"):
        reason = require_text("reason", reason, _("Give the reasons for returning or rejecting the filing."))
    filing = lock_filing(filing)
    authorize(actor, "filing", decision, filing, filing.state)
    move_filing(filing, decision, actor, reason or "")
    notify_state(filing, reason)
    return filing


def do_decide_filing(*, actor: Any, filing: Filing, decision: str, reason: str = "") -> Filing:
    """Accept, return (with reasons) or reject (with reasons) a submitted filing."""
    with transaction.atomic():
        return _decide(actor, filing, decision, reason)


def do_decide_batch(*, actor: Any, filing_ids: Iterable[int], decision: str, reason: str = "") -> list[Filing]:
    """The same decision on many filings, all or nothing (rows locked in id order)."""
    ids = sorted(set(filing_ids))
    if not ids:
        raise InvalidInput([FieldError("filings", _("Select at least one filing."))])
    with transaction.atomic():
        found = list(Filing.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        if found != ids:
            raise InvalidInput([FieldError("filings", _("Some of the selected filings do not exist."))])
        return [_decide(actor, pk, decision, reason) for pk in ids]
