"""Innovation vouchers (科技创新券): programmes, applications, vouchers, service providers, contracts, reimbursement.

Money never lives in these rows: budgets, voucher balances and provider receivables are ledger accounts
(``core.ledger``); the rows here hold the domain facts and point at the ledger transactions that moved the money.
Rows change only through ``vouchers.services`` (one verb per step, audited); states follow ``vouchers.workflows``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from techsme.accounts.models import Organisation
from techsme.core.models import LedgerAccount, LedgerTransaction
from techsme.registry.models import Enterprise


def _money(label: str, **kw) -> models.DecimalField:
    return models.DecimalField(label, max_digits=18, decimal_places=2, **kw)


class ServiceCategory(models.TextChoices):
    TESTING = "testing", _("Testing and inspection")
    INSTRUMENT = "instrument", _("Instrument use")
    RD = "rd", _("R&D services")
    PATENT = "patent", _("Patent agency")
    CONSULTING = "consulting", _("Technology consulting")
    TRANSFER = "transfer", _("Technology transfer services")


class ProgrammeState(models.TextChoices):
    OPEN = "open", _("open")
    SUSPENDED = "suspended", _("suspended")
    CLOSED = "closed", _("closed")


class Programme(models.Model):
    """A voucher programme of one agency: its budget is the ledger account ``programme:<id>:budget``.

    ``state`` follows ``PROGRAMME_WORKFLOW``: only an open programme takes applications and issues vouchers; closing
    returns the unissued budget to the source account (a ledger movement).
    """

    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="voucher_programmes")
    name = models.CharField(_("name"), max_length=200)
    region_code = models.CharField(_("region code"), max_length=6, db_index=True)
    year = models.PositiveSmallIntegerField(_("year of issue"))
    eligibility = models.JSONField(_("eligibility rule"), default=list, blank=True)
    cap_per_enterprise_year = _money(_("cap per enterprise per year"))
    cap_per_application = _money(_("cap per application"))
    max_contract_share = models.DecimalField(
        _("maximum share of a contract"), max_digits=4, decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
    )
    categories = models.JSONField(_("eligible service categories"), default=list)
    valid_until = models.DateField(_("vouchers valid until"))
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ProgrammeState.choices, default=ProgrammeState.OPEN)
    state_reason = models.TextField(_("reason for the state"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    recognised = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="recognised_by",
        verbose_name=_("vouchers of these programmes are accepted"),
    )
    budget_account = models.OneToOneField(LedgerAccount, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("voucher programme")
        verbose_name_plural = _("voucher programmes")
        constraints = [
            models.CheckConstraint(condition=models.Q(cap_per_application__gt=0), name="programme_cap_app_positive"),
            models.CheckConstraint(condition=models.Q(cap_per_enterprise_year__gt=0),
                                   name="programme_cap_year_positive"),
            models.CheckConstraint(condition=models.Q(max_contract_share__gt=0, max_contract_share__lte=1),
                                   name="programme_share_in_range"),
        ]

    scope_region_field = "region_code"
    scope_org_field = "agency_id"

    def __str__(self) -> str:
        return self.name

    def category_labels(self) -> list[str]:
        labels = dict(ServiceCategory.choices)
        return [str(labels.get(c, c)) for c in self.categories]


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class Application(models.Model):
    """An enterprise asks a programme for a voucher of ``amount`` for ``purpose``."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="applications")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="voucher_applications")
    amount = _money(_("amount applied for"))
    purpose = models.TextField(_("purpose"))
    state = models.CharField(_("state"), max_length=12, choices=ApplicationState.choices,
                             default=ApplicationState.SUBMITTED)
    approved_amount = _money(_("approved amount"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    submission_key = models.CharField(max_length=200, unique=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # A decision taken although criteria failed: the failed criteria's codes (``services.criteria``) and the reason.
    overridden = models.JSONField(_("criteria overridden"), default=list, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("voucher application")
        verbose_name_plural = _("voucher applications")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="application_amount_positive")]

    scope_region_field = "programme__region_code"
    scope_org_field = "enterprise__organisation_id"

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.programme}"


class VoucherState(models.TextChoices):
    ACTIVE = "active", _("active")
    EXPIRED = "expired", _("expired")
    CANCELLED = "cancelled", _("cancelled")


class Voucher(models.Model):
    """An issued voucher; its balance is the ledger account ``voucher:<id>``."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="voucher")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="vouchers")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="vouchers")
    code = models.CharField(_("voucher code"), max_length=60, unique=True)
    amount = _money(_("amount issued"))
    valid_until = models.DateField(_("valid until"))
    state = models.CharField(_("state"), max_length=12, choices=VoucherState.choices, default=VoucherState.ACTIVE)
    account = models.OneToOneField(LedgerAccount, on_delete=models.PROTECT, null=True, related_name="+")
    issue_transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, null=True,
                                          related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")

    scope_region_field = "programme__region_code"
    scope_org_field = "enterprise__organisation_id"

    def __str__(self) -> str:
        return self.code

    @property
    def balance(self) -> Decimal:
        return self.account.balance


class ProviderState(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class ServiceProvider(models.Model):
    """A service institution registered with one programme (its receivable is ``provider:<id>:receivable``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="voucher_registrations")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="providers")
    institution = models.CharField(_("institution"), max_length=200)
    accreditation = models.CharField(_("accreditation"), max_length=300,
                                     help_text=_("For example a CMA or CNAS certificate number."))
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ProviderState.choices, default=ProviderState.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["institution", "pk"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "programme"], name="provider_once_per_programme"),
        ]

    scope_region_field = "programme__region_code"
    scope_org_field = "organisation_id"

    def __str__(self) -> str:
        return self.institution

    def categories(self) -> set[str]:
        """Categories of the services currently offered (withdrawn services excluded)."""
        return set(self.services.filter(withdrawn_at__isnull=True).values_list("category", flat=True))


