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
    assert seed_demo(enterprises=150, seed=7, today=today).created
    counts = seed_evaluation_demo(today=today)
    assert set(counts) == set(FilingState.values), counts
    assert PublicityBatch.objects.filter(state="open").exists() and PublicityBatch.objects.filter(state="closed")
    assert Revocation.objects.filter(state="notice").exists() and Revocation.objects.filter(decision="revoked")
    assert seed_evaluation_demo(today=today) == {}  # only once
    assert verify_chain().ok
