"""Reform scenarios (saved, shareable inside the agency) and in-app notifications sent by outreach."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techsme.accounts.models import Organisation
from techsme.core.models import Job
from techsme.registry.models import Enterprise


class Scenario(models.Model):
    """A parameter reform over a population of enterprise-years, with the result of its last run."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="scenarios")
    # The region the scenario covers (the agency's prefix, or a narrower one inside it); "" = everywhere.
    region_prefix = models.CharField(_("region"), max_length=6, blank=True)
    industry_prefix = models.CharField(_("industry"), max_length=5, blank=True)
    size_class = models.CharField(_("size class"), max_length=10, blank=True)
    tax_year = models.PositiveSmallIntegerField(_("tax year"))
    effective_from = models.DateField(_("effective from"))
    # {parameter path: value}; applied from ``effective_from`` (None ends a measure).
    changes = models.JSONField(_("parameter changes"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    result = models.JSONField(default=dict, blank=True)
    ran_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reform scenario")
        verbose_name_plural = _("reform scenarios")

    # Scoped by the region the scenario covers — its aggregates are that region's — not by its agency's seat: a
    # city sees the scenarios of its area and below, never a province-wide or another city's one.
    scope_region_field = "region_prefix"

    def __str__(self) -> str:
        return self.name

    def reform(self) -> dict[str, dict[str, float | None]]:
        start = self.effective_from.isoformat()
        return {path: {start: value} for path, value in self.changes.items()}


class Notification(models.Model):
    """An in-app message to the staff of an enterprise (also sent by e-mail)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    sender = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    topic = models.CharField(_("topic"), max_length=40)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    scope_region_field = "enterprise__region_code"
    scope_org_field = "enterprise__organisation_id"

    def __str__(self) -> str:
        return self.subject
