from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """An append-only record of one state change: number ``seq`` of its partition's chain, linked to the event
    before it by ``prev_hash`` and sealed by ``hash``, an HMAC over every other stored field (see core.audit)."""

    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("actor"),
    )
    actor_repr = models.CharField(_("actor"), max_length=200, blank=True)
    verb = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    region_code = models.CharField(_("region"), max_length=6, blank=True, db_index=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict)
    partition = models.CharField(max_length=40, default="global")
    seq = models.BigIntegerField(default=0)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [models.UniqueConstraint(fields=["partition", "seq"], name="audit_event_partition_seq")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    scope_region_field = "region_code"
    scope_org_field = "organisation_id"

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.verb} {self.object_type}#{self.object_id}"


class AuditChainHead(models.Model):
    """The signed checkpoint of one partition: how many events it holds and the hash of the newest.

    Locked by every audit write to its partition (so a chain never forks) and kept apart from the events, so that
    deleting the newest events, or all of them, leaves a checkpoint that no longer matches."""

    partition = models.CharField(max_length=40, unique=True)
    count = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default="0" * 64)
    head_event_id = models.BigIntegerField(default=0)
    signature = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)


class AuditSeal(models.Model):
    """A signed checkpoint over every partition (count and head of each) written by ``techsme audit-verify``:
    removing a whole partition, its events and its checkpoint together, is detected against the latest seal."""

    sealed_at = models.DateTimeField()
    partitions = models.JSONField(default=dict)  # {partition: [count, head hash]}
    events = models.BigIntegerField(default=0)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["-id"]


class AdditionalRegion(models.Model):
    """A region code that administrators add where the shipped GB/T 2260 snapshot lacks it (e.g. a new zone)."""

    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=100)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("additional region code")
        verbose_name_plural = _("additional region codes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Job(models.Model):
    """A long-running piece of work run by the background worker, with progress the page can poll."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=60)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    params = models.JSONField(default=dict)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_le_100")]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} {self.status}"


# --- Ledger: double-entry accounts whose balances the database refuses to take below zero (docs/ledger.md) ---


class LedgerAccount(models.Model):
    """One account of the double-entry ledger; ``balance`` is a cache of the sum of its legs."""

    code = models.CharField(_("code"), max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    allow_negative = models.BooleanField(
        _("may go negative"), default=False, help_text=_("Only for source accounts that money enters the ledger from.")
    )
    balance = models.DecimalField(_("balance"), max_digits=18, decimal_places=2, default=0)
    region_code = models.CharField(_("region"), max_length=6, blank=True, db_index=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
        verbose_name=_("organisation"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0) | models.Q(allow_negative=True),
                name="ledger_account_balance_not_negative",
            )
        ]

    scope_region_field = "region_code"
    scope_org_field = "organisation_id"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class LedgerTransaction(models.Model):
    """One movement of money: a set of legs summing to zero, applied once per idempotency key. Never edited."""

    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    reference_type = models.CharField(_("reference type"), max_length=80, blank=True)
    reference_id = models.CharField(_("reference id"), max_length=64, blank=True)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        verbose_name=_("reverses"),
    )

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["reference_type", "reference_id"])]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class LedgerLeg(models.Model):
    """One line of a transaction: a signed, non-zero amount on one account (positive = money in)."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="legs", verbose_name=_("transaction")
    )
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="legs", verbose_name=_("account"))
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger leg")
        verbose_name_plural = _("ledger legs")
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_leg_amount_not_zero")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+}"
