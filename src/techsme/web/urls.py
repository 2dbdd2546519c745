from django.urls import path

from techsme.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
]
