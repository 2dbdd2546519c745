"""Finance for tech SMEs (measures 14 and 15): loan risk-compensation pools, bank admission and agreements, loans filed
by banks, default compensation claims and recoveries, IP-pledge loans with subsidies, investments and the listing
readiness pipeline.

Money never lives in these rows: a pool's balance, the banks' payable and compensated amounts, the headroom left
under every cap and the subsidy budgets are ledger accounts (``core.ledger``, see ``finance.accounts``); the rows
here hold the domain facts and point at the ledger transactions that moved the money. Rows change only through
``finance.services`` (one verb per step, audited); states follow ``finance.workflows``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techsme.accounts.models import Organisation
from techsme.core.models import LedgerTransaction
from techsme.registry.models import Enterprise, IPAsset

PCT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def _money(label: str, **kw) -> models.DecimalField:
    return models.DecimalField(label, max_digits=18, decimal_places=2, **kw)


def _pct(label: str, **kw) -> models.DecimalField:
    return models.DecimalField(label, max_digits=5, decimal_places=2, validators=PCT, **kw)


def _user(related: str = "+", **kw) -> models.ForeignKey:
    return models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name=related,
                             null=True, blank=True, **kw)


def _txn() -> models.ForeignKey:
    return models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="+", null=True, blank=True)


class Decided(models.Model):
    """Who decided, when, with which note; the criteria overridden (codes) and the reason given for it."""

    decided_by = _user()
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), max_length=2000, blank=True)
    overridden = models.JSONField(_("criteria overridden"), default=list, blank=True)
    override_reason = models.TextField(_("reason for the override"), max_length=2000, blank=True)

    class Meta:
        abstract = True


# ---------------------------------------------------------------------------------------------------------------------
# pools, admission, agreements


class PoolKind(models.TextChoices):
    RISK_SHARE = "risk_share", _("risk-compensation pool (the pool bears a share of each loss)")
    CAPITAL_ACCESS = "capital_access", _("capital-access programme (premiums matched into a reserve per bank)")


class PoolState(models.TextChoices):
    OPEN = "open", pgettext_lazy("pool state", "open")
    CLOSED = "closed", pgettext_lazy("pool state", "closed")


class Pool(models.Model):
    """A loan risk-compensation pool (科技型中小企业贷款风险补偿资金池) of one agency.

    Its free balance is the ledger account ``riskpool:<id>:available``; the agency funds it from its region's treasury
    account. ``first_review_workdays`` and ``approval_workdays`` are the claim deadlines in working days (the official
    holiday calendar of ``core.workdays``); an agreement whose loss ratio passes ``suspension_loss_ratio_pct`` is
    suspended (no new enrolments).
    """

    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="risk_pools")
    name = models.CharField(_("name"), max_length=200)
    region_code = models.CharField(_("region code"), max_length=6, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PoolKind.choices, default=PoolKind.RISK_SHARE)
    state = models.CharField(_("state"), max_length=10, choices=PoolState.choices, default=PoolState.OPEN)
    first_review_workdays = models.PositiveSmallIntegerField(
        _("working days for the first review of a claim"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)])
    approval_workdays = models.PositiveSmallIntegerField(
        _("working days for the decision on a claim"), default=25,
        validators=[MinValueValidator(1), MaxValueValidator(120)])
    claim_window_days = models.PositiveSmallIntegerField(
        _("days after a default within which a claim is filed"), default=180,
        validators=[MinValueValidator(1), MaxValueValidator(1000)])
    suspension_loss_ratio_pct = _pct(_("loss ratio that suspends a bank's enrolments (%)"), default=Decimal("5.00"))
    # capital-access variant: premiums in % of the loan amount; the agency matches them (× match ratio)
    borrower_premium_pct = _pct(_("borrower premium (%)"), default=Decimal("0"))
    lender_premium_pct = _pct(_("lender premium (%)"), default=Decimal("0"))
    match_ratio = models.DecimalField(_("agency match per premium yuan"), max_digits=5, decimal_places=2,
                                      default=Decimal("1.00"),
                                      validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))])
    created_by = _user()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("risk-compensation pool")
        verbose_name_plural = _("risk-compensation pools")

    scope_region_field = "region_code"
    scope_org_field = "agency_id"

    def __str__(self) -> str:
        return self.name


class AdmissionState(models.TextChoices):
    APPLIED = "applied", _("applied")
    ADMITTED = "admitted", _("admitted")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")


class BankAdmission(Decided):
    """A bank's application to join a pool, judged against the scheme's criteria (local presence, a technology
    branch or a dedicated technology-credit team)."""

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="admissions")
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pool_admissions")
    state = models.CharField(_("state"), max_length=10, choices=AdmissionState.choices,
                             default=AdmissionState.APPLIED, db_index=True)
    local_branch_address = models.CharField(_("address of the local branch"), max_length=300)
    tech_branch_name = models.CharField(_("technology branch (科技支行), if any"), max_length=200, blank=True)
    tech_credit_staff = models.PositiveSmallIntegerField(_("staff dedicated to technology credit"), default=0,
                                                         validators=[MaxValueValidator(10000)])
    applied_by = _user()
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        ordering = ["pool", "bank__name"]
        verbose_name = _("bank admission")
        verbose_name_plural = _("bank admissions")
        constraints = [
            models.UniqueConstraint(fields=["pool", "bank"], condition=models.Q(state__in=["applied", "admitted"]),
                                    name="finance_admission_one_open"),
        ]

    scope_region_field = "pool__region_code"
    scope_org_field = "bank_id"

    def __str__(self) -> str:
        return f"{self.bank} · {self.pool}"


class AgreementState(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended (no new enrolments)")
    ENDED = "ended", _("ended")


class Agreement(models.Model):
    """The cooperation agreement between a pool and an admitted bank: the share of a loss the pool bears, the caps,
    the eligible borrowers (a rule on registry facts and statuses, ``finance.eligibility``), the loan terms that
    qualify and the bank's leverage commitment (loans of at least ``leverage_multiple`` × ``allocation``)."""

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="agreements")
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pool_agreements")
    admission = models.OneToOneField(BankAdmission, on_delete=models.PROTECT, related_name="agreement")
    state = models.CharField(_("state"), max_length=10, choices=AgreementState.choices,
                             default=AgreementState.ACTIVE, db_index=True)
    loss_share_pct = _pct(_("share of a loss the pool bears (%)"))
    cap_per_loan = _money(_("compensation cap per loan"))
    cap_per_enterprise = _money(_("compensation cap per enterprise"))
    cap_per_year = _money(_("compensation cap per year"))
    allocation = _money(_("pool allocation to this bank"))
    leverage_multiple = models.DecimalField(_("leverage commitment (× allocation)"), max_digits=6, decimal_places=2,
                                            validators=[MinValueValidator(Decimal("1")),
                                                        MaxValueValidator(Decimal("100"))])
    eligibility = models.JSONField(_("eligible borrowers"), default=list, blank=True)
    max_loan_amount = _money(_("largest qualifying loan"))
    max_term_months = models.PositiveSmallIntegerField(_("longest qualifying term (months)"),
                                                       validators=[MinValueValidator(1), MaxValueValidator(120)])
    rate_ceiling_pct = _pct(_("interest-rate ceiling (% a year)"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    suspended_reason = models.TextField(_("why enrolments are suspended"), max_length=2000, blank=True)
    suspended_loss_ratio_pct = models.DecimalField(_("loss ratio that suspended the enrolments (%)"), max_digits=7,
                                                   decimal_places=2, null=True, blank=True)
    signed_by = _user()
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        ordering = ["pool", "bank__name"]
        verbose_name = _("pool agreement")
        verbose_name_plural = _("pool agreements")
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_until__gte=models.F("valid_from")),
                                   name="finance_agreement_dates"),
            models.CheckConstraint(condition=models.Q(loss_share_pct__gt=0, loss_share_pct__lte=100),
                                   name="finance_agreement_share"),
        ]

    scope_region_field = "pool__region_code"
    scope_org_field = "bank_id"

    def __str__(self) -> str:
        return f"{self.bank} · {self.pool}"


