from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "techsme.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from techsme.core.keys import require_production_keys

        require_production_keys()  # production refuses to start without its named keys
