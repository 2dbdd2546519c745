from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "techsme.registry"
    label = "registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from techsme.core.hooks import register_demo_base
        from techsme.registry.demo import seed_base_demo

        register_demo_base(seed_base_demo)