# ---------------------------------------------------------------------------------------------------------------------
# loans


class Collateral(models.TextChoices):
    CREDIT = "credit", _("unsecured (credit)")
    GUARANTEE = "guarantee", _("guarantee")
    IP_PLEDGE = "ip_pledge", _("pledge of patents or trademarks")
    EQUITY_PLEDGE = "equity_pledge", _("pledge of equity")
    PROPERTY = "property", _("mortgage of property")
    OTHER = "other", _("other")


class LoanState(models.TextChoices):
    DRAFT = "draft", _("draft (not filed)")
    FILED = "filed", _("filed, awaiting confirmation")
    ENROLLED = "enrolled", _("enrolled in the pool")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REPAID = "repaid", _("repaid")
    DEFAULTED = "defaulted", _("in default")
    WRITTEN_OFF = "written_off", _("written off (compensated)")


class Loan(Decided):
    """A loan a bank granted under an agreement. Eligibility is checked when the bank files it and the result (every
    condition, passed or failed) is kept in ``eligibility_checks``; the agency confirms the enrolment.

    States follow ``LOAN_WORKFLOW``: only an enrolled loan takes repayments; a loan in default takes recoveries
    through its claim, never repayments as if it were live; a written-off loan takes nothing but recoveries.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="loans")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="pool_loans")
    contract_number = models.CharField(_("loan contract number"), max_length=60)
    amount = _money(_("loan amount"))
    term_months = models.PositiveSmallIntegerField(_("term (months)"),
                                                   validators=[MinValueValidator(1), MaxValueValidator(360)])
    rate_pct = _pct(_("interest rate (% a year)"))
    collateral = models.CharField(_("collateral"), max_length=20, choices=Collateral.choices)
    granted_on = models.DateField(_("granted on"))
    maturity_on = models.DateField(_("matures on"))
    outstanding = _money(_("principal outstanding"))
    state = models.CharField(_("state"), max_length=12, choices=LoanState.choices, default=LoanState.DRAFT,
                             db_index=True)
    eligible = models.BooleanField(_("eligible when filed"), null=True)
    eligibility_checks = models.JSONField(_("eligibility checks"), default=list, blank=True)
    checked_at = models.DateTimeField(_("eligibility checked at"), null=True, blank=True)
    filed_by = _user()
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    returned_note = models.TextField(_("what to correct"), max_length=2000, blank=True)
    defaulted_on = models.DateField(_("in default since"), null=True, blank=True)
    written_off_on = models.DateField(_("written off on"), null=True, blank=True)
    # IP-pledge loans (知识产权质押融资)
    pledged_assets = models.ManyToManyField(IPAsset, blank=True, related_name="pledges",
                                            verbose_name=_("pledged patents and trademarks"))
    pledge_registration_number = models.CharField(_("pledge registration number"), max_length=60, blank=True)
    valuation_amount = _money(_("appraised value of the pledge"), null=True, blank=True)
    appraiser = models.CharField(_("appraiser"), max_length=200, blank=True)
    # investment–loan linkage (投贷联动)
    linked_investment = models.ForeignKey("Investment", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="linked_loans", verbose_name=_("linked investment"))
    premium_txn = _txn()  # capital-access variant: the premiums and the agency's match into the bank's reserve
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-granted_on", "-pk"]
        verbose_name = _("pool loan")
        verbose_name_plural = _("pool loans")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "contract_number"], name="finance_loan_contract_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="finance_loan_amount_positive"),
            models.CheckConstraint(condition=models.Q(outstanding__gte=0, outstanding__lte=models.F("amount")),
                                   name="finance_loan_outstanding_bounds"),
        ]
        indexes = [models.Index(fields=["state", "granted_on"], name="finance_loan_state_granted")]

    scope_region_field = "agreement__pool__region_code"
    scope_org_field = "agreement__bank_id"

    def __str__(self) -> str:
        return f"{self.contract_number} · {self.enterprise}"


class BorrowerLoan(Loan):
    """The same rows seen by the borrowing enterprise (scoped by the enterprise's organisation)."""

    class Meta:
        proxy = True

    scope_region_field = "enterprise__region_code"
    scope_org_field = "enterprise__organisation_id"


class Repayment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    amount = _money(_("principal repaid"))
    paid_on = models.DateField(_("paid on"))
    recorded_by = _user()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="finance_repayment_positive")]

    scope_region_field = "loan__agreement__pool__region_code"
    scope_org_field = "loan__agreement__bank_id"


