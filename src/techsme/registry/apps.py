from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "techsme.registry"
    label = "registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from techsme.core.hooks import register_demo_base, register_todos
        from techsme.registry import permissions  # noqa: F401 — registers the registry's actions
        from techsme.registry.demo import seed_base_demo
        from techsme.registry.region_changes import region_change_todos

        register_demo_base(seed_base_demo)
        register_todos(region_change_todos)
