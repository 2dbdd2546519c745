"""Publicity: 10 working days by the official calendar, objections during it, closing after it."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from techsme.core.errors import Conflict, InvalidInput, PermissionDenied
from techsme.evaluation.models import EvaluationYear, Filing, Registration
from techsme.evaluation.services import (
    do_close_batch,
    do_lodge_objection,
    do_publish_batch,
    do_resolve_objection,
)

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_first_time_checks(db) -> None:
    EvaluationYear.objects.create(year=YEAR, onsite_check_first_time=False)


def _object(batch, filing, today):
    return do_lodge_objection(batch=batch, filing=filing, name="张三", contact="13800000000",
                              text="The R&D staff are counted twice.", today=today)


def test_end_date_counts_working_days_across_national_day(flow) -> None:
    batch = flow.published("sz", published_on=date(2024, 9, 26))
    assert batch.ends_on == date(2024, 10, 15)  # 29 Sep (Sun) and 12 Oct (Sat) are working days in 2024
    assert batch.calendar_warning == "" and batch.state == "open"
    assert str(batch) == f"4403-{YEAR}-001"
    assert flow.published("sz").number == 2


def test_publishing_into_an_uncovered_year_warns(flow) -> None:
    with translation.override("en"):
        batch = flow.published("sz", published_on=date(2039, 12, 28))
    assert "2040" in batch.calendar_warning
    assert batch.ends_on == date(2040, 1, 11)  # weekdays only: 29, 30 Dec 2039 … 11 Jan 2040


def test_publish_takes_all_accepted_filings_of_the_agency_region(flow) -> None:
    a, b, other = flow.accepted("sz"), flow.accepted("sz"), flow.accepted("gz")
    batch = do_publish_batch(actor=flow.publisher("sz"), agency=flow["sz"]["agency"], published_on=date(YEAR, 9, 1))
    assert set(batch.filings.all()) == {a, b}
    other.refresh_from_db()
    assert other.state == "accepted"
    with pytest.raises(Conflict):  # nothing left to publish
        do_publish_batch(actor=flow.publisher("sz"), agency=flow["sz"]["agency"])


def test_only_publishers_of_that_agency_publish(flow) -> None:
    filing = flow.accepted("sz")
    for actor in (flow["sz"]["reviewer"], flow.publisher("gz"), flow.owner(filing)):
        with pytest.raises(PermissionDenied):
            do_publish_batch(actor=actor, agency=flow["sz"]["agency"], filing_ids=[filing.pk])
    with pytest.raises(PermissionDenied):  # a Guangzhou publisher cannot publish a Shenzhen filing via its agency
        do_publish_batch(actor=flow.publisher("gz"), agency=flow["gz"]["agency"], filing_ids=[filing.pk])


def test_objection_during_publicity_and_refused_after_the_end(flow) -> None:
    batch = flow.published("sz")
    filing = batch.filings.get()
    objection = _object(batch, filing, today=batch.ends_on)  # the last day still counts
    assert objection.state == "open"
    with translation.override("en"), pytest.raises(Conflict, match="ended"):
        _object(batch, filing, today=batch.ends_on + timedelta(days=1))
    with pytest.raises(InvalidInput):
        do_lodge_objection(batch=batch, filing=filing, name="", contact="", text="x", today=batch.ends_on)
    assert batch.objections.count() == 1


def test_objection_against_a_filing_of_another_batch_is_refused(flow) -> None:
    first, second = flow.published("sz"), flow.published("sz")
    with pytest.raises(InvalidInput):
        _object(first, second.filings.get(), today=first.published_on)


def test_close_before_the_end_is_refused(flow) -> None:
    batch = flow.published("sz")
    with pytest.raises(Conflict):
        do_close_batch(actor=flow.publisher("sz"), batch=batch, today=batch.ends_on)
    batch.refresh_from_db()
    assert batch.state == "open" and not Registration.objects.exists()


def test_close_needs_every_objection_resolved(flow) -> None:
    batch = flow.published("sz")
    objection = _object(batch, batch.filings.get(), today=batch.published_on)
    after = batch.ends_on + timedelta(days=1)
    with pytest.raises(Conflict):
        do_close_batch(actor=flow.publisher("sz"), batch=batch, today=after)
    with pytest.raises(InvalidInput):
        do_resolve_objection(actor=flow.publisher("sz"), objection=objection, decision="dismiss", resolution="")
    with pytest.raises(PermissionDenied):
        do_resolve_objection(actor=flow.publisher("gz"), objection=objection, decision="dismiss", resolution="no")
    do_resolve_objection(actor=flow.publisher("sz"), objection=objection, decision="dismiss",
                         resolution="Staff records checked; counted once.")
    (registration,) = do_close_batch(actor=flow.publisher("sz"), batch=batch, today=after)
    assert registration.filing.state == "registered"


def test_upheld_objection_means_not_registered(flow) -> None:
    batch = flow.published("sz", n=2)
    doubtful, fine = batch.filings.order_by("pk")
    objection = _object(batch, doubtful, today=batch.published_on)
    do_resolve_objection(actor=flow["sz"]["admin"], objection=objection, decision="uphold",
                         resolution="Confirmed by the tax bureau.")
    with pytest.raises(Conflict):  # resolved already
        do_resolve_objection(actor=flow["sz"]["admin"], objection=objection, decision="dismiss", resolution="x")
    registrations = do_close_batch(actor=flow.publisher("sz"), batch=batch, today=batch.ends_on + timedelta(days=1))
    assert [r.filing_id for r in registrations] == [fine.pk]
    assert Filing.objects.get(pk=doubtful.pk).state == "objection_upheld"
    assert Filing.objects.get(pk=fine.pk).state == "registered"
    batch.refresh_from_db()
    assert batch.state == "closed"
    with pytest.raises(Conflict):
        do_close_batch(actor=flow.publisher("sz"), batch=batch, today=batch.ends_on + timedelta(days=2))
    with pytest.raises(Conflict):
        _object(batch, fine, today=batch.ends_on)
