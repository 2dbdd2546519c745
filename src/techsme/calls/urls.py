"""Funding calls: pages (the navigation shows the entry once ``calls:home`` exists)."""

app_name = "calls"

urlpatterns: list = []
