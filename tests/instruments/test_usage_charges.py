"""Usage is recorded apart from bookings; the charge follows the fee schedule, rounded half-up to the fen."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from techsme.core.errors import Conflict, InvalidInput
from techsme.instruments.models import BookingStatus
from techsme.instruments.services import (
    compute_charge,
    do_approve_booking,
    do_record_usage,
    do_request_booking,
    payable_by_voucher,
)
from tests.instruments.conftest import at

pytestmark = pytest.mark.django_db


def test_hourly_charge_internal_and_external(lab, make_instrument):
    instrument = make_instrument(fee_internal=Decimal("150.00"), fee_external=Decimal("333.33"))
    start = at(1, 9)
    external = compute_charge(instrument, lab["ent_a"].pk, start, start + timedelta(minutes=90))
    assert external.external and external.rate == Decimal("333.33")
    assert external.amount == Decimal("500.00")  # 333.33 × 1.5 = 499.995 → half-up → 500.00
    internal = compute_charge(instrument, lab["sz"].pk, start, start + timedelta(minutes=20))
    assert not internal.external and internal.amount == Decimal("50.00")
    odd = compute_charge(instrument, lab["ent_a"].pk, start, start + timedelta(minutes=7))
    assert odd.amount == Decimal("38.89")  # 333.33 × 7/60 = 38.8885 → 38.89


def test_per_sample_charge(lab, make_instrument):
    instrument = make_instrument(fee_unit="sample", fee_external=Decimal("85.50"))
    charge = compute_charge(instrument, lab["ent_b"].pk, at(1, 9), at(1, 12), samples=7)
    assert charge.amount == Decimal("598.50") and charge.quantity == 7


def test_usage_against_a_booking_completes_it(lab, make_instrument):
    instrument = make_instrument(fee_external=Decimal("400.00"))
    booking = do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(2, 9), end=at(2, 11))
    with pytest.raises(Conflict):
        do_record_usage(actor=lab["sz_staff"], instrument=instrument, booking=booking, start=at(2, 9),
                        end=at(2, 10))
    do_approve_booking(actor=lab["sz_staff"], booking=booking)
    with pytest.raises(PermissionDenied):
        do_record_usage(actor=lab["gz_staff"], instrument=instrument, booking=booking, start=at(2, 9),
                        end=at(2, 10))
    usage = do_record_usage(actor=lab["sz_staff"], instrument=instrument, booking=booking, start=at(2, 9, 10),
                            end=at(2, 10, 40), operator="李工", samples=3, now=at(3))
    assert usage.organisation == lab["ent_a"] and usage.external and usage.charge == Decimal("600.00")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert payable_by_voucher(usage) == Decimal("0.00") and usage.paid_by_voucher == Decimal("0.00")
    with pytest.raises(InvalidInput):
        do_record_usage(actor=lab["sz_staff"], instrument=instrument, organisation=lab["ent_b"], start=at(2, 9),
                        end=at(2, 9))
