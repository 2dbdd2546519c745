from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "techsme.transfer"
    label = "transfer"
    verbose_name = _("Technology transfer")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from techsme.core.hooks import register_demo, register_todos
        from techsme.transfer import permissions  # noqa: F401 — registers the transfer actions
        from techsme.transfer.demo import seed_transfer
        from techsme.transfer.todos import transfer_todos

        register_demo(50, "technology transfer: outcomes, needs, matches, challenges, contracts", seed_transfer)
        register_todos(transfer_todos)
