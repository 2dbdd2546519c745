"""Incubation and talent: pages (the navigation shows the entry once ``incubation:home`` exists)."""

app_name = "incubation"

urlpatterns: list = []
