"""Technology transfer: pages (the navigation shows the entry once ``transfer:home`` exists)."""

app_name = "transfer"

urlpatterns: list = []
