from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "techsme.instruments"
    label = "instruments"
    verbose_name = _("Shared instruments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from techsme.core.hooks import register_demo
        from techsme.instruments import permissions  # noqa: F401 — registers the instruments actions
        from techsme.instruments.demo import pay_demo_usage_by_voucher, seed_instruments
        from techsme.registry.demo import DEMO_SEED

        register_demo(20, "shared instruments, bookings and usage", lambda: seed_instruments(DEMO_SEED))
        register_demo(40, "an instrument usage paid partly by voucher", pay_demo_usage_by_voucher)
