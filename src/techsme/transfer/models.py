"""Technology transfer: research outcomes, technology needs, explained matches, challenges (揭榜挂帅), technology
contracts and their registration, broker ratings and the innovative-products catalogue.

Money is ``Decimal`` (yuan, two places). Scope: each model names the organisation that owns it
(``scope_org_field``) and the region it lies in (``scope_region_field``), read by ``core.permissions``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techsme.accounts.models import Organisation
from techsme.core.models import LedgerAccount
from techsme.core.search import Searchable
from techsme.registry.models import Enterprise
from techsme.transfer.matching import expansions

ZERO = Decimal("0.00")


def _money(label: object, **extra: object) -> models.DecimalField:
    return models.DecimalField(label, max_digits=16, decimal_places=2,
                               validators=[MinValueValidator(ZERO)], **extra)  # type: ignore[arg-type]


class TransferMode(models.TextChoices):
    TRANSFER = "transfer", _("Transfer of ownership")
    LICENCE = "licence", _("Licence")
    JOINT = "joint", _("Joint development")
    EQUITY = "equity", _("Investment as equity")


class OutcomeState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("outcome state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("outcome state", "Awaiting moderation")
    PUBLISHED = "published", pgettext_lazy("outcome state", "Published")
    REJECTED = "rejected", pgettext_lazy("outcome state", "Returned")
    WITHDRAWN = "withdrawn", pgettext_lazy("outcome state", "Withdrawn")


class Outcome(Searchable):
    """A research outcome (科技成果) offered for transfer; public once a moderator has approved it."""

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="transfer_outcomes",
                              verbose_name=_("owner"))
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), max_length=4000)
    summary_en = models.TextField(_("summary (English)"), max_length=6000, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5, db_index=True)
    discipline = models.CharField(_("discipline (GB/T 13745)"), max_length=3, blank=True)
    trl = models.PositiveSmallIntegerField(_("technology readiness level"),
                                           validators=[MinValueValidator(1), MaxValueValidator(9)])
    patent_numbers = models.JSONField(_("patents"), default=list, blank=True)
    modes = models.JSONField(_("transfer modes offered"), default=list)
    price_min = _money(_("price from (yuan)"), null=True, blank=True)
    price_max = _money(_("price up to (yuan)"), null=True, blank=True)
    negotiable = models.BooleanField(_("price negotiable"), default=False)
    belt_and_road = models.BooleanField(_("open to Belt and Road partners"), default=False)
    region_code = models.CharField(_("region"), max_length=6, db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=OutcomeState.choices, default=OutcomeState.DRAFT,
                             db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("moderator's note"), max_length=2000, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    search_fields = ("title_zh", "title_en", "summary_zh", "summary_en", "keywords", "synonym_terms")
    scope_org_field = "owner_id"
    scope_region_field = "region_code"

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("research outcome")
        verbose_name_plural = _("research outcomes")
        constraints = [
            models.CheckConstraint(condition=models.Q(trl__gte=1, trl__lte=9), name="outcome_trl_range"),
            models.CheckConstraint(
                condition=models.Q(price_min__isnull=True) | models.Q(price_max__isnull=True)
                | models.Q(price_max__gte=models.F("price_min")), name="outcome_price_order"),
        ]

    def __str__(self) -> str:
        return self.title_zh

    @property
    def synonym_terms(self) -> str:
        """Canonical terms of the synonym groups the text mentions (indexed, so a synonym finds the outcome)."""
        return expansions(" ".join([self.title_zh, self.title_en, self.summary_zh, self.summary_en, self.keywords]))


class NeedState(models.TextChoices):
    OPEN = "open", pgettext_lazy("need state", "Open")
    CLOSED = "closed", pgettext_lazy("need state", "Closed")


class Need(Searchable):
    """A technology need (技术需求) of an enterprise: the summary is public, the details go to matched parties only."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="transfer_needs",
                                   verbose_name=_("enterprise"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("public summary"), max_length=2000)
    details = models.TextField(_("confidential details"), max_length=8000, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5, db_index=True)
    region_code = models.CharField(_("region"), max_length=6, db_index=True)
    budget = _money(_("budget (yuan)"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    min_trl = models.PositiveSmallIntegerField(_("lowest readiness level wanted"), null=True, blank=True,
                                               validators=[MinValueValidator(1), MaxValueValidator(9)])
    state = models.CharField(_("state"), max_length=10, choices=NeedState.choices, default=NeedState.OPEN,
                             db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Only the public text is indexed: the confidential details never feed search or matching reasons.
    search_fields = ("title", "summary", "keywords", "synonym_terms")
    scope_org_field = "enterprise__organisation_id"
    scope_region_field = "region_code"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("technology need")
        verbose_name_plural = _("technology needs")

    def __str__(self) -> str:
        return self.title

    @property
    def synonym_terms(self) -> str:
        return expansions(" ".join([self.title, self.summary, self.keywords]))


class Match(models.Model):
    """A need–outcome pair the matcher found, with its score and the reasons (never a bare number)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    need_interest_at = models.DateTimeField(_("enterprise interested since"), null=True, blank=True)
    outcome_interest_at = models.DateTimeField(_("owner interested since"), null=True, blank=True)

    scope_org_field = "need__enterprise__organisation_id"
    scope_region_field = "need__region_code"

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [models.UniqueConstraint(fields=["need", "outcome"], name="match_unique_pair")]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.outcome}"

    @property
    def contact_open(self) -> bool:
        """Both sides said they are interested: the platform opens the conversation (and the need's details)."""
        return bool(self.need_interest_at and self.outcome_interest_at)


class ContactMessage(models.Model):
    """The brokered first contact: messages between the two sides of a match, kept on the platform."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sender_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("message"), max_length=4000)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "pk"]


class ChallengeState(models.TextChoices):
    OPEN = "open", pgettext_lazy("challenge state", "Open for solvers")
    JUDGING = "judging", pgettext_lazy("challenge state", "Judging")
    AWARDED = "awarded", pgettext_lazy("challenge state", "Awarded")
    NO_WINNER = "no_winner", pgettext_lazy("challenge state", "Closed without a winner")


class Challenge(models.Model):
    """揭榜挂帅: a problem with a prize held in escrow on the ledger until it is awarded or returned."""

    poster = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="transfer_challenges",
                               verbose_name=_("posted by"))
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"), max_length=8000)
    milestones = models.TextField(_("milestones"), max_length=4000)
    criteria = models.TextField(_("judging criteria"), max_length=4000)
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5)
    region_code = models.CharField(_("region"), max_length=6, db_index=True)
    prize = _money(_("prize or contract value (yuan)"))
    deadline = models.DateField(_("deadline for solutions"))
    state = models.CharField(_("state"), max_length=10, choices=ChallengeState.choices, default=ChallengeState.OPEN,
                             db_index=True)
    escrow = models.OneToOneField(LedgerAccount, on_delete=models.PROTECT, null=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.TextField(_("note on the outcome"), max_length=2000, blank=True)

    scope_org_field = "poster_id"
    scope_region_field = "region_code"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        constraints = [models.CheckConstraint(condition=models.Q(prize__gt=0), name="challenge_prize_positive")]

    def __str__(self) -> str:
        return self.title


class EntryState(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("entry state", "Submitted")
    WON = "won", pgettext_lazy("entry state", "Won")
    NOT_WON = "not_won", pgettext_lazy("entry state", "Not selected")


class ChallengeEntry(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="entries")
    solver = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="transfer_entries",
                               verbose_name=_("solver"))
    proposal = models.TextField(_("proposed solution"), max_length=8000)
    state = models.CharField(_("state"), max_length=10, choices=EntryState.choices, default=EntryState.SUBMITTED)
    acceptance_note = models.TextField(_("acceptance of the milestones"), max_length=2000, blank=True)
    payout = models.OneToOneField("core.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    scope_org_field = "solver_id"
    scope_region_field = "challenge__region_code"

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("challenge entry")
        verbose_name_plural = _("challenge entries")
        constraints = [models.UniqueConstraint(fields=["challenge", "solver"], name="entry_one_per_solver")]


class ContractState(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("contract state", "Awaiting registration")
    SECOND_REVIEW = "second_review", pgettext_lazy("contract state", "Awaiting second review (tax relief)")
    REGISTERED = "registered", pgettext_lazy("contract state", "Registered")
    REFUSED = "refused", pgettext_lazy("contract state", "Not registered")


class TechContract(models.Model):
    """A technology contract entered by the seller and registered (认定登记) by the registration office."""

    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="transfer_contracts_sold",
                               verbose_name=_("seller"))
    seller_enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="transfer_contracts_sold")
    buyer = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="transfer_contracts_bought", verbose_name=_("buyer on the platform"))
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_region = models.CharField(_("buyer's region"), max_length=6, blank=True)
    buyer_country = models.CharField(_("buyer's country (ISO 3166)"), max_length=2, default="CN")
    outcome = models.ForeignKey(Outcome, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="contracts")
    broker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="transfer_contracts_brokered", verbose_name=_("technology broker"))
    title = models.CharField(_("contract title"), max_length=200)
    category = models.CharField(_("category"), max_length=20)
    subtype = models.CharField(_("subtype"), max_length=30)
    patent_numbers = models.JSONField(_("patents"), default=list, blank=True)
    licence_years = models.PositiveSmallIntegerField(_("licence term (years)"), null=True, blank=True)
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5)
    region_code = models.CharField(_("seller's region"), max_length=6, db_index=True)
    contract_amount = _money(_("contract amount (yuan)"))
    tech_amount = _money(_("technology-transaction amount (yuan)"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    claims_tax_relief = models.BooleanField(_("claimed for tax relief"), default=False)
    state = models.CharField(_("state"), max_length=14, choices=ContractState.choices,
                             default=ContractState.SUBMITTED, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    due_on = models.DateField(_("decision due"), null=True, blank=True)
    expert_opinion = models.TextField(_("expert opinion (large contracts)"), max_length=4000, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    second_reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    registration_number = models.CharField(_("registration number"), max_length=20, null=True, blank=True,
                                           unique=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True, db_index=True)
    refusal_reason = models.TextField(_("reason for not registering"), max_length=2000, blank=True)

    scope_org_field = "seller_id"
    scope_region_field = "region_code"

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("technology contract")
        verbose_name_plural = _("technology contracts")
        constraints = [
            models.CheckConstraint(condition=models.Q(contract_amount__gt=0), name="techcontract_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(tech_amount__isnull=True) | models.Q(tech_amount__lte=models.F("contract_amount")),
                name="techcontract_tech_le_amount"),
        ]

    def __str__(self) -> str:
        return self.title


class ContractAmendment(models.Model):
    """The only way a registered amount changes: an audited amendment with its reason."""

    contract = models.ForeignKey(TechContract, on_delete=models.PROTECT, related_name="amendments")
    field = models.CharField(_("field"), max_length=20)
    old_value = _money(_("before"))
    new_value = _money(_("after"))
    reason = models.TextField(_("reason"), max_length=2000)
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField(auto_now_add=True)

    scope_org_field = "contract__seller_id"
    scope_region_field = "contract__region_code"

    class Meta:
        ordering = ["amended_at", "pk"]


class NumberCounter(models.Model):
    """The last registration serial per year and registration region (locked while a number is drawn)."""

    year = models.PositiveSmallIntegerField()
    region_code = models.CharField(max_length=6)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "region_code"], name="transfer_counter_unique")]


class BrokerRating(models.Model):
    """A party's rating of the broker of a registered contract (1–5), one per party and contract."""

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="ratings")
    broker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="broker_ratings")
    rater_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    stars = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "rater_org"], name="rating_one_per_party"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="rating_stars_range"),
        ]


class ProductState(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("product state", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("product state", "In the catalogue")
    REJECTED = "rejected", pgettext_lazy("product state", "Not admitted")


class InnovativeProduct(models.Model):
    """An innovative product proposed for the catalogue that procurement units buy from first (measure 13)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="innovative_products")
    name = models.CharField(_("product name"), max_length=200)
    description = models.TextField(_("description"), max_length=4000)
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5)
    region_code = models.CharField(_("region"), max_length=6, db_index=True)
    price = _money(_("reference price (yuan)"))
    patent_numbers = models.JSONField(_("patents"), default=list, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ProductState.choices,
                             default=ProductState.SUBMITTED, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_org_field = "enterprise__organisation_id"
    scope_region_field = "region_code"

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("innovative product")
        verbose_name_plural = _("innovative products")

    def __str__(self) -> str:
        return self.name
