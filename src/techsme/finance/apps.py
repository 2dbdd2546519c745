from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "techsme.finance"
    label = "finance"
    verbose_name = _("Finance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from techsme.core.hooks import register_demo, register_todos
        from techsme.finance import permissions  # noqa: F401 — registers the finance actions
        from techsme.finance.demo import seed_finance_demo
        from techsme.finance.todos import finance_todos

        register_demo(60, "loan risk-compensation pools, loans, claims and investments", seed_finance_demo)
        register_todos(finance_todos)
