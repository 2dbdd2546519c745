from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "techsme.transfer"
    label = "transfer"
    verbose_name = _("Technology transfer")
    default_auto_field = "django.db.models.BigAutoField"
