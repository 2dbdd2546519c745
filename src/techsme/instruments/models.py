"""Shared scientific instruments: catalogue, booking rules, bookings, wait list, usage and sharing references.

Double booking is impossible: on PostgreSQL an exclusion constraint over (instrument, [start, occupied_until)) for
active bookings (migration 0002); on SQLite the service serialises check-and-insert (IMMEDIATE transactions).
``occupied_until`` is the end plus the instrument's buffer, so the buffer counts as occupied.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from techsme.accounts.models import Organisation
from techsme.core.search import Searchable


class FeeUnit(models.TextChoices):
    HOUR = "hour", _("per hour")
    SAMPLE = "sample", _("per sample")


class InstrumentStatus(models.TextChoices):
    ACTIVE = "active", _("In service")
    SUSPENDED = "suspended", _("Temporarily unavailable")
    RETIRED = "retired", _("Retired")


class Instrument(Searchable):
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="instruments",
                              verbose_name=_("owner institution"))
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    category_code = models.CharField(_("category"), max_length=8, db_index=True)
    model_number = models.CharField(_("model"), max_length=100, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    purchase_value = models.DecimalField(_("purchase value (yuan)"), max_digits=14, decimal_places=2,
                                         validators=[MinValueValidator(Decimal("0"))])
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    region_code = models.CharField(_("region code"), max_length=6, db_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    specs = models.TextField(_("technical specifications"), blank=True)
    sample_requirements = models.TextField(_("sample requirements"), blank=True)
    services = models.TextField(_("services offered"), blank=True)
    fee_unit = models.CharField(_("fee unit"), max_length=10, choices=FeeUnit.choices, default=FeeUnit.HOUR)
    fee_internal = models.DecimalField(_("internal fee (yuan)"), max_digits=12, decimal_places=2,
                                       default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))])
    fee_external = models.DecimalField(_("external fee (yuan)"), max_digits=12, decimal_places=2,
                                       default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))])
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    operators = models.TextField(_("operators"), blank=True)
    qualification_requirements = models.TextField(_("qualification requirements"), blank=True)
    photo = models.FileField(_("photo"), upload_to="instruments/photos/", blank=True)
    status = models.CharField(_("status"), max_length=12, choices=InstrumentStatus.choices,
                              default=InstrumentStatus.ACTIVE)
    is_public = models.BooleanField(_("listed in the public catalogue"), default=True)
    # Booking rules
    auto_approve = models.BooleanField(_("approve requests automatically"), default=False)
    min_duration_minutes = models.PositiveIntegerField(_("minimum booking (minutes)"), default=30)
    max_duration_minutes = models.PositiveIntegerField(_("maximum booking (minutes)"), default=480)
    lead_time_hours = models.PositiveIntegerField(_("lead time (hours)"), default=24)
    buffer_minutes = models.PositiveIntegerField(_("buffer between bookings (minutes)"), default=0)
    self_operation_requires_qualification = models.BooleanField(
        _("self-operation requires a qualification"), default=True)
    quota_hours_per_month = models.DecimalField(
        _("quota per organisation (hours per month)"), max_digits=7, decimal_places=2, null=True, blank=True,
        help_text=_("Empty: no quota."))
    free_cancellation_hours = models.PositiveIntegerField(_("free cancellation until (hours before start)"),
                                                          default=24)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    search_fields = ("name_zh", "name_en", "model_number", "manufacturer", "specs", "services")
    scope_org_field = "owner_id"
    scope_region_field = "region_code"

    class Meta:
        ordering = ["name_zh", "pk"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [
            models.CheckConstraint(condition=models.Q(max_duration_minutes__gte=models.F("min_duration_minutes")),
                                   name="instrument_duration_range"),
        ]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_minutes)


class OutageKind(models.TextChoices):
    BLACKOUT = "blackout", _("Blackout (closed for bookings)")
    MAINTENANCE = "maintenance", _("Maintenance outage")


class Outage(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="outages")
    kind = models.CharField(_("kind"), max_length=12, choices=OutageKind.choices)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    scope_org_field = "instrument__owner_id"

    class Meta:
        ordering = ["start"]
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="outage_order")]


class Qualification(models.Model):
    """A user qualified to operate an instrument themselves."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="qualifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="instrument_qualifications")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    granted_on = models.DateField(_("granted on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    scope_org_field = "instrument__owner_id"

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [models.UniqueConstraint(fields=["instrument", "user"], name="qualification_unique")]


class BookingKind(models.TextChoices):
    SLOT = "slot", _("Time slot")
    SAMPLE = "sample", _("Sample testing")


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")
    COMPLETED = "completed", _("Completed")


# A booking in these states holds its slot.
ACTIVE_STATUSES = (BookingStatus.REQUESTED, BookingStatus.APPROVED)


class Booking(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="bookings")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="instrument_bookings",
                                     verbose_name=_("organisation"))
    kind = models.CharField(_("kind"), max_length=8, choices=BookingKind.choices, default=BookingKind.SLOT)
    self_operated = models.BooleanField(_("operated by the user"), default=False)
    start = models.DateTimeField(_("start"), null=True, blank=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    occupied_until = models.DateTimeField(null=True, blank=True, editable=False)
    samples = models.PositiveIntegerField(_("samples"), default=0)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices,
                              default=BookingStatus.REQUESTED, db_index=True)
    overridden = models.JSONField(default=list, blank=True)  # policy problem codes a staff member overrode
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    late_cancellation = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_org_field = "organisation_id"  # the requesting side; the owner side is checked on the instrument

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="sample") | (models.Q(start__isnull=False) & models.Q(end__gt=models.F("start"))
                                                     & models.Q(occupied_until__gte=models.F("end"))),
                name="booking_slot_times",
            ),
        ]
        indexes = [models.Index(fields=["instrument", "start"], name="booking_instr_start")]

    def __str__(self) -> str:
        return f"{self.instrument} · {self.start:%Y-%m-%d %H:%M}" if self.start else f"{self.instrument} · #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def hours(self) -> Decimal:
        if not (self.start and self.end):
            return Decimal("0")
        return Decimal((self.end - self.start).total_seconds()) / Decimal(3600)


class WaitStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WaitListEntry(models.Model):
    """A user waiting for a time that was taken; offered the slot in order when a booking there is cancelled."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="wait_list")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    self_operated = models.BooleanField(default=False)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=WaitStatus.choices, default=WaitStatus.WAITING)
    offered_at = models.DateTimeField(null=True, blank=True)
    booking = models.ForeignKey(Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_org_field = "organisation_id"

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("wait-list entry")
        verbose_name_plural = _("wait-list entries")


class UsageRecord(models.Model):
    """What actually happened on the instrument (separate from the booking); the charge follows the fee schedule."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="usage")
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="usage")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("user organisation"))
    operator = models.CharField(_("operator"), max_length=100, blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    samples = models.PositiveIntegerField(_("samples"), default=0)
    external = models.BooleanField(_("external (shared) use"))
    fee_unit = models.CharField(max_length=10, choices=FeeUnit.choices)
    rate = models.DecimalField(max_digits=12, decimal_places=2)
    charge = models.DecimalField(_("charge (yuan)"), max_digits=14, decimal_places=2)
    # Extension point for the vouchers issue: the part of the charge paid by an innovation voucher.
    paid_by_voucher = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Charge criteria the owner's staff overrode when recording (``instruments.charges``), with the reason.
    overridden = models.JSONField(_("criteria overridden"), default=list, blank=True)
    override_reason = models.CharField(_("reason for the override"), max_length=300, blank=True)

    scope_org_field = "instrument__owner_id"

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="usage_order"),
            models.CheckConstraint(condition=models.Q(charge__gte=0) & models.Q(paid_by_voucher__gte=0)
                                   & models.Q(paid_by_voucher__lte=models.F("charge")), name="usage_amounts"),
        ]

    @property
    def hours(self) -> Decimal:
        return Decimal((self.end - self.start).total_seconds()) / Decimal(3600)


class SharingReference(models.Model):
    """Reference figures for sharing performance (rules.md §5), editable by administrators; the latest row whose
    ``valid_from_year`` ≤ the year applies."""

    valid_from_year = models.PositiveIntegerField(_("valid from year"), unique=True)
    effective_hours = models.DecimalField(_("effective machine hours per year"), max_digits=8, decimal_places=1)
    external_hours = models.DecimalField(_("external (shared) hours per year"), max_digits=8, decimal_places=1)
    sharing_rate = models.DecimalField(_("sharing rate"), max_digits=5, decimal_places=4,
                                       validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))])
    flag_share = models.DecimalField(
        _("flag below this share of the reference"), max_digits=4, decimal_places=2, default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))])
    citation = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["-valid_from_year"]
        verbose_name = _("sharing reference figures")
        verbose_name_plural = _("sharing reference figures")

    def __str__(self) -> str:
        return f"{self.valid_from_year}: {self.effective_hours} h / {self.external_hours} h / {self.sharing_rate}"


class UsageVoucherPayment(models.Model):
    """The link between a usage record and the innovation-voucher contract that paid part of its charge.

    The money moved through the vouchers flow (``vouchers.services.do_record_contract`` + ``do_redeem``: ledger
    ``voucher:V`` → ``provider:R:receivable``); this row only records which contract paid how much of which usage.
    One voucher payment per usage (the one-to-one constraints make a double submission impossible).
    """

    usage = models.OneToOneField(UsageRecord, on_delete=models.PROTECT, related_name="voucher_payment")
    contract = models.OneToOneField("vouchers.Contract", on_delete=models.PROTECT, related_name="instrument_usage")
    voucher = models.ForeignKey("vouchers.Voucher", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("paid by the voucher"), max_digits=14, decimal_places=2)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    paid_at = models.DateTimeField(auto_now_add=True)

    scope_org_field = "usage__organisation_id"

    class Meta:
        verbose_name = _("voucher payment of a usage")
        verbose_name_plural = _("voucher payments of usage")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="usage_voucher_amount_positive")]
