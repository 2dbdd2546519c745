"""Tech-SME evaluation: filing → review → on-site check → publicity → registration → renewal / revocation.

Rows change only through ``evaluation.services`` (one verb per transition, audited); the allowed transitions are
the tables in ``evaluation.workflows``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techsme.accounts.models import Organisation
from techsme.registry.models import Enterprise


class WorkdayOverride(models.Model):
    """An admin's correction of the official calendar: this date is (or is not) a working day.

    Takes precedence over the ``chinese_calendar`` package and covers the years it does not know yet.
    (Used by ``core.workdays``; kept here so the core app's migrations stay untouched.)
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {'+' if self.is_workday else '-'}"


class EvaluationYear(models.Model):
    """Settings of one evaluation year: the filing window and the triggers of the on-site check."""

    year = models.PositiveSmallIntegerField(_("evaluation year"), unique=True)
    opens_on = models.DateField(_("filing opens on"), null=True, blank=True)
    closes_on = models.DateField(_("filing closes on"), null=True, blank=True)
    onsite_max_employees_small = models.PositiveIntegerField(
        _("on-site check: at most this many employees"), default=5
    )
    onsite_tech_share_high = models.DecimalField(
        _("on-site check: technology staff share at least"), max_digits=4, decimal_places=3, default=Decimal("0.9")
    )
    onsite_tech_share_min_employees = models.PositiveIntegerField(
        _("on-site check: with at least this many employees"), default=50
    )
    onsite_check_first_time = models.BooleanField(_("on-site check: first-time applicants"), default=True)
    onsite_past_revocation_years = models.PositiveSmallIntegerField(
        _("on-site check: revoked or seriously dishonest within this many years"), default=3
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("evaluation year")
        verbose_name_plural = _("evaluation years")

    def __str__(self) -> str:
        return str(self.year)

    @classmethod
    def for_year(cls, year: int) -> "EvaluationYear":
        """The stored settings, or the defaults (unsaved) when the year has not been configured."""
        return cls.objects.filter(year=year).first() or cls(year=year)


class FilingState(models.TextChoices):
    DRAFT = "draft", _("draft")
    IMPORTED = "imported", _("received offline")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned for correction")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    IN_PUBLICITY = "in_publicity", _("in publicity")
    HELD = "held", _("registration held")
    REGISTERED = "registered", _("registered")
    OBJECTION_UPHELD = "objection_upheld", _("objection upheld")
    LAPSED = "lapsed", _("lapsed")
    REVOKED = "revoked", _("revoked")


# A filing in one of these states no longer blocks a new filing of the same enterprise and year.
INACTIVE_FILING_STATES = (FilingState.REJECTED, FilingState.OBJECTION_UPHELD)


class OnsiteResult(models.TextChoices):
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")


class OnsiteReason(models.TextChoices):
    SMALL = "small", _("very few employees")
    TECH_SHARE_HIGH = "tech_share_high", _("very high share of technology staff in a large workforce")
    PAST_REVOCATION = "past_revocation", _("revoked or seriously dishonest in recent years")
    FIRST_TIME = "first_time", _("first-time applicant")


class Filing(models.Model):
    """One enterprise's self-evaluation for one year, frozen on submission."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="filings")
    year = models.PositiveSmallIntegerField(_("evaluation year"))
    state = models.CharField(_("state"), max_length=20, choices=FilingState.choices, default=FilingState.DRAFT)
    facts_year = models.PositiveSmallIntegerField(_("tax year of the facts"))
    facts = models.JSONField(_("facts"), default=dict, encoder=DjangoJSONEncoder)
    # Filled by scoring (``evaluation.scoring``).
    staff_score = models.DecimalField(_("technology staff score"), max_digits=6, decimal_places=2, null=True)
    rd_score = models.DecimalField(_("R&D score"), max_digits=6, decimal_places=2, null=True)
    ip_score = models.DecimalField(_("technology achievements score"), max_digits=6, decimal_places=2, null=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True)
    route = models.CharField(_("route"), max_length=10, blank=True)
    eligible = models.BooleanField(_("eligible"), null=True)
    fail_reasons = models.CharField(_("failed conditions"), max_length=500, blank=True)
    explanation = models.JSONField(_("explanation"), null=True, blank=True, encoder=DjangoJSONEncoder)
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)

    attestation = models.BooleanField(_("attestation"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    needs_onsite_check = models.BooleanField(_("needs an on-site check"), default=False)
    onsite_reasons = models.JSONField(_("reasons for the on-site check"), default=list, blank=True)
    onsite_check_result = models.CharField(
        _("on-site check result"), max_length=10, choices=OnsiteResult.choices, blank=True
    )
    onsite_check_notes = models.TextField(_("on-site check notes"), blank=True)
    onsite_check_at = models.DateTimeField(_("on-site check recorded at"), null=True, blank=True)
    batch = models.ForeignKey(
        "PublicityBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="filings"
    )
    # An approval against failed criteria (``evaluation.criteria``): only by an agency administrator, with a reason.
    override_reason = models.TextField(_("reason for the override"), blank=True)
    override_criteria = models.JSONField(_("criteria overridden"), default=list, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("overridden by"),
    )
    override_at = models.DateTimeField(_("overridden at"), null=True, blank=True)
    # At the close of publicity the facts are scored again; a filing that no longer passes is held, not numbered.
    hold_reasons = models.JSONField(_("reasons for holding the registration"), default=list, blank=True)
    held_at = models.DateTimeField(_("registration held at"), null=True, blank=True)
    # Set on filings received offline and imported from a spreadsheet (``evaluation.importing``).
    import_job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    state_changed_at = models.DateTimeField(_("state changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("evaluation filing")
        verbose_name_plural = _("evaluation filings")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year"],
                condition=~models.Q(state__in=["rejected", "objection_upheld"]),
                name="filing_one_active_per_year",
            )
        ]
        indexes = [models.Index(fields=["state", "state_changed_at"], name="filing_state_changed")]

    scope_region_field = "enterprise__region_code"
    scope_org_field = "enterprise__organisation_id"

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"

    @property
    def region_code(self) -> str:
        return self.enterprise.region_code

    @property
    def editable(self) -> bool:
        return self.state in (FilingState.DRAFT, FilingState.RETURNED)

    @property
    def overridden(self) -> bool:
        """Accepted against failed criteria by an agency administrator's recorded override."""
        return self.override_at is not None

    @property
    def days_waiting(self) -> int:
        """Calendar days since the filing entered its current state (for a submitted filing: since submission)."""
        return (timezone.localdate() - timezone.localtime(self.state_changed_at).date()).days


class FilingDecision(models.Model):
    """Every transition of a filing, with who took it, why and when (the enterprise's status history)."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="decisions")
    transition = models.CharField(_("transition"), max_length=30)
    from_state = models.CharField(_("from state"), max_length=20, choices=FilingState.choices)
    to_state = models.CharField(_("to state"), max_length=20, choices=FilingState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("filing decision")
        verbose_name_plural = _("filing decisions")

    scope_region_field = "filing__enterprise__region_code"
    scope_org_field = "filing__enterprise__organisation_id"

    def __str__(self) -> str:
        return f"{self.filing} {self.transition}"


MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Accepted types (PDF, PNG, JPEG) are recognised by their first bytes: see ``core.uploads``.


def document_upload_to(instance: "SupportingDocument", filename: str) -> str:
    return f"evaluation/{instance.filing.year}/{instance.filing_id}/{filename}"


class SupportingDocument(models.Model):
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to=document_upload_to)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")

    scope_region_field = "filing__enterprise__region_code"
    scope_org_field = "filing__enterprise__organisation_id"

    def __str__(self) -> str:
        return self.original_name


class BatchState(models.TextChoices):
    OPEN = "open", _("in publicity")
    CLOSED = "closed", _("closed")


class PublicityBatch(models.Model):
    """Accepted filings published together by one agency for 10 working days."""

    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="publicity_batches")
    region_prefix = models.CharField(_("region"), max_length=6, db_index=True)
    year = models.PositiveSmallIntegerField(_("evaluation year"))
    number = models.PositiveIntegerField(_("batch number"))
    published_on = models.DateField(_("published on"))
    ends_on = models.DateField(_("publicity ends on"))
    state = models.CharField(_("state"), max_length=10, choices=BatchState.choices, default=BatchState.OPEN)
    calendar_warning = models.TextField(_("calendar warning"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("publicity batch")
        verbose_name_plural = _("publicity batches")
        constraints = [
            models.UniqueConstraint(fields=["region_prefix", "year", "number"], name="batch_number_unique")
        ]

    scope_region_field = "region_prefix"

    def __str__(self) -> str:
        return f"{self.region_prefix or 'CN'}-{self.year}-{self.number:03d}"

    @property
    def code(self) -> str:
        return str(self)


class ObjectionState(models.TextChoices):
    OPEN = "open", _("open")
    UPHELD = "upheld", _("upheld")
    DISMISSED = "dismissed", _("dismissed")


class Objection(models.Model):
    """An objection anyone may lodge against a filing during its publicity."""

    batch = models.ForeignKey(PublicityBatch, on_delete=models.PROTECT, related_name="objections")
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="objections")
    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("contact details"), max_length=200)
    text = models.TextField(_("objection"))
    state = models.CharField(_("state"), max_length=10, choices=ObjectionState.choices, default=ObjectionState.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    lodged_at = models.DateTimeField(_("lodged at"), auto_now_add=True)

    class Meta:
        ordering = ["lodged_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    scope_region_field = "batch__region_prefix"

    def __str__(self) -> str:
        return f"{self.filing} · {self.get_state_display()}"


class RegistrationState(models.TextChoices):
    REGISTERED = "registered", _("registered")
    LAPSED = "lapsed", _("lapsed")
    REVOKED = "revoked", _("revoked")


class Registration(models.Model):
    """An entry in the tech-SME database with its registration number (unique, never reused)."""

    filing = models.OneToOneField(Filing, on_delete=models.PROTECT, related_name="registration")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="registrations")
    number = models.CharField(_("registration number"), max_length=40, unique=True)
    region6 = models.CharField(_("region code"), max_length=6, db_index=True)
    year = models.PositiveSmallIntegerField(_("evaluation year"), db_index=True)
    seq = models.PositiveIntegerField(_("sequence"))
    issued_at = models.DateTimeField(_("issued at"))
    state = models.CharField(
        _("state"), max_length=10, choices=RegistrationState.choices, default=RegistrationState.REGISTERED
    )
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)
    annual_update_at = models.DateTimeField(_("annual update made at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "region6", "seq"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["region6", "year", "seq"], name="registration_seq_unique"),
        ]
        # The public database lists registrations in this order, a page at a time.
        indexes = [models.Index(fields=["-year", "region6", "seq"], name="registration_public_order")]

    scope_region_field = "region6"
    scope_org_field = "enterprise__organisation_id"

    def __str__(self) -> str:
        return self.number


class RegistrationCounter(models.Model):
    """The next sequence number per region and year; its row is locked while a number is issued."""

    region6 = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    next_seq = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("registration counter")
        verbose_name_plural = _("registration counters")
        constraints = [models.UniqueConstraint(fields=["region6", "year"], name="registration_counter_unique")]

    def __str__(self) -> str:
        return f"{self.region6}/{self.year}: {self.next_seq}"


class RevocationGround(models.TextChoices):
    """The legal grounds for revoking a registration (rules.md §1.5)."""

    CONDITIONS_NOT_MET = "conditions_not_met", _("no longer meets the conditions")
    FRAUD = "fraud", _("serious fraud")
    RESEARCH_MISCONDUCT = "research_misconduct", _("serious research misconduct")
    ACCIDENT_OR_ENVIRONMENT = "accident", _("major safety or quality accident, or serious environmental violation")
    ABNORMAL_OR_DISHONEST = "abnormal_listing", _("listed for abnormal operation or dishonesty")


class RevocationState(models.TextChoices):
    NOTICE = "notice", _("notice of intended revocation")
    DEFENCE = "defence", _("defence received")
    DECIDED = "decided", _("decided")


class RevocationDecision(models.TextChoices):
    REVOKED = "revoked", _("revoked")
    NOT_REVOKED = "not_revoked", _("not revoked")


class Revocation(models.Model):
    """Notice of intended revocation → the enterprise's defence (by a deadline) → decision."""

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="revocations")
    ground = models.CharField(_("ground"), max_length=30, choices=RevocationGround.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=RevocationState.choices, default=RevocationState.NOTICE
    )
    notice_text = models.TextField(_("notice"))
    notice_at = models.DateTimeField(_("notice given at"))
    notice_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    defence_deadline = models.DateField(_("defence deadline"))
    defence_text = models.TextField(_("defence"), blank=True)
    defence_at = models.DateTimeField(_("defence received at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=12, choices=RevocationDecision.choices, blank=True)
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    bars_until_year = models.PositiveSmallIntegerField(_("may not file again until the end of"), null=True, blank=True)

    class Meta:
        ordering = ["-notice_at", "-id"]
        verbose_name = _("revocation")
        verbose_name_plural = _("revocations")
        constraints = [
            models.UniqueConstraint(
                fields=["registration"], condition=~models.Q(state="decided"), name="revocation_one_pending"
            )
        ]

    scope_region_field = "registration__region6"
    scope_org_field = "registration__enterprise__organisation_id"

    def __str__(self) -> str:
        return f"{self.registration} · {self.get_ground_display()}"


class ChangeKind(models.TextChoices):
    NAME = "name", _("change of name")
    MAJOR = "major", _("major change affecting the conditions")


CHANGE_REPORT_MONTHS = 3


class ChangeReport(models.Model):
    """A registered enterprise's report of a name change or a major change, due within 3 months of the change."""

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="change_reports")
    kind = models.CharField(_("kind of change"), max_length=10, choices=ChangeKind.choices)
    changed_on = models.DateField(_("date of the change"))
    new_name = models.CharField(_("new name"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    late = models.BooleanField(_("reported after 3 months"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    # The agency's review of the report (``services.do_acknowledge_change_report``).
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledgement_note = models.TextField(_("note of the agency"), blank=True)
    # The revocation procedure started from this report (a major change that affects the conditions).
    revocation = models.ForeignKey(
        Revocation, on_delete=models.SET_NULL, null=True, blank=True, related_name="change_reports"
    )

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("change report")
        verbose_name_plural = _("change reports")

    scope_region_field = "registration__region6"
    scope_org_field = "registration__enterprise__organisation_id"

    def __str__(self) -> str:
        return f"{self.registration} · {self.get_kind_display()}"
