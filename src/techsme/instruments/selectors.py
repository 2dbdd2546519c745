"""Reads with scope: the catalogue is public; bookings are seen by the requesting organisation and by the owner."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from techsme.core import search
from techsme.core.permissions import can, organisations, scope
from techsme.instruments.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingKind,
    Instrument,
    InstrumentStatus,
    Outage,
    UsageRecord,
    WaitListEntry,
)
from techsme.instruments.permissions import BOOKER_ROLES

# Value bands of the purchase value (yuan), half-open [low, high); 50万 is the national network's threshold.
VALUE_BANDS: dict[str, tuple[Decimal, Decimal | None]] = {
    "lt50w": (Decimal("0"), Decimal("500000")),
    "50w-200w": (Decimal("500000"), Decimal("2000000")),
    "200w-1000w": (Decimal("2000000"), Decimal("10000000")),
    "ge1000w": (Decimal("10000000"), None),
}


def region_prefix(code: str) -> str:
    """``440000`` → ``44``, ``440300`` → ``4403``, ``440305`` → ``440305``."""
    while code.endswith("00"):
        code = code[:-2]
    return code


def public_instruments() -> QuerySet:
    return Instrument.objects.filter(is_public=True).exclude(status=InstrumentStatus.RETIRED).select_related("owner")


@dataclass
class CatalogueFilters:
    q: str = ""
    category: str = ""
    region: str = ""
    value_band: str = ""
    available_from: datetime | None = None
    available_to: datetime | None = None


def search_instruments(filters: CatalogueFilters, base: QuerySet | None = None) -> QuerySet:
    """The public catalogue narrowed by text (Chinese or English), category (prefix), region (prefix), value band and
    availability (no active booking or outage in the given window)."""
    qs = public_instruments() if base is None else base
    if filters.q.strip():
        qs = search.search(qs, filters.q)
    if filters.category:
        qs = qs.filter(category_code__startswith=filters.category)
    if filters.region:
        qs = qs.filter(region_code__startswith=region_prefix(filters.region))
    if filters.value_band in VALUE_BANDS:
        low, high = VALUE_BANDS[filters.value_band]
        qs = qs.filter(purchase_value__gte=low)
        if high is not None:
            qs = qs.filter(purchase_value__lt=high)
    if filters.available_from and filters.available_to and filters.available_to > filters.available_from:
        start, end = filters.available_from, filters.available_to
        busy = Booking.objects.filter(kind=BookingKind.SLOT, status__in=ACTIVE_STATUSES, start__lt=end,
                                      occupied_until__gt=start).values("instrument_id")
        down = Outage.objects.filter(start__lt=end, end__gt=start).values("instrument_id")
        qs = qs.filter(status=InstrumentStatus.ACTIVE).exclude(pk__in=busy).exclude(pk__in=down)
    return qs.order_by("name_zh", "pk")


def instrument_for(user: Any, pk: int) -> Instrument:
    """A public instrument, or one the user manages; 404 otherwise."""
    found = Instrument.objects.select_related("owner").filter(pk=pk).first()
    if found is None or not (found.is_public or can(user, "instrument.manage", found)):
        raise Http404
    return found


def managed_instrument(user: Any, pk: int) -> Instrument:
    """An instrument the user manages; 404 when it does not exist or is out of scope."""
    found = scope(user, "instrument.manage", Instrument.objects.select_related("owner")).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def managed_instruments(user: Any) -> QuerySet:
    return scope(user, "instrument.manage", Instrument.objects.select_related("owner"))


def visible_bookings(user: Any) -> QuerySet:
    """Bookings of the user's organisations plus bookings of the instruments the user manages."""
    own = scope(user, "instrument.book", Booking.objects.all()).values("pk")
    managed = managed_instruments(user).values("pk")
    return Booking.objects.filter(Q(pk__in=own) | Q(instrument_id__in=managed)).select_related(
        "instrument", "organisation", "requester")


def booking_for(user: Any, pk: int) -> Booking:
    found = visible_bookings(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def wait_entries_of(user: Any) -> QuerySet:
    return scope(user, "instrument.book", WaitListEntry.objects.select_related("instrument")).filter(user=user)


def usage_of(user: Any) -> QuerySet:
    return scope(user, "instrument.manage", UsageRecord.objects.select_related("instrument", "organisation"))


@dataclass
class Slot:
    start: datetime
    end: datetime
    kind: str  # "booked", "pending", "blackout", "maintenance", "mine"
    label: str = ""


def calendar(instrument: Instrument, start: datetime, days: int = 7, user: Any = None) -> list[Slot]:
    """Busy periods in [start, start + days): bookings (no names: the public sees only that the time is taken)
    and outages."""
    end = start + timedelta(days=days)
    out: list[Slot] = []
    for b in Booking.objects.filter(instrument=instrument, kind=BookingKind.SLOT, status__in=ACTIVE_STATUSES,
                                    start__lt=end, occupied_until__gt=start).order_by("start"):
        mine = user is not None and getattr(user, "pk", None) == b.requester_id
        out.append(Slot(b.start, b.occupied_until, "mine" if mine else
                        ("booked" if b.status == "approved" else "pending")))
    for o in Outage.objects.filter(instrument=instrument, start__lt=end, end__gt=start):
        out.append(Slot(o.start, o.end, o.kind, o.reason))
    return sorted(out, key=lambda s: s.start)


def week_start(day: Any = None) -> datetime:
    """Monday 00:00 local time of the week containing ``day`` (today by default)."""
    day = day or timezone.localdate()
    monday = day - timedelta(days=day.weekday())
    return timezone.make_aware(datetime(monday.year, monday.month, monday.day))


def visible_usage(user: Any) -> QuerySet:
    """Usage records of the user's own organisations (the using side) and of the instruments the user manages."""
    own = organisations(user, BOOKER_ROLES)
    managed = managed_instruments(user).values("pk")
    return UsageRecord.objects.filter(Q(organisation_id__in=own) | Q(instrument_id__in=managed)).select_related(
        "instrument__owner", "organisation", "booking", "voucher_payment__voucher", "voucher_payment__contract")


def usage_for(user: Any, pk: int) -> UsageRecord:
    found = visible_usage(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
