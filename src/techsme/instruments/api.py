"""The instruments JSON API (under /api/v1/instruments/).

The catalogue (search, detail, availability) is public. Booking endpoints need a token or a session; ids outside the
caller's scope are 404. Errors: 401 not authenticated, 403 not allowed, 404 unknown or out of scope, 409 illegal
state change or a failed policy check (``problems`` lists every broken rule and whether staff may override), 422
invalid input (``errors`` per field).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from techsme.accounts.models import Organisation
from techsme.core.api_schemas import ERRORS, PUBLIC_ERRORS, Id, Int64, Limit, Offset, Short, Text, Year
from techsme.core.errors import FieldError, InvalidInput
from techsme.core.permissions import can, scope
from techsme.instruments import categories, selectors, services, stats
from techsme.instruments.models import Booking, Instrument

router = Router(tags=["instruments"])
MAX_LIMIT = 100


class InstrumentOut(Schema):
    id: int
    name_zh: str
    name_en: str
    category_code: str
    category: str
    model_number: str
    manufacturer: str
    purchase_value: Decimal
    purchase_date: date | None
    region_code: str
    address: str
    owner_id: int
    owner: str
    contact_name: str
    contact_phone: str
    contact_email: str
    specs: str
    sample_requirements: str
    services: str
    fee_unit: str
    fee_internal: Decimal
    fee_external: Decimal
    opening_hours: str
    operators: str
    qualification_requirements: str
    status: str
    auto_approve: bool
    min_duration_minutes: int
    max_duration_minutes: int
    lead_time_hours: int
    buffer_minutes: int
    self_operation_requires_qualification: bool
    quota_hours_per_month: Decimal | None
    free_cancellation_hours: int


def _instrument(i: Instrument) -> dict[str, Any]:
    out = {name: getattr(i, name) for name in InstrumentOut.model_fields if hasattr(i, name)}
    out.update(category=categories.label(i.category_code), owner=i.owner.name, owner_id=i.owner_id)
    return out


class InstrumentPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[InstrumentOut]


class SearchQuery(Schema):
    q: Short = ""
    category: Short = ""
    region: Short = ""
    value_band: Short = ""
    available_from: datetime | None = None
    available_to: datetime | None = None
    limit: Limit = 20
    offset: Offset = 0


@router.get("/instruments/", response={200: InstrumentPage, **PUBLIC_ERRORS}, auth=None)
def search_instruments(request: HttpRequest, params: Query[SearchQuery]) -> Any:
    """Search the public catalogue (Chinese or English words, AND-ed) with filters; paginated."""
    filters = selectors.CatalogueFilters(params.q, params.category, params.region, params.value_band,
                                         params.available_from, params.available_to)
    qs = selectors.search_instruments(filters)
    limit, offset = max(1, min(params.limit, MAX_LIMIT)), max(0, params.offset)
    return {"total": qs.count(), "limit": limit, "offset": offset,
            "items": [_instrument(i) for i in qs[offset:offset + limit]]}


@router.get("/instruments/{instrument_id}", response={200: InstrumentOut, **PUBLIC_ERRORS}, auth=None)
def instrument_detail(request: HttpRequest, instrument_id: Id) -> Any:
    return _instrument(selectors.instrument_for(request.user, instrument_id))


class BusyOut(Schema):
    start: datetime
    end: datetime
    kind: str


@router.get("/instruments/{instrument_id}/availability", response={200: list[BusyOut], **PUBLIC_ERRORS}, auth=None)
def availability(request: HttpRequest, instrument_id: Id, start: date | None = None, days: Int64 = 7) -> Any:
    """Busy periods (bookings with their buffer, blackouts, maintenance) from ``start`` for ``days`` (≤ 62)."""
    instrument = selectors.instrument_for(request.user, instrument_id)
    begin = selectors.week_start(start) if start is None else timezone.make_aware(
        datetime(start.year, start.month, start.day))
    slots = selectors.calendar(instrument, begin, max(1, min(days, 62)))
    return [{"start": s.start, "end": s.end, "kind": "booked" if s.kind == "mine" else s.kind} for s in slots]


class BookingIn(Schema):
    kind: Short = "slot"
    start: datetime | None = None
    end: datetime | None = None
    samples: Int64 = 0
    self_operated: bool = False
    purpose: Text = ""
    organisation_id: Id | None = None
    override: bool = False


class BookingOut(Schema):
    id: int
    instrument_id: int
    instrument: str
    organisation_id: int
    organisation: str
    requester: str
    kind: str
    start: datetime | None
    end: datetime | None
    samples: int
    self_operated: bool
    purpose: str
    status: str
    overridden: list[str]
    decision_note: str
    late_cancellation: bool


def _booking(b: Booking) -> dict[str, Any]:
    return {
        "id": b.pk, "instrument_id": b.instrument_id, "instrument": b.instrument.name_zh,
        "organisation_id": b.organisation_id, "organisation": b.organisation.name, "requester": str(b.requester),
        "kind": b.kind, "start": b.start, "end": b.end, "samples": b.samples, "self_operated": b.self_operated,
        "purpose": b.purpose, "status": b.status, "overridden": list(b.overridden), "decision_note": b.decision_note,
        "late_cancellation": b.late_cancellation,
    }


def _refused(exc: services.BookingRefused) -> Status:
    return Status(409, {"detail": str(exc), "problems": [p.__dict__ for p in exc.problems],
                        "staff_may_override": exc.staff_may_override})


@router.post("/instruments/{instrument_id}/bookings", response={201: BookingOut, **ERRORS})
def request_booking(request: HttpRequest, instrument_id: Id, data: BookingIn) -> Any:
    """Request a time slot (``start``, ``end``) or sample testing (``kind=sample``, ``samples``)."""
    instrument = selectors.instrument_for(request.user, instrument_id)
    organisation = None
    if data.organisation_id is not None:
        organisation = Organisation.objects.filter(pk=data.organisation_id).first()
        if organisation is None:
            raise InvalidInput([FieldError("organisation_id", _("Unknown organisation."))])
    if data.kind == "slot" and (data.start is None or data.end is None):
        raise InvalidInput([FieldError("start", _("A time slot needs a start and an end."))])
    try:
        booking = services.do_request_booking(
            actor=request.user, instrument=instrument, start=data.start, end=data.end, organisation=organisation,
            kind=data.kind, self_operated=data.self_operated, samples=data.samples, purpose=data.purpose,
            override=data.override)
    except services.BookingRefused as exc:
        return _refused(exc)
    return Status(201, _booking(booking))


@router.get("/instruments/bookings/", response={200: list[BookingOut], **ERRORS})
def list_bookings(request: HttpRequest, status: Short = "", instrument_id: Id | None = None) -> Any:
    """Bookings of your organisations and of the instruments you manage (at most 500, newest first)."""
    qs = selectors.visible_bookings(request.user)
    if status:
        qs = qs.filter(status=status)
    if instrument_id:
        qs = qs.filter(instrument_id=instrument_id)
    return [_booking(b) for b in qs[:500]]


@router.get("/instruments/bookings/{booking_id}", response={200: BookingOut, **ERRORS})
def booking_detail(request: HttpRequest, booking_id: Id) -> Any:
    return _booking(selectors.booking_for(request.user, booking_id))


class BookingDecisionIn(Schema):
    note: Text = ""
    override: bool = False


@router.post("/instruments/bookings/{booking_id}/approve", response={200: BookingOut, **ERRORS})
def approve_booking(request: HttpRequest, booking_id: Id, data: BookingDecisionIn) -> Any:
    booking = selectors.booking_for(request.user, booking_id)
    try:
        return _booking(services.do_approve_booking(actor=request.user, booking=booking, override=data.override,
                                                    note=data.note))
    except services.BookingRefused as exc:
        return _refused(exc)


@router.post("/instruments/bookings/{booking_id}/decline", response={200: BookingOut, **ERRORS})
def decline_booking(request: HttpRequest, booking_id: Id, data: BookingDecisionIn) -> Any:
    booking = selectors.booking_for(request.user, booking_id)
    return _booking(services.do_decline_booking(actor=request.user, booking=booking, note=data.note))


@router.post("/instruments/bookings/{booking_id}/cancel", response={200: BookingOut, **ERRORS})
def cancel_booking(request: HttpRequest, booking_id: Id) -> Any:
    booking = selectors.booking_for(request.user, booking_id)
    return _booking(services.do_cancel_booking(actor=request.user, booking=booking))


@router.post("/instruments/bookings/{booking_id}/no-show", response={200: BookingOut, **ERRORS})
def no_show(request: HttpRequest, booking_id: Id) -> Any:
    booking = selectors.booking_for(request.user, booking_id)
    return _booking(services.do_mark_no_show(actor=request.user, booking=booking))


class UsageIn(Schema):
    start: datetime
    end: datetime
    booking_id: Id | None = None
    organisation_id: Id | None = None
    operator: Text = ""
    samples: Int64 = 0
    notes: Text = ""
    override_reason: Text = Field("", max_length=300, description=(
        "Only to record a usage refused for an overridable reason (beyond the booking, cancelled booking, overlap "
        "with another organisation): why it is right. Kept on the record and audited."))


class UsageOut(Schema):
    id: int
    instrument_id: int
    booking_id: int | None
    organisation_id: int
    organisation: str
    operator: str
    start: datetime
    end: datetime
    samples: int
    external: bool
    fee_unit: str
    rate: Decimal
    charge: Decimal
    paid_by_voucher: Decimal
    overridden: list[str] = []
    override_reason: str = ""


def _usage(u: Any) -> dict[str, Any]:
    return {name: getattr(u, name) for name in UsageOut.model_fields if name != "organisation"} | {
        "organisation": u.organisation.name}


@router.post("/instruments/{instrument_id}/usage", response={201: UsageOut, **ERRORS})
def record_usage(request: HttpRequest, instrument_id: Id, data: UsageIn) -> Any:
    """Record actual use (owner's staff); the charge is computed from the fee schedule."""
    instrument = selectors.managed_instrument(request.user, instrument_id)
    booking = selectors.booking_for(request.user, data.booking_id) if data.booking_id else None
    organisation = Organisation.objects.filter(pk=data.organisation_id).first() if data.organisation_id else None
    usage = services.do_record_usage(actor=request.user, instrument=instrument, booking=booking,
                                     organisation=organisation, start=data.start, end=data.end,
                                     operator=data.operator, samples=data.samples, notes=data.notes,
                                     override_reason=data.override_reason)
    return Status(201, _usage(usage))


@router.get("/instruments/usage/", response={200: list[UsageOut], **ERRORS})
def list_usage(request: HttpRequest, instrument_id: Id | None = None) -> Any:
    """Usage records of the instruments you manage (at most 500, newest first)."""
    qs = selectors.usage_of(request.user)
    if instrument_id:
        qs = qs.filter(instrument_id=instrument_id)
    return [_usage(u) for u in qs[:500]]


class VoucherOptionOut(Schema):
    voucher_code: str
    programme: str
    balance: Decimal
    voucher_part: Decimal
    enterprise_part: Decimal


class VoucherPreviewOut(Schema):
    usage_id: int
    charge: Decimal
    paid_by_voucher: Decimal
    options: list[VoucherOptionOut]


class VoucherPayIn(Schema):
    voucher_code: Short


class VoucherPaymentOut(Schema):
    usage_id: int
    voucher_code: str
    contract_id: int
    charge: Decimal
    paid_by_voucher: Decimal
    paid_by_enterprise: Decimal


@router.get("/instruments/usage/{usage_id}/voucher-payment", response={200: VoucherPreviewOut, **ERRORS})
def voucher_preview(request: HttpRequest, usage_id: Id) -> Any:
    """Preview (using enterprise or owner): what each of the using enterprise's active vouchers would pay."""
    usage = selectors.usage_for(request.user, usage_id)
    options = [{"voucher_code": v.code, "programme": v.programme.name, "balance": v.account.balance,
                "voucher_part": amount, "enterprise_part": usage.charge - amount}
               for v, amount in services.vouchers_for_usage(usage)] if usage.paid_by_voucher == 0 else []
    return {"usage_id": usage.pk, "charge": usage.charge, "paid_by_voucher": usage.paid_by_voucher,
            "options": options}


@router.post("/instruments/usage/{usage_id}/voucher-payment", response={201: VoucherPaymentOut, **ERRORS})
def pay_with_voucher(request: HttpRequest, usage_id: Id, data: VoucherPayIn) -> Any:
    """The enterprise that used the instrument pays part of the charge with its voucher, through the vouchers flow
    (a service contract of category "instrument use" and its redemption). 403 not that enterprise; 404 unknown or
    out of scope; 409 already paid, voucher expired or cancelled, no balance, owner not a voucher provider; 422 not
    one of your vouchers, provider not approved or not recognising the voucher's programme, category not eligible."""
    selectors.usage_for(request.user, usage_id)
    payment = services.do_pay_usage_with_voucher(actor=request.user, usage_id=usage_id,
                                                 voucher_code=data.voucher_code)
    usage = payment.usage
    return Status(201, {"usage_id": usage.pk, "voucher_code": payment.voucher.code,
                        "contract_id": payment.contract_id, "charge": usage.charge,
                        "paid_by_voucher": usage.paid_by_voucher,
                        "paid_by_enterprise": usage.charge - usage.paid_by_voucher})


class StatsRow(Schema):
    instrument_id: int
    name_zh: str
    name_en: str
    owner: str
    region_code: str
    purchase_value: Decimal
    effective_hours: Decimal
    external_hours: Decimal
    sharing_rate: Decimal
    users_served: int
    income: Decimal
    flags: str


class ReferenceOut(Schema):
    valid_from_year: int
    effective_hours: Decimal
    external_hours: Decimal
    sharing_rate: Decimal
    flag_share: Decimal


class StatsOut(Schema):
    year: int
    reference: ReferenceOut | None
    instruments: list[StatsRow]


@router.get("/instruments/statistics/", response={200: StatsOut, **ERRORS})
def statistics(request: HttpRequest, year: Year | None = None) -> Any:
    """Sharing statistics of the instruments in your scope (owners: theirs; agency staff: their region)."""
    year = year or (timezone.localdate() - timedelta(days=365)).year
    if not can(request.user, "instrument.stats"):
        raise PermissionDenied(_("You may not read instrument statistics."))
    result = stats.report(scope(request.user, "instrument.stats", Instrument.objects.all()), year)
    ref = result.reference
    return {"year": year,
            "reference": None if ref is None else {name: getattr(ref, name) for name in ReferenceOut.model_fields},
            "instruments": [r.as_dict() for r in result.rows]}
