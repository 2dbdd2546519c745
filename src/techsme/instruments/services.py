"""Every state change of shared instruments: atomic, permission-checked, audited.

Booking requests lock the instrument row and check for overlaps inside the transaction: on PostgreSQL the row lock
serialises requests for one instrument (and the exclusion constraint refuses an overlap whatever code writes it);
on SQLite the IMMEDIATE transaction mode serialises every writer. Buffer time after a booking counts as occupied.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.accounts.models import Organisation
from techsme.accounts.roles import OrgKind
from techsme.core import audit
from techsme.core.errors import Conflict, FieldError, InvalidInput
from techsme.core.identifiers import region_error
from techsme.core.permissions import can, organisations
from techsme.core.uploads import sniff_type
from techsme.instruments import categories, charges
from techsme.instruments.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingKind,
    BookingStatus,
    FeeUnit,
    Instrument,
    InstrumentStatus,
    Outage,
    OutageKind,
    Qualification,
    SharingReference,
    UsageRecord,
    UsageVoucherPayment,
    WaitListEntry,
    WaitStatus,
)
from techsme.instruments.permissions import BOOKER_ROLES

CENT = Decimal("0.01")
OWNER_KINDS = (OrgKind.PROVIDER, OrgKind.ENTERPRISE, OrgKind.AGENCY)
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {"image/png": "png", "image/jpeg": "jpg"}  # accepted photo types and their file suffixes

INSTRUMENT_FIELDS = (
    "name_zh", "name_en", "category_code", "model_number", "manufacturer", "purchase_value", "purchase_date",
    "region_code", "address", "contact_name", "contact_phone", "contact_email", "specs", "sample_requirements",
    "services", "fee_unit", "fee_internal", "fee_external", "opening_hours", "operators",
    "qualification_requirements", "status", "is_public", "auto_approve", "min_duration_minutes",
    "max_duration_minutes", "lead_time_hours", "buffer_minutes", "self_operation_requires_qualification",
    "quota_hours_per_month", "free_cancellation_hours",
)  # fmt: skip


def _audit(actor: Any, verb: str, obj: Any, instrument: Instrument, changes: dict | None = None) -> None:
    audit.record(actor=actor, verb=f"instruments.{verb}", obj=obj, changes=changes or {},
                 region_code=instrument.region_code, organisation_id=instrument.owner_id)


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied(_("You may not do this."))


# ---------------------------------------------------------------------------------------------------------- catalogue

def instrument_errors(data: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    if not str(data.get("name_zh") or "").strip():
        errors.append(FieldError("name_zh", _("Enter the Chinese name.")))
    code = data.get("category_code") or ""
    if code not in categories.leaf_codes():
        errors.append(FieldError("category_code", _("Choose a category from the list.")))
    for name in ("purchase_value", "fee_internal", "fee_external"):
        value = data.get(name)
        if value is None and name == "purchase_value":
            errors.append(FieldError(name, _("Enter the purchase value.")))
        elif value is not None and (not isinstance(value, Decimal) or value < 0 or value != value.quantize(CENT)):
            errors.append(FieldError(name, _("Enter an amount in yuan, at least 0, with at most two decimals.")))
    message = region_error(str(data.get("region_code") or ""))
    if message:
        errors.append(FieldError("region_code", message))
    email = data.get("contact_email") or ""
    if email:
        try:
            EmailValidator()(email)
        except Exception:  # noqa: BLE001 — ValidationError; the message is ours
            errors.append(FieldError("contact_email", _("Enter a valid e-mail address.")))
    if data.get("fee_unit", FeeUnit.HOUR) not in FeeUnit.values:
        errors.append(FieldError("fee_unit", _("Choose per hour or per sample.")))
    if data.get("status", InstrumentStatus.ACTIVE) not in InstrumentStatus.values:
        errors.append(FieldError("status", _("Choose a status from the list.")))
    low, high = data.get("min_duration_minutes", 30), data.get("max_duration_minutes", 480)
    if low is not None and high is not None and int(high) < int(low):
        errors.append(FieldError("max_duration_minutes", _("The maximum cannot be shorter than the minimum.")))
    return errors


def photo_error(upload: Any) -> str | None:
    """A message when the upload is not a PNG or JPEG image of at most 2 MB."""
    if upload.size > PHOTO_MAX_BYTES:
        return _("The photo may be at most 2 MB.")
    if sniff_type(upload, tuple(PHOTO_TYPES)) is None:
        return _("The photo must be a PNG or JPEG image.")
    return None


def do_save_instrument(*, actor: Any, owner: Organisation, data: dict[str, Any],
                       instrument: Instrument | None = None, photo: Any = None) -> Instrument:
    """Create an instrument for ``owner`` or update ``instrument`` (fields from ``INSTRUMENT_FIELDS``)."""
    with transaction.atomic():
        if instrument is not None:
            instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
            _require(can(actor, "instrument.manage", instrument))
            merged = {name: getattr(instrument, name) for name in INSTRUMENT_FIELDS} | data
        else:
            if owner.kind not in OWNER_KINDS:
                raise InvalidInput([FieldError("owner", _("This organisation cannot own instruments."))])
            _require(can(actor, "instrument.manage", Instrument(owner=owner)))
            merged = {"region_code": owner.region_code} | data
        errors = instrument_errors(merged)
        if photo is not None:
            message = photo_error(photo)
            if message:
                errors.append(FieldError("photo", message))
        if errors:
            raise InvalidInput(errors)
        before = {name: getattr(instrument, name) for name in INSTRUMENT_FIELDS} if instrument else {}
        target = instrument or Instrument(owner=owner)
        for name in INSTRUMENT_FIELDS:
            if name in merged:
                setattr(target, name, merged[name])
        if photo is not None:
            kind = PHOTO_TYPES[sniff_type(photo, tuple(PHOTO_TYPES))]
            target.photo.save(f"instrument-{target.pk or 'new'}.{kind}", photo, save=False)
        target.save()
        after = {name: getattr(target, name) for name in INSTRUMENT_FIELDS}
        _audit(actor, "instrument.save" if instrument else "instrument.create", target, target,
               audit.diff(before, after))
    return target


def do_add_outage(*, actor: Any, instrument: Instrument, kind: str, start: datetime, end: datetime,
                  reason: str = "") -> Outage:
    with transaction.atomic():
        _require(can(actor, "instrument.manage", instrument))
        if kind not in OutageKind.values:
            raise InvalidInput([FieldError("kind", _("Choose blackout or maintenance."))])
        if end <= start:
            raise InvalidInput([FieldError("end", _("The end must be after the start."))])
        outage = Outage.objects.create(instrument=instrument, kind=kind, start=start, end=end, reason=reason)
        _audit(actor, "outage.add", outage, instrument, {"kind": kind, "start": start, "end": end})
    return outage


def do_grant_qualification(*, actor: Any, instrument: Instrument, user: Any, valid_until: date | None = None
                           ) -> Qualification:
    with transaction.atomic():
        _require(can(actor, "instrument.manage", instrument))
        qualification, _created = Qualification.objects.update_or_create(
            instrument=instrument, user=user,
            defaults={"granted_by": actor, "granted_on": timezone.localdate(), "valid_until": valid_until})
        _audit(actor, "qualification.grant", qualification, instrument, {"user": user.pk, "valid_until": valid_until})
    return qualification


# ------------------------------------------------------------------------------------------------------------- policy

@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    overridable: bool


@dataclass
class PolicyResult:
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def staff_may_override(self) -> bool:
        """True when there are problems and staff of the owner may override every one of them."""
        return bool(self.problems) and all(p.overridable for p in self.problems)

    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


def _hours(delta: timedelta) -> Decimal:
    return Decimal(delta.total_seconds()) / Decimal(3600)


def _month_bounds(moment: datetime) -> tuple[datetime, datetime]:
    local = timezone.localtime(moment)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def overlapping_bookings(instrument: Instrument, start: datetime, occupied_until: datetime,
                         exclude_pk: int | None = None) -> Any:
    qs = Booking.objects.filter(instrument=instrument, kind=BookingKind.SLOT, status__in=ACTIVE_STATUSES,
                                start__lt=occupied_until, occupied_until__gt=start)
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs


def policy_check(booking: Booking, *, now: datetime | None = None) -> PolicyResult:
    """Every rule of the instrument that ``booking`` breaks, and whether staff may override them (NEMO style)."""
    now = now or timezone.now()
    instrument = booking.instrument
    result = PolicyResult()
    add = result.problems.append
    if instrument.status != InstrumentStatus.ACTIVE:
        add(Problem("unavailable", _("The instrument is not in service."), False))
    if booking.kind == BookingKind.SAMPLE:
        if booking.samples < 1:
            add(Problem("no_samples", _("Give the number of samples."), False))
        return result
    if booking.start is None or booking.end is None or booking.end <= booking.start:
        add(Problem("invalid_times", _("The end must be after the start."), False))
        return result
    start, end = booking.start, booking.end
    minutes = (end - start).total_seconds() / 60
    if start < now:
        add(Problem("in_past", _("The start time has already passed."), False))
    elif start < now + timedelta(hours=instrument.lead_time_hours):
        add(Problem("lead_time", _("Bookings must be made at least %(hours)d hours in advance.")
                    % {"hours": instrument.lead_time_hours}, True))
    if minutes < instrument.min_duration_minutes:
        add(Problem("too_short", _("A booking must last at least %(minutes)d minutes.")
                    % {"minutes": instrument.min_duration_minutes}, True))
    if minutes > instrument.max_duration_minutes:
        add(Problem("too_long", _("A booking may last at most %(minutes)d minutes.")
                    % {"minutes": instrument.max_duration_minutes}, True))
    outages = Outage.objects.filter(instrument=instrument, start__lt=end, end__gt=start)
    kinds = set(outages.values_list("kind", flat=True))
    if OutageKind.MAINTENANCE in kinds:
        add(Problem("maintenance", _("The instrument is under maintenance at that time."), False))
    if OutageKind.BLACKOUT in kinds:
        add(Problem("blackout", _("The instrument is closed for bookings at that time."), True))
    occupied_until = end + instrument.buffer
    if overlapping_bookings(instrument, start, occupied_until, booking.pk).exists():
        add(Problem("overlap", _("The time overlaps another booking (including the buffer between bookings)."),
                    False))
    if booking.self_operated and instrument.self_operation_requires_qualification:
        today = timezone.localdate(now)
        qualified = Qualification.objects.filter(instrument=instrument, user_id=booking.requester_id).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)).exists()
        if not qualified:
            add(Problem("qualification", _("Operating this instrument yourself needs a qualification."), True))
    if instrument.quota_hours_per_month is not None and booking.organisation_id:
        first, following = _month_bounds(start)
        used = Decimal(0)
        others = Booking.objects.filter(
            instrument=instrument, organisation_id=booking.organisation_id, kind=BookingKind.SLOT,
            status__in=(*ACTIVE_STATUSES, BookingStatus.COMPLETED), start__gte=first, start__lt=following)
        for other in others.exclude(pk=booking.pk):
            used += other.hours
        if used + _hours(end - start) > instrument.quota_hours_per_month:
            add(Problem("quota", _("This booking would exceed your organisation's quota of %(hours)s hours a month "
                                   "(already booked: %(used)s hours).")
                        % {"hours": instrument.quota_hours_per_month, "used": used.quantize(Decimal("0.1"))}, True))
    return result


class BookingRefused(Conflict):
    """The policy check failed (HTTP 409); ``problems`` lists every broken rule."""

    def __init__(self, result: PolicyResult):
        super().__init__(" ".join(p.message for p in result.problems))
        self.problems = result.problems
        self.staff_may_override = result.staff_may_override


def _refuse(result: PolicyResult) -> None:
    raise BookingRefused(result)


def _check_or_override(result: PolicyResult, *, may_override: bool, override: bool) -> list[str]:
    """The overridden codes, or Conflict when problems remain."""
    if result.ok:
        return []
    if override and may_override and result.staff_may_override:
        return result.codes()
    _refuse(result)
    return []  # pragma: no cover


# ------------------------------------------------------------------------------------------------------------ booking

def booking_organisation(actor: Any, organisation: Organisation | None) -> Organisation:
    """The organisation a booking is for: the one given (the actor must belong to it) or the actor's only one."""
    mine = organisations(actor, BOOKER_ROLES)
    if organisation is not None:
        if organisation.pk not in mine and not getattr(actor, "is_superuser", False):
            raise PermissionDenied(_("You may not book for this organisation."))
        return organisation
    if not mine:
        raise PermissionDenied(_("Only members of an enterprise or institution can book instruments."))
    return Organisation.objects.get(pk=mine[0])


