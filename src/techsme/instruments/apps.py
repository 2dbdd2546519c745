from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "techsme.instruments"
    label = "instruments"
    verbose_name = _("Shared instruments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from techsme.instruments import permissions  # noqa: F401 — registers the instruments actions
