"""A usage charge rests on the recorded usage: no charge in advance, none twice, none for a cancelled booking, none
beyond the booking without a reason; the voucher part never above the charge. Each fails on the code before the
checks (``instruments.charges``)."""

from decimal import Decimal

import pytest
from django.utils.translation import override

from techsme.core.errors import Conflict
from techsme.core.models import AuditEvent
from techsme.instruments.charges import ChargeRefused
from techsme.instruments.models import Booking, BookingStatus, UsageRecord
from techsme.instruments.services import (
    do_approve_booking,
    do_cancel_booking,
    do_record_usage,
    do_request_booking,
)
from tests.instruments.conftest import at

pytestmark = pytest.mark.django_db


def _record(lab, instrument, **kw):
    kw.setdefault("now", at(5))
    return do_record_usage(actor=lab["sz_staff"], instrument=instrument, **kw)


def test_no_charge_for_use_that_has_not_happened(lab, make_instrument):
    instrument = make_instrument(fee_external=Decimal("400.00"))
    with override("en"), pytest.raises(ChargeRefused, match="has not come yet"):
        _record(lab, instrument, organisation=lab["ent_a"], start=at(1, 9), end=at(1, 11), now=at(1, 10),
                override_reason="sure")  # not overridable
    assert not UsageRecord.objects.exists()


def test_the_same_hours_are_not_charged_twice(lab, make_instrument):
    instrument = make_instrument(fee_external=Decimal("400.00"))
    _record(lab, instrument, organisation=lab["ent_a"], start=at(1, 9), end=at(1, 11))
    with override("en"), pytest.raises(ChargeRefused, match="cannot be charged twice") as refused:
        _record(lab, instrument, organisation=lab["ent_a"], start=at(1, 10), end=at(1, 12), override_reason="x")
    assert [p.code for p in refused.value.problems] == ["double_charge"]
    assert UsageRecord.objects.count() == 1
    # Another organisation at the same time on an hourly instrument: only with a reason.
    with pytest.raises(ChargeRefused):
        _record(lab, instrument, organisation=lab["ent_b"], start=at(1, 10), end=at(1, 12))
    shared = _record(lab, instrument, organisation=lab["ent_b"], start=at(1, 10), end=at(1, 12),
                     override_reason="Two groups shared the session")
    assert shared.overridden == ["overlap"] and shared.override_reason == "Two groups shared the session"


def test_no_charge_for_a_cancelled_booking_and_none_beside_an_approved_one(lab, make_instrument):
    instrument = make_instrument(fee_external=Decimal("400.00"))
    cancelled = do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(2, 9), end=at(2, 11))
    do_cancel_booking(actor=lab["user_a"], booking=cancelled)
    with pytest.raises(Conflict, match="approved booking"):  # against the booking itself: refused as before
        _record(lab, instrument, booking=Booking.objects.get(pk=cancelled.pk), start=at(2, 9), end=at(2, 11))
    with override("en"), pytest.raises(ChargeRefused, match="cancelled booking is not charged"):
        _record(lab, instrument, organisation=lab["ent_a"], start=at(2, 9), end=at(2, 11))
    booking = do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(3, 9), end=at(3, 11))
    do_approve_booking(actor=lab["sz_staff"], booking=booking)
    with override("en"), pytest.raises(ChargeRefused, match="record the usage against that booking"):
        _record(lab, instrument, organisation=lab["ent_a"], start=at(3, 9), end=at(3, 11), override_reason="x")
    assert not UsageRecord.objects.exists()


def test_usage_beyond_the_booking_needs_a_reason_that_is_kept_and_audited(lab, make_instrument):
    instrument = make_instrument(fee_external=Decimal("400.00"))
    booking = do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(2, 9), end=at(2, 11))
    do_approve_booking(actor=lab["sz_staff"], booking=booking)
    with override("en"), pytest.raises(ChargeRefused, match="goes beyond the booked time"):
        _record(lab, instrument, booking=booking, start=at(2, 9), end=at(2, 17))  # 8 h charged for 2 h booked
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.APPROVED
    usage = _record(lab, instrument, booking=booking, start=at(2, 9), end=at(2, 13),
                    override_reason="Agreed on the day: the run was extended by two hours")
    assert usage.charge == Decimal("1600.00") and usage.overridden == ["beyond_booking"]
    event = AuditEvent.objects.filter(verb="instruments.usage.record").latest("pk")
    assert event.changes["overridden"] == ["beyond_booking"] and event.changes["rate"] == "400.00"


def test_within_the_tolerance_no_override_is_needed(lab, make_instrument):
    instrument = make_instrument(fee_external=Decimal("400.00"))
    booking = do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(2, 9), end=at(2, 11))
    do_approve_booking(actor=lab["sz_staff"], booking=booking)
    usage = _record(lab, instrument, booking=booking, start=at(2, 9, 5), end=at(2, 11, 10))
    assert usage.overridden == [] and usage.charge == Decimal("833.33")  # 2 h 05 min × 400


def test_the_database_refuses_a_voucher_part_above_the_charge(lab, make_instrument):
    from django.db import IntegrityError, transaction

    from techsme.instruments.charges import voucher_part_problem

    instrument = make_instrument(fee_external=Decimal("400.00"))
    usage = _record(lab, instrument, organisation=lab["ent_a"], start=at(1, 9), end=at(1, 10))
    assert voucher_part_problem(usage.charge, usage.charge + Decimal("0.01"))
    assert voucher_part_problem(usage.charge, usage.charge) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        UsageRecord.objects.filter(pk=usage.pk).update(paid_by_voucher=usage.charge + Decimal("0.01"))


def test_the_usage_page_and_the_api_show_the_refusal_and_the_override(lab, make_instrument, client):
    from django.urls import reverse


    instrument = make_instrument(fee_external=Decimal("400.00"))
    booking = do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(2, 9), end=at(2, 11))
    do_approve_booking(actor=lab["sz_staff"], booking=booking)
    Booking.objects.filter(pk=booking.pk).update(start=at(-2, 9), end=at(-2, 11), occupied_until=at(-2, 11))
    client.force_login(lab["sz_staff"])
    fmt = "%Y-%m-%dT%H:%M"
    url = reverse("instruments:usage", args=[booking.pk])
    response = client.post(url, {"start": at(-2, 9).strftime(fmt), "end": at(-2, 16).strftime(fmt)},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422 and "goes beyond the booked time" in response.content.decode()
    response = client.post(url, {"start": at(-2, 9).strftime(fmt), "end": at(-2, 16).strftime(fmt),
                                 "override_reason": "Extended run agreed"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    page = client.get(reverse("instruments:booking", args=[booking.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "⚠" in page and "Extended run agreed" in page
