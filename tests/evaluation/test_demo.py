"""The demo data hold filings in every state of the process (walked through the service verbs)."""

from datetime import date

import pytest

from techsme.core.audit import verify_chain
from techsme.evaluation.demo import seed_evaluation_demo
from techsme.evaluation.models import FilingState, PublicityBatch, Revocation
from techsme.registry.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_demo_has_every_state() -> None:
    today = date(2026, 11, 26)
    assert seed_demo(enterprises=250, seed=7, today=today).created
    counts = seed_evaluation_demo(today=today)
    assert set(counts) == set(FilingState.values), counts
    assert PublicityBatch.objects.filter(state="open").exists() and PublicityBatch.objects.filter(state="closed")
    assert Revocation.objects.filter(state="notice").exists() and Revocation.objects.filter(decision="revoked")
    assert seed_evaluation_demo(today=today) == {}  # only once
    assert verify_chain().ok


def test_demo_approves_only_what_passes_or_carries_an_override() -> None:
    """No accepted, published or registered demo filing fails a criterion without a recorded override (the old
    demo held an accepted filing with 40 points); one is overridden with its reason, one registration is held."""
    from techsme.evaluation import criteria
    from techsme.evaluation.models import Filing, Registration

    today = date(2026, 11, 26)
    seed_demo(enterprises=250, seed=7, today=today)
    seed_evaluation_demo(today=today)
    approved = Filing.objects.filter(state__in=["accepted", "in_publicity", "registered", "lapsed"])
    assert approved.count() > 10
    assert [f.pk for f in approved if criteria.uncovered(f)] == []
    overridden = [f for f in Filing.objects.exclude(override_at=None)]
    assert len(overridden) == 1 and overridden[0].override_reason and criteria.failed_criteria(overridden[0])
    assert overridden[0].override_by.username == "agency-admin"
    held = Filing.objects.get(state="held")
    assert held.hold_reasons == ["compliance"] and held.decisions.filter(transition="hold").exists()
    assert not Registration.objects.filter(filing=held).exists()
