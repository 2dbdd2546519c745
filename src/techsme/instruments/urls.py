from django.urls import path

from techsme.instruments import views

app_name = "instruments"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.instrument_page, name="instrument"),
    path("<int:pk>/photo/", views.instrument_photo, name="photo"),
    path("<int:pk>/book/", views.book, name="book"),
    path("<int:pk>/edit/", views.instrument_edit, name="edit"),
    path("<int:pk>/outages/new/", views.add_outage, name="outage_new"),
    path("new/", views.instrument_edit, name="new"),
    path("manage/", views.manage, name="manage"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/usage/", views.record_usage, name="usage"),
    path("usage/<int:pk>/", views.usage_detail, name="usage_detail"),
    path("usage/<int:pk>/voucher/", views.pay_usage, name="pay_usage"),
    path("bookings/<int:pk>/<str:action>/", views.booking_action, name="booking_action"),
    path("wait/<int:pk>/<str:action>/", views.wait_action, name="wait_action"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export.xlsx", views.statistics_export, name="statistics_export"),
]
