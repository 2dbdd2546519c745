"""Finance: pages (the navigation shows the entry once ``finance:home`` exists)."""

app_name = "finance"

urlpatterns: list = []
