"""The criteria a usage charge rests on, checked when the owner's staff record a usage (``do_record_usage``).

The charge itself is never typed: it is the instrument's published rate for the user's side (internal = the owner's
own organisation, otherwise external) times the recorded hours or samples (``services.compute_charge``). What can go
wrong is the recorded usage, so before it is charged:

- ``in_future`` — the usage ends after now: nothing can be charged for use that has not happened (never overridable);
- ``double_charge`` — the same organisation already has a usage of this instrument overlapping this time (an hourly
  instrument cannot be charged twice for the same hours; never overridable);
- ``booking_not_linked`` — the organisation holds an approved booking overlapping this time: record the usage against
  that booking, or the booking could be charged a second time (never overridable);
- ``cancelled_booking`` — the organisation's only booking at this time was cancelled, declined or a no-show, so no
  service was booked (overridable: a walk-in use after all);
- ``beyond_booking`` — the usage starts before or ends after the booked time by more than ``TOLERANCE``, or counts more
  samples than booked (overridable: an agreed extension);
- ``overlap`` — another organisation's usage of this hourly instrument overlaps (overridable: shared sessions).

An overridable problem is accepted only with a reason from the owner's staff (``instrument.manage``); the codes and
the reason are kept on the usage record, shown with a warning mark and audited.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techsme.core.errors import Conflict
from techsme.instruments.models import Booking, BookingStatus, FeeUnit, Instrument, UsageRecord

TOLERANCE = timedelta(minutes=15)
LABELS = {
    "cancelled_booking": gettext_lazy("no active booking (cancelled, declined or no-show)"),
    "beyond_booking": gettext_lazy("beyond the booked time or samples"),
    "overlap": gettext_lazy("overlaps another organisation's usage"),
}


@dataclass(frozen=True)
class ChargeProblem:
    code: str
    message: str
    overridable: bool


class ChargeRefused(Conflict):
    """The usage cannot be charged as recorded; ``problems`` lists why (HTTP 409)."""

    def __init__(self, problems: list[ChargeProblem]):
        self.problems = problems
        text = " ".join(p.message for p in problems)
        if all(p.overridable for p in problems):
            text += " " + _("If this is right, record it again with the reason for the override.")
        super().__init__(text)


def labels(codes: list[str]) -> list[str]:
    return [str(LABELS.get(code, code)) for code in codes]


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def usage_problems(instrument: Instrument, organisation_id: int, booking: Booking | None, start: datetime,
                   end: datetime, samples: int, now: datetime) -> list[ChargeProblem]:
    problems: list[ChargeProblem] = []
    if end > now:
        problems.append(ChargeProblem("in_future", _(
            "The usage ends at %(end)s, which has not come yet; record it once the instrument has been used.")
            % {"end": _local(end)}, False))
    overlapping = UsageRecord.objects.filter(instrument=instrument, start__lt=end, end__gt=start)
    same = overlapping.filter(organisation_id=organisation_id).first()
    if same is not None and instrument.fee_unit == FeeUnit.HOUR:
        problems.append(ChargeProblem("double_charge", _(
            "This organisation's use from %(start)s to %(end)s is already recorded and charged (usage record "
            "%(n)d); the same hours cannot be charged twice.")
            % {"start": _local(same.start), "end": _local(same.end), "n": same.pk}, False))
    elif instrument.fee_unit == FeeUnit.HOUR and overlapping.exclude(organisation_id=organisation_id).exists():
        problems.append(ChargeProblem("overlap", _(
            "Another organisation's recorded use of this instrument overlaps this time."), True))
    if booking is not None:
        problems.extend(_against_booking(booking, start, end, samples))
    else:
        problems.extend(_without_booking(instrument, organisation_id, start, end))
    return problems


def _against_booking(booking: Booking, start: datetime, end: datetime, samples: int) -> list[ChargeProblem]:
    if booking.start and booking.end and (start < booking.start - TOLERANCE or end > booking.end + TOLERANCE):
        return [ChargeProblem("beyond_booking", _(
            "The usage (%(start)s – %(end)s) goes beyond the booked time (%(bstart)s – %(bend)s) by more than "
            "%(minutes)d minutes.") % {"start": _local(start), "end": _local(end), "bstart": _local(booking.start),
                                       "bend": _local(booking.end), "minutes": TOLERANCE.seconds // 60}, True)]
    if booking.samples and samples > booking.samples:
        return [ChargeProblem("beyond_booking", _(
            "%(samples)d samples are recorded but %(booked)d were booked.")
            % {"samples": samples, "booked": booking.samples}, True)]
    return []


def _without_booking(instrument: Instrument, organisation_id: int, start: datetime,
                     end: datetime) -> list[ChargeProblem]:
    bookings = Booking.objects.filter(instrument=instrument, organisation_id=organisation_id, start__lt=end,
                                      end__gt=start)
    active = bookings.filter(status=BookingStatus.APPROVED).first()
    if active is not None:
        return [ChargeProblem("booking_not_linked", _(
            "This organisation has an approved booking at this time (%(start)s – %(end)s); record the usage against "
            "that booking so that it is charged once.") % {"start": _local(active.start), "end": _local(active.end)},
            False)]
    ended = bookings.filter(status__in=[BookingStatus.CANCELLED, BookingStatus.DECLINED, BookingStatus.NO_SHOW])
    if ended.exists():
        return [ChargeProblem("cancelled_booking", _(
            "This organisation's booking at this time was cancelled, declined or marked as a no-show; a cancelled "
            "booking is not charged."), True)]
    return []


def enforce(problems: list[ChargeProblem], override_reason: str) -> tuple[list[str], str]:
    """The codes overridden and the reason, or ``ChargeRefused`` (the caller already checked ``instrument.manage``,
    the role entitled to override)."""
    reason = (override_reason or "").strip()
    if not problems:
        return [], ""
    if not reason or not all(p.overridable for p in problems):
        raise ChargeRefused(problems)
    return [p.code for p in problems], reason[:300]


def voucher_part_problem(charge: Any, voucher_part: Any) -> str | None:
    """The voucher part of a usage payment is never above the charge."""
    if voucher_part > charge:
        return _("The voucher would pay %(part)s, more than the charge of %(charge)s.") % {
            "part": voucher_part, "charge": charge}
    return None
