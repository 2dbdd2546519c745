from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techsme.accounts.models import Organisation


class Enterprise(models.Model):
    """A registered enterprise, identified by its Unified Social Credit Code (USCC)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="enterprise"
    )
    uscc = models.CharField(_("USCC"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    region_code = models.CharField(_("region code"), max_length=6, db_index=True)
    industry_code = models.CharField(_("industry code"), max_length=5, db_index=True)
    founded_on = models.DateField(_("founded on"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    scope_region_field = "region_code"
    scope_org_field = "organisation_id"

    def __str__(self) -> str:
        return self.name


def _money(label: str, **kw) -> models.DecimalField:
    return models.DecimalField(label, max_digits=18, decimal_places=2, null=True, blank=True, **kw)


def _flag(label: str, default: bool = False) -> models.BooleanField:
    return models.BooleanField(label, default=default)


class AnnualFacts(models.Model):
    """One enterprise in one tax year, with the columns of the facts contract (``shared/spec/facts.md``).

    An empty (null) value means "unknown". IP counts are derived from ``IPAsset`` rows when the enterprise has
    any; ``ip_class1``/``ip_class2`` hold the counts reported by a bulk import for enterprises without asset rows.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="facts")
    tax_year = models.PositiveSmallIntegerField(_("tax year"))
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    tech_staff = models.PositiveIntegerField(_("technology staff"), null=True, blank=True)
    revenue = _money(_("sales revenue"))
    total_cost_expense = _money(_("total costs and expenses"))
    total_assets = _money(_("total assets"))
    rd_expense = _money(_("R&D expense"))
    avg_headcount = models.DecimalField(
        _("average headcount (quarterly)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    avg_total_assets = _money(_("average total assets (quarterly)"))
    taxable_income_before_incentives = _money(_("taxable income before incentives"))
    rd_core_expense = _money(_("R&D: first five categories"))
    rd_other_expense = _money(_("R&D: other related expenses"))
    rd_commissioned_domestic = _money(_("R&D commissioned in China"))
    rd_commissioned_foreign = _money(_("R&D commissioned abroad"))
    rd_intangible_amortization = _money(_("amortisation of R&D intangibles"))
    excluded_industry_revenue_share = models.DecimalField(
        _("share of revenue from excluded industries"), max_digits=7, decimal_places=6, null=True, blank=True
    )
    ic_or_machine_tool = models.BooleanField(_("IC or industrial machine-tool enterprise"), null=True, blank=True)
    ip_class1 = models.PositiveIntegerField(_("Class I IP (reported)"), null=True, blank=True)
    ip_class2 = models.PositiveIntegerField(_("Class II IP (reported)"), null=True, blank=True)
    hnte_certificate_valid = _flag(_("valid HNTE certificate"))
    national_award_top3_5y = _flag(_("national S&T award (top 3, last 5 years)"))
    provincial_rd_institution = _flag(_("provincial-level R&D institution"))
    led_standard_5y = _flag(_("led a standard (last 5 years)"))
    tech_sme_registered = models.BooleanField(_("tech-SME registration number held"), null=True, blank=True)
    restricted_industry = _flag(_("restricted or prohibited industry"))
    major_accident = _flag(_("major accident or violation"))
    serious_dishonesty = _flag(_("serious dishonesty"))
    abnormal_operation_listed = _flag(_("on the abnormal-operation list"))
    audited_books = _flag(_("taxed on audited books"), default=True)
    resident = _flag(_("resident enterprise"), default=True)
    tech_transfer_income = _money(_("technology-transfer income"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["enterprise", "-tax_year"]
        verbose_name = _("annual facts")
        verbose_name_plural = _("annual facts")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "tax_year"], name="facts_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(tech_staff__isnull=True)
                | models.Q(employees__isnull=True)
                | models.Q(tech_staff__lte=models.F("employees")),
                name="facts_tech_staff_le_employees",
            ),
        ]

    scope_region_field = "enterprise__region_code"
    scope_org_field = "enterprise__organisation_id"

    def __str__(self) -> str:
        return f"{self.enterprise} {self.tax_year}"


class IPKind(models.TextChoices):
    INVENTION_PATENT = "invention_patent", _("Invention patent")
    UTILITY_MODEL = "utility_model", _("Utility-model patent")
    DESIGN = "design", _("Design patent")
    SOFTWARE_COPYRIGHT = "software_copyright", _("Software copyright")
    PLANT_VARIETY = "plant_variety", _("New plant variety")
    IC_LAYOUT = "ic_layout", _("Integrated-circuit layout design")
    NEW_DRUG = "new_drug", _("National new drug")
    TCM_VARIETY = "tcm_variety", _("Protected TCM variety (first grade)")


# 国科发政〔2017〕115号 annex: Class I and Class II intellectual property.
CLASS_I_KINDS = frozenset(
    {IPKind.INVENTION_PATENT, IPKind.PLANT_VARIETY, IPKind.IC_LAYOUT, IPKind.NEW_DRUG, IPKind.TCM_VARIETY}
)
CLASS_II_KINDS = frozenset({IPKind.UTILITY_MODEL, IPKind.DESIGN, IPKind.SOFTWARE_COPYRIGHT})


class IPAsset(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        PENDING = "pending", _("Pending")
        EXPIRED = "expired", _("Expired")
        INVALIDATED = "invalidated", _("Invalidated")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="ip_assets")
    kind = models.CharField(_("kind"), max_length=30, choices=IPKind.choices)
    number = models.CharField(_("number"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALID)
    related_to_main_products = models.BooleanField(_("related to main products"), default=True)

    class Meta:
        ordering = ["kind", "number"]
        verbose_name = _("IP asset")
        verbose_name_plural = _("IP assets")
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="ip_kind_number_unique")]

    scope_region_field = "enterprise__region_code"
    scope_org_field = "enterprise__organisation_id"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def ip_class(self) -> int:
        return 1 if self.kind in CLASS_I_KINDS else 2

    def counts_in(self, tax_year: int) -> bool:
        """Valid, related to the main products and granted by the end of ``tax_year``."""
        return (
            self.status == self.Status.VALID
            and self.related_to_main_products
            and self.granted_on is not None
            and self.granted_on <= date(tax_year, 12, 31)
        )


class RegionChange(models.Model):
    """An enterprise's request to move into another region (a new registered address): the receiving agency's
    administrator accepts or rejects it. Until accepted the enterprise stays where it is; nobody else — not even
    its own administrator — changes ``Enterprise.region_code`` across an agency's border."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the receiving agency")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="region_changes")
    from_region = models.CharField(_("from region"), max_length=6)
    to_region = models.CharField(_("to region"), max_length=6, db_index=True)
    reason = models.TextField(_("reason"), max_length=2000)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("region change")
        verbose_name_plural = _("region changes")
        constraints = [models.UniqueConstraint(fields=["enterprise"], condition=models.Q(state="pending"),
                                               name="one_pending_region_change")]

    # The receiving agency decides (its region prefix covers ``to_region``); the enterprise sees its own.
    scope_region_field = "to_region"
    scope_org_field = "enterprise__organisation_id"

    def __str__(self) -> str:
        return f"{self.enterprise} {self.from_region} → {self.to_region}"