def _save_booking(booking: Booking) -> None:
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:  # PostgreSQL's exclusion constraint: someone else took the slot
        raise Conflict(_("The time overlaps another booking (including the buffer between bookings).")) from exc


def do_request_booking(*, actor: Any, instrument: Instrument, start: datetime | None = None,
                       end: datetime | None = None, organisation: Organisation | None = None,
                       kind: str = BookingKind.SLOT, self_operated: bool = False, samples: int = 0,
                       purpose: str = "", override: bool = False, now: datetime | None = None) -> Booking:
    """Request a slot (or a sample-testing service). Approved at once when the instrument auto-approves.

    Raises Conflict listing the problems when the policy check fails (staff of the owner may pass
    ``override=True`` when every problem is overridable).
    """
    if kind not in BookingKind.values:
        raise InvalidInput([FieldError("kind", _("Choose a time slot or sample testing."))])
    with transaction.atomic():
        instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)  # serialises this instrument
        org = booking_organisation(actor, organisation)
        booking = Booking(instrument=instrument, requester=actor, organisation=org, kind=kind,
                          self_operated=self_operated, samples=samples, purpose=purpose[:300])
        if kind == BookingKind.SLOT:
            booking.start, booking.end = start, end
            booking.occupied_until = end + instrument.buffer if end else None
        _require(can(actor, "instrument.book", booking))
        if not instrument.is_public and not can(actor, "instrument.manage", instrument):
            raise PermissionDenied(_("This instrument is not open for booking."))
        staff = can(actor, "instrument.manage", instrument)
        result = policy_check(booking, now=now)
        booking.overridden = _check_or_override(result, may_override=staff, override=override)
        if instrument.auto_approve or (staff and override):
            booking.status = BookingStatus.APPROVED
            booking.decided_at = timezone.now()
            booking.decided_by = actor if staff else None
        _save_booking(booking)
        _audit(actor, "booking.request", booking, instrument,
               {"start": booking.start, "end": booking.end, "kind": kind, "status": booking.status,
                "overridden": booking.overridden})
    return booking


