import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from techsme.accounts.roles import LEVEL_PREFIX_LENGTH, ROLES_BY_KIND, AgencyLevel, OrgKind, Role


class User(AbstractUser):
    """A person. What they may see and do comes from their memberships (see ``core.permissions``)."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=AgencyLevel.choices, blank=True)
    region_code = models.CharField(_("region code"), max_length=6, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="agency") & ~models.Q(level=""))
                | (~models.Q(kind="agency") & models.Q(level="")),
                name="org_level_iff_agency",
            )
        ]

    scope_region_field = "region_code"
    scope_org_field = "id"

    def __str__(self) -> str:
        return self.name

    @property
    def region_prefix(self) -> str:
        """The GB/T 2260 prefix an agency covers.

        ``""`` national, ``44`` province, ``4403`` city, ``440305`` district; other organisations: their region code.
        """
        return self.region_code[: LEVEL_PREFIX_LENGTH[AgencyLevel(self.level)]] if self.level else self.region_code

    def clean(self) -> None:
        if self.kind == OrgKind.AGENCY and not self.level:
            raise ValidationError({"level": _("An agency needs a level.")})
        if self.kind != OrgKind.AGENCY and self.level:
            raise ValidationError({"level": _("Only agencies have a level.")})


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique")]

    scope_region_field = "organisation__region_code"
    scope_org_field = "organisation_id"

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"

    def clean(self) -> None:
        if self.role not in ROLES_BY_KIND[OrgKind(self.organisation.kind)]:
            raise ValidationError({"role": _("This role does not exist in this kind of organisation.")})


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the clear key is shown once at creation.

    Every token expires (``settings.API_TOKEN_DEFAULT_DAYS`` unless its owner chooses fewer or more days, at most
    ``settings.API_TOKEN_MAX_DAYS``); its owner, or an administrator, may revoke it earlier. An expired or revoked
    token answers 401.
    """

    PREFIX = "tsme_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        return self.revoked_at is None and self.expires_at > timezone.now()

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
