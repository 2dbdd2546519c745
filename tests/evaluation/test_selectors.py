"""Review queue with days waiting; public lists with public fields only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from techsme.evaluation.models import EvaluationYear, Filing
from techsme.evaluation.selectors import (
    public_batch_entries,
    public_batches,
    registered_database,
    review_queue,
    verify_registration,
)

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_first_time_checks(db) -> None:
    EvaluationYear.objects.create(year=YEAR, onsite_check_first_time=False)


def test_review_queue_orders_by_days_waiting_and_filters(flow) -> None:
    old, new = flow.submitted("sz"), flow.submitted("sz", employees=4, tech_staff=1)
    Filing.objects.filter(pk=old.pk).update(state_changed_at=timezone.now() - timedelta(days=6))
    queue = list(review_queue(flow["sz"]["reviewer"]))
    assert queue == [old, new] and queue[0].days_waiting == 6 and queue[1].days_waiting == 0
    assert list(review_queue(flow["sz"]["reviewer"], flagged=True)) == [new]
    assert list(review_queue(flow["sz"]["reviewer"], q=old.enterprise.name)) == [old]
    assert list(review_queue(flow["sz"]["reviewer"], order="-waiting")) == [new, old]
    assert list(review_queue(flow.owner(old))) == []  # enterprises have no review queue


def test_public_database_search_and_fields(flow) -> None:
    sz = flow.registered("sz", n=2)
    (gz,) = flow.registered("gz")
    rows = list(registered_database())
    assert len(rows) == 3
    assert set(rows[0]) == {"number", "year", "state", "region6", "issued_at", "state_changed_at",
                            "enterprise__name", "enterprise__uscc", "enterprise__industry_code"}
    assert [r["number"] for r in registered_database(region="4401")] == [gz.number]
    assert [r["number"] for r in registered_database(q=sz[0].enterprise.name)] == [sz[0].number]
    assert [r["number"] for r in registered_database(uscc=sz[1].enterprise.uscc)] == [sz[1].number]
    assert len(registered_database(industry="I65", year=YEAR)) == 3
    assert registered_database(year=YEAR - 1).count() == 0
    assert verify_registration(gz.number)["state"] == "registered"
    assert verify_registration("nonsense") is None


def test_public_batches(flow) -> None:
    batch = flow.published("sz", n=2)
    (listed,) = public_batches(state="open")
    assert listed == batch and listed.size == 2
    entries = list(public_batch_entries(batch))
    assert len(entries) == 2 and "facts" not in entries[0] and "enterprise__contact_email" not in entries[0]
    assert not public_batches(state="closed").exists()
