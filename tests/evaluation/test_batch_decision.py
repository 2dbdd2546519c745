"""A batch decision is one transaction: every filing changes, or none does."""

import pytest

from techsme.core.errors import Conflict, InvalidInput, PermissionDenied
from techsme.core.models import AuditEvent
from techsme.evaluation.models import Filing, FilingDecision
from techsme.evaluation.services import do_decide_batch, do_decide_filing

pytestmark = pytest.mark.django_db


def _snapshot():
    return (sorted(Filing.objects.values_list("pk", "state")), FilingDecision.objects.count(),
            AuditEvent.objects.count())


def test_batch_accepts_all(flow) -> None:
    ids = [flow.submitted("sz").pk for _ in range(3)]
    decided = do_decide_batch(actor=flow["sz"]["reviewer"], filing_ids=reversed(ids), decision="accept")
    assert [f.pk for f in decided] == sorted(ids) and {f.state for f in decided} == {"accepted"}


def test_one_illegal_filing_refuses_the_whole_batch(flow) -> None:
    ids = [flow.submitted("sz").pk for _ in range(3)]
    do_decide_filing(actor=flow["sz"]["reviewer"], filing=Filing.objects.get(pk=ids[1]), decision="accept")
    before = _snapshot()
    with pytest.raises(Conflict):
        do_decide_batch(actor=flow["sz"]["reviewer"], filing_ids=ids, decision="return", reason="Scores too low")
    assert _snapshot() == before


def test_one_out_of_scope_filing_refuses_the_whole_batch(flow) -> None:
    ids = [flow.submitted("sz").pk, flow.submitted("sz").pk, flow.submitted("gz").pk]
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        do_decide_batch(actor=flow["sz"]["reviewer"], filing_ids=ids, decision="accept")
    assert _snapshot() == before


def test_batch_return_needs_a_reason_and_existing_filings(flow) -> None:
    ids = [flow.submitted("sz").pk]
    with pytest.raises(InvalidInput):
        do_decide_batch(actor=flow["sz"]["reviewer"], filing_ids=ids, decision="return")
    with pytest.raises(InvalidInput):
        do_decide_batch(actor=flow["sz"]["reviewer"], filing_ids=ids + [999999], decision="accept")
    with pytest.raises(InvalidInput):
        do_decide_batch(actor=flow["sz"]["reviewer"], filing_ids=[], decision="accept")
