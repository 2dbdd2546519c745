from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "techsme.incentives"
    label = "incentives"
    verbose_name = _("Incentives")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from techsme.incentives import permissions  # noqa: F401 — registers the incentives actions
