"""Programme monitoring: pages (the navigation shows the entry once ``monitoring:home`` exists)."""

app_name = "monitoring"

urlpatterns: list = []
