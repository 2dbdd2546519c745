"""Every transition refused from a state the table does not allow: Conflict with a reason, nothing changed."""

import pytest
from django.utils import translation

from techsme.core.errors import Conflict, PermissionDenied
from techsme.core.models import AuditEvent
from techsme.evaluation.models import Filing, FilingDecision, FilingState
from techsme.evaluation.services import (
    do_decide_filing,
    do_record_onsite_check,
    do_submit_filing,
    do_update_filing_facts,
)
from techsme.evaluation.workflows import FILING_WORKFLOW

pytestmark = pytest.mark.django_db

VERBS = {
    "accept": lambda flow, f: do_decide_filing(actor=flow["sz"]["reviewer"], filing=f, decision="accept"),
    "return": lambda flow, f: do_decide_filing(actor=flow["sz"]["reviewer"], filing=f, decision="return",
                                               reason="why"),
    "reject": lambda flow, f: do_decide_filing(actor=flow["sz"]["reviewer"], filing=f, decision="reject",
                                               reason="why"),
    "submit": lambda flow, f: do_submit_filing(actor=flow.owner(f), filing=f, attestation=True),
    "update": lambda flow, f: do_update_filing_facts(actor=flow.owner(f), filing=f, values={"employees": 31}),
    "onsite_check": lambda flow, f: do_record_onsite_check(actor=flow["sz"]["reviewer"], filing=f,
                                                           result="passed"),
}
CASES = [
    (state, verb)
    for state in FilingState.values
    for verb in VERBS
    if state not in FILING_WORKFLOW.transition(verb).source
]


def test_the_table_refuses_something_from_every_state() -> None:
    assert {state for state, _verb in CASES} == set(FilingState.values)


@pytest.mark.parametrize(("state", "verb"), CASES)
def test_illegal_transition_is_refused_and_nothing_changes(flow, state: str, verb: str) -> None:
    filing = flow.draft("sz")
    Filing.objects.filter(pk=filing.pk).update(state=state, attestation=True)  # set up the state directly
    filing.refresh_from_db()
    before = (Filing.objects.filter(pk=filing.pk).values().get(), FilingDecision.objects.count(),
              AuditEvent.objects.count())
    with translation.override("en"), pytest.raises(Conflict) as exc:
        VERBS[verb](flow, filing)
    assert "its state is" in str(exc.value)
    after = (Filing.objects.filter(pk=filing.pk).values().get(), FilingDecision.objects.count(),
             AuditEvent.objects.count())
    assert after == before


def test_conflict_message_is_translated(flow) -> None:
    filing = flow.submitted("sz")
    filing = do_decide_filing(actor=flow["sz"]["reviewer"], filing=filing, decision="return", reason="why")
    with translation.override("en"), pytest.raises(Conflict) as exc:
        do_decide_filing(actor=flow["sz"]["reviewer"], filing=filing, decision="accept")
    assert str(exc.value) == "Cannot accept this filing: its state is “returned for correction”."


def test_enterprise_cannot_take_agency_transitions(flow) -> None:
    filing = flow.submitted("sz")
    with pytest.raises(PermissionDenied):
        do_decide_filing(actor=flow.owner(filing), filing=filing, decision="accept")
    filing.refresh_from_db()
    assert filing.state == "submitted"


@pytest.mark.parametrize("state", [s for s in FilingState.values if s != "accepted"])
def test_only_accepted_filings_are_published(flow, state: str) -> None:
    from techsme.evaluation.models import PublicityBatch
    from techsme.evaluation.services import do_publish_batch

    filing = flow.draft("sz")
    Filing.objects.filter(pk=filing.pk).update(state=state)
    with pytest.raises(Conflict):
        do_publish_batch(actor=flow.publisher("sz"), agency=flow["sz"]["agency"], filing_ids=[filing.pk])
    assert not PublicityBatch.objects.exists()
    assert Filing.objects.get(pk=filing.pk).state == state
