"""The policy check: each rule, whether staff may override, and the request/approve/decline verbs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from techsme.core.errors import Conflict
from techsme.instruments.models import Booking, BookingStatus, OutageKind
from techsme.instruments.services import (
    do_add_outage,
    do_approve_booking,
    do_decline_booking,
    do_grant_qualification,
    do_request_booking,
    policy_check,
)
from tests.instruments.conftest import at

pytestmark = pytest.mark.django_db


def _check(lab, instrument, start, end, user="user_a", org="ent_a", **extra):
    booking = Booking(instrument=instrument, requester=lab[user], organisation=lab[org], start=start, end=end,
                      occupied_until=end + instrument.buffer, **extra)
    return policy_check(booking)


def test_a_good_request_has_no_problems(lab, make_instrument):
    result = _check(lab, make_instrument(), at(2, 9), at(2, 11))
    assert result.ok and result.problems == [] and not result.staff_may_override


@pytest.mark.parametrize(("rule", "hours", "code"), [
    ({"min_duration_minutes": 60}, 0.5, "too_short"),
    ({"max_duration_minutes": 120}, 3, "too_long"),
])
def test_duration_rules(lab, make_instrument, rule, hours, code):
    result = _check(lab, make_instrument(**rule), at(2, 9), at(2, 9) + timedelta(hours=hours))
    assert result.codes() == [code] and result.staff_may_override


def test_lead_time_and_past(lab, make_instrument):
    instrument = make_instrument(lead_time_hours=48)
    soon = timezone.now() + timedelta(hours=5)
    result = _check(lab, instrument, soon, soon + timedelta(hours=1))
    assert result.codes() == ["lead_time"] and result.staff_may_override
    past = timezone.now() - timedelta(hours=5)
    result = _check(lab, instrument, past, past + timedelta(hours=1))
    assert result.codes() == ["in_past"] and not result.staff_may_override


def test_blackout_may_be_overridden_maintenance_may_not(lab, make_instrument):
    instrument = make_instrument()
    do_add_outage(actor=lab["sz_staff"], instrument=instrument, kind=OutageKind.BLACKOUT, start=at(3, 0),
                  end=at(4, 0), reason="校庆")
    do_add_outage(actor=lab["sz_staff"], instrument=instrument, kind=OutageKind.MAINTENANCE, start=at(5, 0),
                  end=at(6, 0), reason="年度保养")
    blackout = _check(lab, instrument, at(3, 9), at(3, 10))
    assert blackout.codes() == ["blackout"] and blackout.staff_may_override
    maintenance = _check(lab, instrument, at(5, 9), at(5, 10))
    assert maintenance.codes() == ["maintenance"] and not maintenance.staff_may_override


def test_buffer_counts_as_occupied(lab, make_instrument):
    instrument = make_instrument(buffer_minutes=30)
    do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(2, 9), end=at(2, 10))
    assert _check(lab, instrument, at(2, 10), at(2, 11)).codes() == ["overlap"]
    assert _check(lab, instrument, at(2, 8), at(2, 8, 45)).codes() == ["overlap"]  # its own buffer reaches 9:15
    assert _check(lab, instrument, at(2, 10, 30), at(2, 11)).ok
    assert _check(lab, instrument, at(2, 8), at(2, 8, 30)).ok
    overlap = _check(lab, instrument, at(2, 9, 30), at(2, 11))
    assert overlap.codes() == ["overlap"] and not overlap.staff_may_override


def test_self_operation_needs_a_qualification(lab, make_instrument):
    instrument = make_instrument()
    result = _check(lab, instrument, at(2, 9), at(2, 10), self_operated=True)
    assert result.codes() == ["qualification"] and result.staff_may_override
    do_grant_qualification(actor=lab["sz_staff"], instrument=instrument, user=lab["user_a"])
    assert _check(lab, instrument, at(2, 9), at(2, 10), self_operated=True).ok
    assert _check(lab, instrument, at(2, 9), at(2, 10), user="user_b", org="ent_b", self_operated=True).codes() == [
        "qualification"]


def test_quota_per_organisation_and_month(lab, make_instrument):
    instrument = make_instrument(quota_hours_per_month=Decimal("4"))
    start = at(40, 9).replace(day=10)  # a day well inside some future month
    do_request_booking(actor=lab["user_a"], instrument=instrument, start=start, end=start + timedelta(hours=3))
    later = start + timedelta(days=1)
    assert _check(lab, instrument, later, later + timedelta(hours=2)).codes() == ["quota"]
    assert _check(lab, instrument, later, later + timedelta(hours=1)).ok
    assert _check(lab, instrument, later, later + timedelta(hours=2), user="user_b", org="ent_b").ok


def test_unavailable_instrument(lab, make_instrument):
    result = _check(lab, make_instrument(status="suspended"), at(2, 9), at(2, 10))
    assert result.codes() == ["unavailable"] and not result.staff_may_override


def test_request_refused_with_problems_and_staff_override(lab, make_instrument):
    instrument = make_instrument(max_duration_minutes=60)
    with pytest.raises(Conflict, match="at most 60 minutes"):
        do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(2, 9), end=at(2, 12))
    with pytest.raises(Conflict):  # a user cannot override
        do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(2, 9), end=at(2, 12), override=True)
    booking = do_request_booking(actor=lab["sz_staff"], instrument=instrument, start=at(2, 9), end=at(2, 12),
                                 override=True)
    assert booking.status == BookingStatus.APPROVED and booking.overridden == ["too_long"]


def test_approve_decline_and_auto_approval(lab, make_instrument):
    instrument = make_instrument()
    first = do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(2, 9), end=at(2, 10))
    assert first.status == BookingStatus.REQUESTED
    with pytest.raises(Conflict):  # the pending request holds the slot
        do_request_booking(actor=lab["user_b"], instrument=instrument, start=at(2, 9), end=at(2, 10))
    approved = do_approve_booking(actor=lab["sz_staff"], booking=first)
    assert approved.status == BookingStatus.APPROVED and approved.decided_by == lab["sz_staff"]
    with pytest.raises(Conflict):
        do_decline_booking(actor=lab["sz_staff"], booking=approved)
    second = do_request_booking(actor=lab["user_b"], instrument=instrument, start=at(2, 11), end=at(2, 12))
    assert do_decline_booking(actor=lab["sz_staff"], booking=second, note="样品不符").status == BookingStatus.DECLINED
    again = do_request_booking(actor=lab["user_b"], instrument=instrument, start=at(2, 11), end=at(2, 12))
    assert again.status == BookingStatus.REQUESTED  # a declined booking frees the slot
    auto = make_instrument("全自动比表面积分析仪", auto_approve=True)
    assert do_request_booking(actor=lab["user_a"], instrument=auto, start=at(2, 9),
                              end=at(2, 10)).status == BookingStatus.APPROVED


def test_sample_testing_request(lab, make_instrument):
    instrument = make_instrument(fee_unit="sample")
    booking = do_request_booking(actor=lab["user_a"], instrument=instrument, kind="sample", samples=5,
                                 purpose="粉末样品形貌观察")
    assert booking.start is None and booking.status == BookingStatus.REQUESTED
    with pytest.raises(Conflict):
        do_request_booking(actor=lab["user_a"], instrument=instrument, kind="sample", samples=0)
