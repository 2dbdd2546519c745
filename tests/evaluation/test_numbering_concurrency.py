"""Many batches closed at the same time on separate connections: no duplicate and no gap in any sequence.

Runs on the configured database: SQLite (file test database, IMMEDIATE transactions — see conftest.py) by default,
PostgreSQL with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/techsme_eval_dev``.
"""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from techsme.core.audit import verify_chain
from techsme.evaluation.models import Filing, PublicityBatch, Registration
from techsme.evaluation.services import do_close_batch

from .conftest import YEAR

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 24


@pytest.fixture(autouse=True)
def shared_database() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("The SQLite test database is in memory (another conftest set up the session first); this test "
                    "needs the file test database that tests/evaluation/conftest.py configures.")


def test_parallel_registrations_have_no_duplicates_and_no_gaps(flow, make_org, make_user) -> None:
    province = make_org("agency", "440000", "province")
    manager = make_user("programme_manager", province)
    published = date(YEAR, 9, 1)
    batch_ids = []
    for i in range(THREADS):
        key = "sz" if i % 3 else "gz"  # two regions interleaved
        filing = flow.draft(key)
        batch = PublicityBatch.objects.create(agency=province, region_prefix="44", year=YEAR, number=i + 1,
                                              published_on=published, ends_on=published + timedelta(days=14))
        Filing.objects.filter(pk=filing.pk).update(state="in_publicity", batch=batch, submitted_at=timezone.now())
        batch_ids.append(batch.pk)
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def close(batch_id: int) -> None:
        try:
            from techsme.accounts.models import User

            actor = User.objects.get(pk=manager.pk)
            batch = PublicityBatch.objects.get(pk=batch_id)
            barrier.wait(timeout=20)
            do_close_batch(actor=actor, batch=batch, today=published + timedelta(days=15))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close, args=(pk,)) for pk in batch_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    rows = list(Registration.objects.values_list("region6", "seq", "number"))
    assert len(rows) == THREADS
    assert len({number for _r, _s, number in rows}) == THREADS
    for region in {r for r, _s, _n in rows}:
        seqs = sorted(s for r, s, _n in rows if r == region)
        assert seqs == list(range(1, len(seqs) + 1)), (region, seqs)
    assert PublicityBatch.objects.filter(state="closed").count() == THREADS
    assert verify_chain().ok
