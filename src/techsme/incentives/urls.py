from django.urls import path

from techsme.incentives import views

app_name = "incentives"

urlpatterns = [
    path("", views.index, name="index"),
    path("enterprises/<int:pk>/", views.enterprise_incentives, name="enterprise"),
    path("enterprises/<int:pk>/<int:year>/what-if/", views.what_if, name="what_if"),
    path("enterprises/<int:pk>/<int:year>/summary.pdf", views.summary_pdf, name="pdf"),
    path("notifications/", views.notifications, name="notifications"),
    path("policy/", views.policy_library, name="library"),
    path("policy/parameters/<str:path>/", views.policy_parameter, name="parameter"),
    path("policy/variables/<str:name>/", views.policy_variable, name="variable"),
    path("outreach/", views.outreach_page, name="outreach"),
    path("outreach/export.<str:fmt>", views.outreach_export, name="outreach_export"),
    path("outreach/notify/", views.outreach_notify, name="outreach_notify"),
    path("scenarios/", views.scenarios, name="scenarios"),
    path("scenarios/compare/", views.scenario_compare, name="compare"),
    path("scenarios/<int:pk>/", views.scenario_page, name="scenario"),
    path("scenarios/<int:pk>/run/", views.scenario_run, name="scenario_run"),
    path("scenarios/<int:pk>/export.xlsx", views.scenario_export, name="scenario_export"),
]