# ---------------------------------------------------------------------------------------------------------------------
# claims


class ClaimState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted, awaiting first review")
    UNDER_REVIEW = "under_review", _("under review")
    RETURNED = "returned", _("returned to the bank for completion")
    APPROVED = "approved", _("approved, awaiting payment")
    PAID = "paid", _("compensated")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_CLAIM_STATES = ("draft", "submitted", "under_review", "returned", "approved")


class Claim(Decided):
    """A bank's claim for compensation of a defaulted loan: the loss (principal outstanding at default), what was
    recovered before the claim, the documents. The amount follows from the agreement: loss share × (loss − recovered),
    never beyond the caps per loan, per enterprise and per year nor the pool's balance (ledger accounts)."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="claims")
    state = models.CharField(_("state"), max_length=12, choices=ClaimState.choices, default=ClaimState.DRAFT,
                             db_index=True)
    loss = _money(_("principal lost"))
    recovered_before = _money(_("recovered before the claim"), default=Decimal("0.00"))
    explanation = models.TextField(_("what happened and what the bank did to recover"), max_length=5000, blank=True)
    requested_amount = _money(_("compensation requested"), default=Decimal("0.00"))
    approved_amount = _money(_("compensation approved"), null=True, blank=True)
    capped_by = models.JSONField(_("limited by"), default=list, blank=True)
    created_by = _user()
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_review_due = models.DateField(_("first review due"), null=True, blank=True)
    first_reviewed_at = models.DateTimeField(_("first review at"), null=True, blank=True)
    first_reviewed_by = _user()
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    returned_note = models.TextField(_("what to complete"), max_length=2000, blank=True)
    approve_txn = _txn()
    pay_txn = _txn()
    paid_by = _user()
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    pay_overridden = models.JSONField(_("criteria overridden at payment"), default=list, blank=True)
    pay_override_reason = models.TextField(_("reason for the override at payment"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("compensation claim")
        verbose_name_plural = _("compensation claims")
        constraints = [
            models.UniqueConstraint(fields=["loan"], condition=models.Q(state__in=OPEN_CLAIM_STATES + ("paid",)),
                                    name="finance_claim_one_per_loan"),
            models.CheckConstraint(condition=models.Q(loss__gt=0, recovered_before__gte=0),
                                   name="finance_claim_amounts"),
        ]
        indexes = [models.Index(fields=["state", "paid_at"], name="finance_claim_state_paid")]

    scope_region_field = "loan__agreement__pool__region_code"
    scope_org_field = "loan__agreement__bank_id"

    def __str__(self) -> str:
        return _("Claim %(id)s") % {"id": self.pk}


class DocumentKind(models.TextChoices):
    DEFAULT_NOTICE = "default_notice", _("notice of default")
    COLLECTION = "collection", _("collection or court record")
    LOAN_CONTRACT = "loan_contract", _("loan contract")
    OTHER = "other", _("other")


class ClaimDocument(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to="finance/claims/%Y/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = _user()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope_region_field = "claim__loan__agreement__pool__region_code"
    scope_org_field = "claim__loan__agreement__bank_id"


class Recovery(models.Model):
    """Money the bank recovered after compensation; the pool's share flows back (``txn``)."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="recoveries")
    amount = _money(_("amount recovered"))
    pool_share = _money(_("returned to the pool"))
    recovered_on = models.DateField(_("recovered on"))
    key = models.CharField(max_length=80, unique=True)
    txn = _txn()
    recorded_by = _user()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recovered_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="finance_recovery_positive")]

    scope_region_field = "claim__loan__agreement__pool__region_code"
    scope_org_field = "claim__loan__agreement__bank_id"