def _locked_booking(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("instrument").get(pk=booking.pk)


def do_approve_booking(*, actor: Any, booking: Booking, override: bool = False, note: str = "",
                       now: datetime | None = None) -> Booking:
    with transaction.atomic():
        booking = _locked_booking(booking)
        _require(can(actor, "instrument.manage", booking.instrument))
        if booking.status != BookingStatus.REQUESTED:
            raise Conflict(_("Only a requested booking can be approved."))
        result = policy_check(booking, now=now)
        # Problems the requester already saw (lead time now shorter, …) may be overridden by the owner's staff.
        overridden = _check_or_override(result, may_override=True, override=override)
        booking.status = BookingStatus.APPROVED
        booking.overridden = sorted(set(booking.overridden) | set(overridden))
        booking.decided_by, booking.decided_at, booking.decision_note = actor, timezone.now(), note[:300]
        booking.save()
        _audit(actor, "booking.approve", booking, booking.instrument, {"overridden": overridden, "note": note})
    return booking


def do_decline_booking(*, actor: Any, booking: Booking, note: str = "") -> Booking:
    with transaction.atomic():
        booking = _locked_booking(booking)
        _require(can(actor, "instrument.manage", booking.instrument))
        if booking.status != BookingStatus.REQUESTED:
            raise Conflict(_("Only a requested booking can be declined."))
        booking.status = BookingStatus.DECLINED
        booking.decided_by, booking.decided_at, booking.decision_note = actor, timezone.now(), note[:300]
        booking.save()
        _audit(actor, "booking.decline", booking, booking.instrument, {"note": note})
        _offer_freed_slot(booking)
    return booking


def do_cancel_booking(*, actor: Any, booking: Booking, now: datetime | None = None) -> Booking:
    """Cancel (requester or owner). Free until the instrument's free-cancellation time before the start; a later
    cancellation by the requester is marked late. The next person on the wait list is offered the slot."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked_booking(booking)
        owner_side = can(actor, "instrument.manage", booking.instrument)
        _require(owner_side or can(actor, "instrument.book", booking))
        if booking.status not in ACTIVE_STATUSES:
            raise Conflict(_("Only a requested or approved booking can be cancelled."))
        if booking.start and booking.start <= now:
            raise Conflict(_("A booking that has started can no longer be cancelled."))
        limit = booking.start - timedelta(hours=booking.instrument.free_cancellation_hours) if booking.start else None
        booking.late_cancellation = bool(limit and now > limit and not owner_side)
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.save()
        _audit(actor, "booking.cancel", booking, booking.instrument, {"late": booking.late_cancellation})
        _offer_freed_slot(booking)
    return booking


def do_mark_no_show(*, actor: Any, booking: Booking, now: datetime | None = None) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked_booking(booking)
        _require(can(actor, "instrument.manage", booking.instrument))
        if booking.status != BookingStatus.APPROVED or booking.kind != BookingKind.SLOT:
            raise Conflict(_("Only an approved time slot can be marked as a no-show."))
        if booking.start > now:
            raise Conflict(_("A booking can be marked as a no-show only after it has started."))
        booking.status = BookingStatus.NO_SHOW
        booking.save()
        _audit(actor, "booking.no_show", booking, booking.instrument)
    return booking


# ---------------------------------------------------------------------------------------------------------- wait list

def do_join_wait_list(*, actor: Any, instrument: Instrument, start: datetime, end: datetime,
                      organisation: Organisation | None = None, self_operated: bool = False,
                      purpose: str = "") -> WaitListEntry:
    with transaction.atomic():
        org = booking_organisation(actor, organisation)
        entry = WaitListEntry(instrument=instrument, user=actor, organisation=org, start=start, end=end,
                              self_operated=self_operated, purpose=purpose[:300])
        _require(can(actor, "instrument.book", entry))
        if end <= start:
            raise InvalidInput([FieldError("end", _("The end must be after the start."))])
        entry.save()
        _audit(actor, "waitlist.join", entry, instrument, {"start": start, "end": end})
    return entry


def _offer_freed_slot(booking: Booking) -> WaitListEntry | None:
    """Offer the freed time to the first waiting entry whose wanted time overlaps it and is now free."""
    if booking.kind != BookingKind.SLOT or booking.start is None:
        return None
    instrument = booking.instrument
    candidates = WaitListEntry.objects.filter(instrument=instrument, status=WaitStatus.WAITING,
                                              start__lt=booking.occupied_until, end__gt=booking.start)
    for entry in candidates.order_by("created_at", "pk"):
        if not overlapping_bookings(instrument, entry.start, entry.end + instrument.buffer).exists():
            entry.status, entry.offered_at = WaitStatus.OFFERED, timezone.now()
            entry.save(update_fields=["status", "offered_at"])
            audit.record(actor=None, verb="instruments.waitlist.offer", obj=entry, changes={"booking": booking.pk},
                         region_code=instrument.region_code, organisation_id=instrument.owner_id)
            return entry
    return None


def do_accept_wait_offer(*, actor: Any, entry: WaitListEntry, now: datetime | None = None) -> Booking:
    """The offered user takes the slot: a booking request through the normal policy check."""
    with transaction.atomic():
        entry = WaitListEntry.objects.select_for_update().get(pk=entry.pk)
        _require(entry.user_id == actor.pk and can(actor, "instrument.book", entry))
        if entry.status != WaitStatus.OFFERED:
            raise Conflict(_("This wait-list entry has no open offer."))
        booking = do_request_booking(actor=actor, instrument=entry.instrument, start=entry.start, end=entry.end,
                                     organisation=entry.organisation, self_operated=entry.self_operated,
                                     purpose=entry.purpose, now=now)
        entry.status, entry.booking = WaitStatus.ACCEPTED, booking
        entry.save(update_fields=["status", "booking"])
        _audit(actor, "waitlist.accept", entry, entry.instrument, {"booking": booking.pk})
    return booking


def do_withdraw_wait(*, actor: Any, entry: WaitListEntry) -> WaitListEntry:
    with transaction.atomic():
        entry = WaitListEntry.objects.select_for_update().get(pk=entry.pk)
        _require(can(actor, "instrument.book", entry))
        if entry.status not in (WaitStatus.WAITING, WaitStatus.OFFERED):
            raise Conflict(_("This wait-list entry is already closed."))
        was_offered = entry.status == WaitStatus.OFFERED
        entry.status = WaitStatus.WITHDRAWN
        entry.save(update_fields=["status"])
        _audit(actor, "waitlist.withdraw", entry, entry.instrument)
        if was_offered:  # pass the offer on
            ghost = Booking(instrument=entry.instrument, kind=BookingKind.SLOT, start=entry.start, end=entry.end,
                            occupied_until=entry.end + entry.instrument.buffer)
            _offer_freed_slot(ghost)
    return entry


# -------------------------------------------------------------------------------------------------------------- usage

@dataclass(frozen=True)
class Charge:
    external: bool
    fee_unit: str
    rate: Decimal
    quantity: Decimal
    amount: Decimal


def compute_charge(instrument: Instrument, organisation_id: int, start: datetime, end: datetime,
                   samples: int = 0) -> Charge:
    """Rate by the user's side (internal = the owner's own organisation), times hours or samples; half-up to fen."""
    external = organisation_id != instrument.owner_id
    rate = instrument.fee_external if external else instrument.fee_internal
    quantity = _hours(end - start) if instrument.fee_unit == FeeUnit.HOUR else Decimal(samples)
    amount = (rate * quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    return Charge(external, instrument.fee_unit, rate, quantity, amount)


def payment_provider(usage: UsageRecord, voucher: Any = None) -> Any:
    """The voucher service-provider registration of the instrument's owner that a voucher payment goes to: an
    approved registration offering "instrument use" whose programme accepts the voucher, if there is one; otherwise
    the closest candidate (approved, then any), whose refusal the vouchers flow explains; ``None`` when the owner
    institution never registered."""
    from techsme.vouchers.models import ProviderState, ServiceCategory, ServiceProvider
    from techsme.vouchers.services import accepts

    candidates = list(ServiceProvider.objects.filter(organisation_id=usage.instrument.owner_id)
                      .select_related("programme", "organisation").order_by("pk"))

    def rank(p: Any) -> tuple[bool, bool, bool, bool]:
        approved = p.state == ProviderState.APPROVED
        accepted = voucher is not None and accepts(p, voucher)
        return (approved, accepted, ServiceCategory.INSTRUMENT in p.categories(),
                voucher is not None and p.programme_id == voucher.programme_id)

    return max(candidates, key=rank) if candidates else None


def _voucher_problem(usage: UsageRecord, voucher: Any, provider: Any, today: date) -> bool:
    """Whether the vouchers flow would certainly refuse (used only for the preview; the verbs decide)."""
    from techsme.vouchers.models import ProviderState, ServiceCategory, VoucherState
    from techsme.vouchers.services import accepts

    return (provider is None or provider.state != ProviderState.APPROVED or voucher.state != VoucherState.ACTIVE
            or voucher.valid_until < today or not accepts(provider, voucher)
            or ServiceCategory.INSTRUMENT not in voucher.programme.categories
            or ServiceCategory.INSTRUMENT not in provider.categories())


def payable_by_voucher(usage: UsageRecord, voucher: Any = None, today: date | None = None) -> Decimal:
    """Preview: how much of ``usage.charge`` the innovation voucher would pay (0.00 when it cannot pay).

    The amount is the vouchers flow's own rule (``vouchers.services.allowed_redemption``: min(voucher balance,
    programme's maximum contract share × charge, rounded down to the fen)). Without ``voucher``: the most that one
    of the using enterprise's active vouchers would pay. A usage already paid by voucher has nothing left to pay.
    """
    from techsme.vouchers.models import Contract, Voucher, VoucherState
    from techsme.vouchers.services import allowed_redemption

    today = today or timezone.localdate()
    if usage.charge <= 0 or UsageVoucherPayment.objects.filter(usage=usage).exists():
        return Decimal("0.00")
    if voucher is None:
        vouchers = Voucher.objects.filter(enterprise__organisation_id=usage.organisation_id, state=VoucherState.ACTIVE,
                                          valid_until__gte=today)
        return max((payable_by_voucher(usage, v, today) for v in vouchers), default=Decimal("0.00"))
    voucher = (Voucher.objects.select_related("account", "programme", "enterprise").get(pk=voucher.pk))
    if voucher.enterprise.organisation_id != usage.organisation_id:
        return Decimal("0.00")
    provider = payment_provider(usage, voucher)
    if _voucher_problem(usage, voucher, provider, today):
        return Decimal("0.00")
    return allowed_redemption(voucher, Contract(amount=usage.charge))


def vouchers_for_usage(usage: UsageRecord, today: date | None = None) -> list[tuple[Any, Decimal]]:
    """The using enterprise's active vouchers with what each would pay for the usage (the form's choices)."""
    from techsme.vouchers.models import Voucher, VoucherState

    today = today or timezone.localdate()
    vouchers = (Voucher.objects.filter(enterprise__organisation_id=usage.organisation_id, state=VoucherState.ACTIVE,
                                       valid_until__gte=today)
                .select_related("account", "programme", "enterprise").order_by("valid_until", "pk"))
    return [(v, payable_by_voucher(usage, v, today)) for v in vouchers]


def do_pay_usage_with_voucher(*, actor: Any, usage_id: int, voucher_code: str,
                              today: date | None = None) -> UsageVoucherPayment:
    """The enterprise that used the instrument pays part of the charge with one of its innovation vouchers.

    Everything goes through the vouchers flow, in one transaction: ``vouchers.services.do_record_contract`` records
    a service contract of category "instrument use" between the enterprise and the owner institution (the provider)
    for the usage charge, and ``vouchers.services.do_redeem`` redeems the voucher's allowed share for it (ledger
    ``voucher:V`` → ``provider:R:receivable``, on the owner's behalf: recording the usage and its charge was the
    owner's confirmation). Their checks (voucher expired or cancelled, foreign programme without recognition,
    category not eligible, provider not approved, no balance) refuse with their messages and nothing is written.
    The link and ``UsageRecord.paid_by_voucher`` are set in the same transaction. A usage is paid by voucher once:
    a second submission is refused (``Conflict``) and changes nothing.
    """
    from techsme.registry.models import Enterprise
    from techsme.vouchers import codes
    from techsme.vouchers import services as vs
    from techsme.vouchers.models import ServiceCategory, Voucher

    today = today or timezone.localdate()
    with transaction.atomic():
        usage = (UsageRecord.objects.select_for_update(of=("self",)).select_related("instrument", "organisation")
                 .filter(pk=usage_id).first())
        enterprise = Enterprise.objects.filter(organisation_id=usage.organisation_id).first() if usage else None
        if usage is None or enterprise is None or not can(actor, "vouchers.contract.record", enterprise):
            raise PermissionDenied(_("Only the enterprise that used the instrument may pay with its voucher."))
        existing = UsageVoucherPayment.objects.filter(usage=usage).select_related("voucher").first()
        if existing is not None:
            raise Conflict(_("This usage has already been paid in part by voucher %(code)s; it was not paid again.")
                           % {"code": existing.voucher.code})
        if usage.charge <= 0:
            raise Conflict(_("This usage has no charge to pay."))
        code = codes.normalise(voucher_code)
        voucher = Voucher.objects.filter(code=code).select_related("programme", "enterprise").first()
        if voucher is None or voucher.enterprise_id != enterprise.pk:
            raise InvalidInput([FieldError("voucher_code", _("Choose one of your enterprise's own vouchers."))])
        provider = payment_provider(usage, voucher)
        if provider is None:
            raise Conflict(_("%(owner)s is not an innovation-voucher service provider, so its instrument use cannot "
                             "be paid by voucher.") % {"owner": usage.instrument.owner.name})
        instrument = usage.instrument
        description = _("Use of instrument %(instrument)s on %(date)s (usage record %(n)d)") % {
            "instrument": instrument.name_zh, "date": timezone.localtime(usage.start).date().isoformat(),
            "n": usage.pk}
        contract = vs.do_record_contract(
            actor=actor, voucher_id=voucher.pk, provider_id=provider.pk, category=ServiceCategory.INSTRUMENT,
            amount=usage.charge, description=description, submission_key=f"instrument-usage:{usage.pk}",
            today=today)
        contract = vs.do_redeem(actor=None, contract_id=contract.pk, voucher_code=voucher.code, today=today)
        payment = UsageVoucherPayment.objects.create(usage=usage, contract=contract, voucher=voucher,
                                                     amount=contract.redeemed_amount, paid_by=actor)
        if problem := charges.voucher_part_problem(usage.charge, contract.redeemed_amount):
            raise Conflict(problem)
        usage.paid_by_voucher = contract.redeemed_amount
        usage.save(update_fields=["paid_by_voucher"])
        _audit(actor, "usage.pay_by_voucher", usage, instrument,
               {"voucher": voucher.code, "contract": contract.pk, "charge": usage.charge,
                "paid_by_voucher": contract.redeemed_amount,
                "paid_by_enterprise": usage.charge - contract.redeemed_amount})
    return payment


def do_record_usage(*, actor: Any, instrument: Instrument, start: datetime, end: datetime,
                    organisation: Organisation | None = None, booking: Booking | None = None, operator: str = "",
                    samples: int = 0, notes: str = "", override_reason: str = "",
                    now: datetime | None = None) -> UsageRecord:
    """Record actual use (by the owner's staff) and its charge; a linked approved booking becomes completed.

    The charge rests on the usage as recorded, so ``charges.usage_problems`` is checked first: no charge for use that
    has not happened, for hours already charged, beside an approved booking, for a cancelled booking, beyond the
    booked time or samples, or over another organisation's use — the overridable ones only with ``override_reason``
    (kept on the record and audited)."""
    with transaction.atomic():
        instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
        _require(can(actor, "instrument.manage", instrument))
        errors = []
        if end <= start:
            errors.append(FieldError("end", _("The end must be after the start.")))
        if samples < 0:
            errors.append(FieldError("samples", _("The number of samples cannot be negative.")))
        if booking is not None:
            booking = _locked_booking(booking)
            if booking.instrument_id != instrument.pk:
                errors.append(FieldError("booking", _("The booking is for another instrument.")))
            elif booking.status not in (BookingStatus.APPROVED,):
                raise Conflict(_("Usage can be recorded only against an approved booking."))
            organisation = booking.organisation
        if organisation is None:
            errors.append(FieldError("organisation", _("Choose the organisation that used the instrument.")))
        if errors:
            raise InvalidInput(errors)
        overridden, reason = charges.enforce(
            charges.usage_problems(instrument, organisation.pk, booking, start, end, samples, now or timezone.now()),
            override_reason)
        charge = compute_charge(instrument, organisation.pk, start, end, samples)
        usage = UsageRecord.objects.create(
            instrument=instrument, booking=booking, organisation=organisation, operator=operator[:100], start=start,
            end=end, samples=samples, external=charge.external, fee_unit=charge.fee_unit, rate=charge.rate,
            charge=charge.amount, notes=notes[:300], recorded_by=actor, overridden=overridden,
            override_reason=reason)
        if booking is not None:
            booking.status = BookingStatus.COMPLETED
            booking.save(update_fields=["status"])
        _audit(actor, "usage.record", usage, instrument,
               {"start": start, "end": end, "samples": samples, "charge": charge.amount, "external": charge.external,
                "rate": charge.rate, "booking": booking.pk if booking else None,
                **({"overridden": overridden, "override_reason": reason} if overridden else {})})
    return usage


# --------------------------------------------------------------------------------------------------- reference figures

def do_set_reference(*, actor: Any, valid_from_year: int, effective_hours: Decimal, external_hours: Decimal,
                     sharing_rate: Decimal, flag_share: Decimal, citation: str = "") -> SharingReference:
    with transaction.atomic():
        _require(can(actor, "system.admin"))
        if not (Decimal(0) <= sharing_rate <= 1) or flag_share < 0 or effective_hours < 0 or external_hours < 0:
            raise InvalidInput([FieldError("sharing_rate", _("Enter a rate between 0 and 1 and non-negative hours."))])
        reference, _created = SharingReference.objects.update_or_create(
            valid_from_year=valid_from_year,
            defaults={"effective_hours": effective_hours, "external_hours": external_hours,
                      "sharing_rate": sharing_rate, "flag_share": flag_share, "citation": citation})
        audit.record(actor=actor, verb="instruments.reference.set", obj=reference,
                     changes={"effective_hours": effective_hours, "external_hours": external_hours,
                              "sharing_rate": sharing_rate, "flag_share": flag_share})
    return reference
