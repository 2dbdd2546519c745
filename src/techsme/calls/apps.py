from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "techsme.calls"
    label = "calls"
    verbose_name = _("Funding calls")
    default_auto_field = "django.db.models.BigAutoField"
