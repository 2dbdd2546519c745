"""Cancellation rules, no-show marking and the wait list."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from techsme.core.errors import Conflict
from techsme.instruments.models import BookingStatus, WaitStatus
from techsme.instruments.services import (
    do_accept_wait_offer,
    do_approve_booking,
    do_cancel_booking,
    do_join_wait_list,
    do_mark_no_show,
    do_request_booking,
    do_withdraw_wait,
)
from tests.instruments.conftest import at

pytestmark = pytest.mark.django_db


def test_free_cancellation_until_the_limit_then_late(lab, make_instrument):
    instrument = make_instrument(free_cancellation_hours=24)
    booking = do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(3, 9), end=at(3, 10))
    early = do_cancel_booking(actor=lab["user_a"], booking=booking)
    assert early.status == BookingStatus.CANCELLED and not early.late_cancellation
    with pytest.raises(Conflict):
        do_cancel_booking(actor=lab["user_a"], booking=early)
    late = do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(3, 9), end=at(3, 10))
    cancelled = do_cancel_booking(actor=lab["user_a"], booking=late, now=at(3, 9) - timedelta(hours=2))
    assert cancelled.late_cancellation
    started = do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(4, 9), end=at(4, 10))
    with pytest.raises(Conflict, match="started"):
        do_cancel_booking(actor=lab["user_a"], booking=started, now=at(4, 9, 30))


def test_another_organisation_cannot_cancel(lab, make_instrument):
    booking = do_request_booking(actor=lab["user_a"], instrument=make_instrument(), start=at(3, 9), end=at(3, 10))
    with pytest.raises(PermissionDenied):
        do_cancel_booking(actor=lab["user_b"], booking=booking)
    with pytest.raises(PermissionDenied):
        do_cancel_booking(actor=lab["gz_staff"], booking=booking)
    assert do_cancel_booking(actor=lab["sz_staff"], booking=booking).status == BookingStatus.CANCELLED


def test_no_show_only_after_the_start_of_an_approved_slot(lab, make_instrument):
    instrument = make_instrument()
    booking = do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(2, 9), end=at(2, 10))
    with pytest.raises(Conflict):
        do_mark_no_show(actor=lab["sz_staff"], booking=booking, now=at(2, 9, 30))  # not approved
    do_approve_booking(actor=lab["sz_staff"], booking=booking)
    with pytest.raises(Conflict):
        do_mark_no_show(actor=lab["sz_staff"], booking=booking, now=at(2, 8))
    with pytest.raises(PermissionDenied):
        do_mark_no_show(actor=lab["user_a"], booking=booking, now=at(2, 9, 30))
    assert do_mark_no_show(actor=lab["sz_staff"], booking=booking,
                           now=at(2, 9, 30)).status == BookingStatus.NO_SHOW


def test_wait_list_offers_the_freed_slot_in_order(lab, make_instrument, make_user):
    instrument = make_instrument()
    taken = do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(3, 9), end=at(3, 11))
    with pytest.raises(Conflict):
        do_request_booking(actor=lab["user_b"], instrument=instrument, start=at(3, 9), end=at(3, 10))
    first = do_join_wait_list(actor=lab["user_b"], instrument=instrument, start=at(3, 9), end=at(3, 10))
    other = make_user("enterprise_member", lab["ent_b"])
    second = do_join_wait_list(actor=other, instrument=instrument, start=at(3, 9, 30), end=at(3, 10, 30))
    unrelated = do_join_wait_list(actor=other, instrument=instrument, start=at(5, 9), end=at(5, 10))
    do_cancel_booking(actor=lab["user_a"], booking=taken)
    first.refresh_from_db()
    second.refresh_from_db()
    unrelated.refresh_from_db()
    assert (first.status, second.status, unrelated.status) == (WaitStatus.OFFERED, WaitStatus.WAITING,
                                                               WaitStatus.WAITING)
    with pytest.raises(PermissionDenied):
        do_accept_wait_offer(actor=other, entry=first)
    # The first in line passes; the offer moves on to the next whose time is free.
    do_withdraw_wait(actor=lab["user_b"], entry=first)
    second.refresh_from_db()
    assert second.status == WaitStatus.OFFERED and second.offered_at <= timezone.now()
    booking = do_accept_wait_offer(actor=other, entry=second)
    assert booking.start == at(3, 9, 30) and booking.status == BookingStatus.REQUESTED
    second.refresh_from_db()
    assert second.status == WaitStatus.ACCEPTED and second.booking == booking
    with pytest.raises(Conflict):
        do_accept_wait_offer(actor=other, entry=second)