class ProviderService(models.Model):
    provider = models.ForeignKey(ServiceProvider, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("service"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices)
    price = _money(_("price"))
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("provider service")
        verbose_name_plural = _("provider services")
        constraints = [models.CheckConstraint(condition=models.Q(price__gt=0), name="provider_service_price_positive")]

    def __str__(self) -> str:
        return self.name

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ContractState(models.TextChoices):
    RECORDED = "recorded", _("recorded")
    REDEEMED = "redeemed", _("voucher redeemed")
    DELIVERED = "delivered", _("delivery confirmed")
    VERIFIED = "verified", _("verified by the agency")
    REIMBURSED = "reimbursed", _("reimbursed")
    CANCELLED = "cancelled", _("cancelled")


class Contract(models.Model):
    """A service contract between an enterprise and a provider, paid in part by one voucher."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="contracts")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="voucher_contracts")
    provider = models.ForeignKey(ServiceProvider, on_delete=models.PROTECT, related_name="contracts")
    category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices)
    amount = _money(_("contract amount"))
    description = models.TextField(_("description"))
    document = models.FileField(_("contract document"), upload_to="vouchers/contracts/%Y/", blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ContractState.choices,
                             default=ContractState.RECORDED)
    submission_key = models.CharField(max_length=200, unique=True)
    redeemed_amount = _money(_("paid by the voucher"), default=Decimal("0.00"))
    refunded_amount = _money(_("refunded"), default=Decimal("0.00"))
    redeem_transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+")
    batch = models.ForeignKey("ReimbursementBatch", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="contracts")
    created_at = models.DateTimeField(auto_now_add=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    delivery_report = models.TextField(_("what was delivered"), blank=True)
    overridden = models.JSONField(_("criteria overridden"), default=list, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="contract_amount_positive"),
            models.CheckConstraint(condition=models.Q(refunded_amount__lte=models.F("redeemed_amount")),
                                   name="contract_refund_le_redeemed"),
            models.CheckConstraint(condition=models.Q(redeemed_amount__lte=models.F("amount")),
                                   name="contract_redeemed_le_amount"),
        ]

    scope_region_field = "voucher__programme__region_code"
    scope_org_field = "enterprise__organisation_id"

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.provider} · {self.amount}"

    @property
    def net_amount(self) -> Decimal:
        return self.redeemed_amount - self.refunded_amount


class ReimbursementBatch(models.Model):
    """One periodic payment to one provider for the verified contracts of one programme."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="batches")
    provider = models.ForeignKey(ServiceProvider, on_delete=models.PROTECT, related_name="batches")
    period = models.CharField(_("period"), max_length=10)
    amount = _money(_("amount"))
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reimbursement batch")
        verbose_name_plural = _("reimbursement batches")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="batch_amount_not_negative")]

    scope_region_field = "programme__region_code"
    scope_org_field = "provider__organisation_id"

    def __str__(self) -> str:
        return f"{self.period} · {self.provider}"
