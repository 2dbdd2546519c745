from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "techsme.vouchers"
    label = "vouchers"
    verbose_name = _("Innovation vouchers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from techsme.vouchers import permissions  # noqa: F401 — registers the voucher actions