# ---------------------------------------------------------------------------------------------------------------------
# subsidies of IP-pledge loans


class SubsidyKind(models.TextChoices):
    INTEREST = "interest", _("interest subsidy (贴息)")
    APPRAISAL = "appraisal", _("appraisal fee subsidy")
    INSURANCE = "insurance", _("insurance fee subsidy")


class SubsidyProgramme(models.Model):
    """An agency programme that subsidises IP-pledge loans; its budget is ``finsubsidy:<id>:budget``, and each
    enterprise's headroom per year is a cap account on the ledger."""

    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="subsidy_programmes")
    name = models.CharField(_("name"), max_length=200)
    region_code = models.CharField(_("region code"), max_length=6, db_index=True)
    interest_share_pct = _pct(_("share of the interest paid that is subsidised (%)"))
    fee_share_pct = _pct(_("share of appraisal and insurance fees that is subsidised (%)"))
    cap_per_enterprise_year = _money(_("cap per enterprise per year"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("pledge-loan subsidy programme")

    scope_region_field = "region_code"
    scope_org_field = "agency_id"

    def __str__(self) -> str:
        return self.name


class Subsidy(Decided):
    programme = models.ForeignKey(SubsidyProgramme, on_delete=models.PROTECT, related_name="subsidies")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="subsidies")
    kind = models.CharField(_("kind"), max_length=12, choices=SubsidyKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    basis = _money(_("interest or fee paid"))
    amount = _money(_("subsidy paid"))
    txn = _txn()

    class Meta:
        ordering = ["-year", "-pk"]
        constraints = [models.UniqueConstraint(fields=["loan", "kind", "year"], name="finance_subsidy_once")]

    scope_region_field = "programme__region_code"
    scope_org_field = "programme__agency_id"


# ---------------------------------------------------------------------------------------------------------------------
# investments


class FundKind(models.TextChoices):
    VENTURE = "venture", _("venture-capital fund")
    ANGEL = "angel", _("angel investment")
    GUIDANCE = "guidance", _("government guidance fund")
    SUB_FUND = "sub_fund", _("sub-fund of a guidance fund")


class Fund(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=FundKind.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="sub_funds",
                               verbose_name=_("guidance fund"))
    manager = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="funds_managed", verbose_name=_("fund manager"))
    region_code = models.CharField(_("region code"), max_length=6, db_index=True)
    size = _money(_("fund size"))
    limited_partnership = models.BooleanField(_("limited partnership"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("fund")

    scope_region_field = "region_code"
    scope_org_field = "manager_id"

    def __str__(self) -> str:
        return self.name


class Investment(models.Model):
    """A fund's equity investment in an enterprise; with the registry's facts at the investment date these are the
    facts of the venture-capital 70% deduction (``finance.vc``)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="investments")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="investments")
    invested_on = models.DateField(_("invested on"))
    amount = _money(_("amount invested"))
    stake_pct = _pct(_("stake (%)"))
    round = models.CharField(_("round"), max_length=20)
    cash_direct_equity = models.BooleanField(_("cash paid directly for equity"), default=True)
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    exit_amount = _money(_("exit proceeds"), null=True, blank=True)
    recorded_by = _user()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-invested_on", "-pk"]
        verbose_name = _("investment")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="finance_investment_positive")]

    scope_region_field = "enterprise__region_code"
    scope_org_field = "fund__manager_id"

    def __str__(self) -> str:
        return f"{self.fund} → {self.enterprise}"


# ---------------------------------------------------------------------------------------------------------------------
# growth path


class ListingMarket(models.TextChoices):
    STAR = "star", _("STAR Market (科创板)")
    BSE = "bse", _("Beijing Stock Exchange")
    NEEQ = "neeq", _("National Equities Exchange and Quotations (新三板)")
    REGIONAL = "regional", _("regional equity market")


class ListingStage(models.TextChoices):
    RESERVE = "reserve", _("in the reserve list")
    RESTRUCTURING = "restructuring", _("shareholding reform")
    TUTORING = "tutoring", _("listing tutoring")
    FILED = "filed", _("application filed")
    LISTED = "listed", _("listed")


class ListingTrack(models.Model):
    """An enterprise on the listing-readiness pipeline, kept by the agency with the enterprise's consent."""

    enterprise = models.OneToOneField(Enterprise, on_delete=models.PROTECT, related_name="listing_track")
    market = models.CharField(_("target market"), max_length=10, choices=ListingMarket.choices)
    stage = models.CharField(_("stage"), max_length=14, choices=ListingStage.choices, default=ListingStage.RESERVE)
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_by = _user()
    updated_at = models.DateTimeField(auto_now=True)

    scope_region_field = "enterprise__region_code"
    scope_org_field = "enterprise__organisation_id"
