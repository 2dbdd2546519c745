from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "techsme.evaluation"
    label = "evaluation"
    verbose_name = _("Tech-SME evaluation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from techsme.core.hooks import register_demo
        from techsme.evaluation import permissions  # noqa: F401 — registers the evaluation actions
        from techsme.evaluation.demo import seed_evaluation_demo

        register_demo(10, "tech-SME evaluation filings, publicity and registrations", seed_evaluation_demo)
