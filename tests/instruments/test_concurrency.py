"""Double booking is impossible: many threads (separate connections) request overlapping slots at once."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction

from techsme.core.errors import Conflict
from techsme.instruments.models import ACTIVE_STATUSES, Booking
from techsme.instruments.services import do_request_booking
from tests.instruments.conftest import at

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_overlap(lab, make_instrument, make_user):
    instrument = make_instrument(buffer_minutes=15)
    users = [make_user("enterprise_member", lab["ent_a"] if i % 2 else lab["ent_b"]) for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            # Every slot overlaps the others (9:00–11:00 shifted by 10-minute steps).
            start = at(3, 9) + timedelta(minutes=10 * i)
            do_request_booking(actor=users[i], instrument=instrument, start=start, end=start + timedelta(hours=2))
            result = "ok"
        except Conflict:
            result = "conflict"
        except Exception as exc:  # noqa: BLE001 — reported in the assertion
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["conflict"] * (THREADS - 1) + ["ok"], outcomes
    active = list(Booking.objects.filter(instrument=instrument, status__in=ACTIVE_STATUSES))
    assert len(active) == 1


@pytest.mark.django_db(transaction=True)
def test_database_refuses_an_overlap_written_around_the_service(lab, make_instrument):
    """PostgreSQL: the exclusion constraint itself (SQLite relies on the service's serialised check)."""
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    instrument = make_instrument(buffer_minutes=30)
    common = {"instrument": instrument, "requester": lab["user_a"], "organisation": lab["ent_a"], "kind": "slot"}
    Booking.objects.create(start=at(3, 9), end=at(3, 10), occupied_until=at(3, 10, 30), status="approved", **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(start=at(3, 10, 15), end=at(3, 11), occupied_until=at(3, 11, 30), **common)
    # Inactive bookings do not hold the slot; adjacent ranges ([) bounds) do not overlap.
    Booking.objects.create(start=at(3, 10, 15), end=at(3, 11), occupied_until=at(3, 11, 30), status="cancelled",
                           **common)
    Booking.objects.create(start=at(3, 10, 30), end=at(3, 11), occupied_until=at(3, 11, 30), **common)
