from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubationConfig(AppConfig):
    name = "techsme.incubation"
    label = "incubation"
    verbose_name = _("Incubation and talent")
    default_auto_field = "django.db.models.BigAutoField"
