from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "techsme.vouchers"
    label = "vouchers"
    verbose_name = _("Innovation vouchers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from techsme.core.hooks import register_demo
        from techsme.vouchers import permissions  # noqa: F401 — registers the voucher actions
        from techsme.vouchers.demo import seed_vouchers_demo

        register_demo(30, "innovation-voucher programmes, vouchers and contracts", seed_vouchers_demo)
