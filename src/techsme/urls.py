from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from techsme.api import api

urlpatterns = [
    # The admin signs in through the platform's rate-limited login, never through Django's unthrottled one.
    path("admin/login/", RedirectView.as_view(pattern_name="web:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("instruments/", include("techsme.instruments.urls")),
    path("evaluation/", include("techsme.evaluation.urls")),
    path("vouchers/", include("techsme.vouchers.urls")),
    path("incentives/", include("techsme.incentives.urls")),
    path("incubation/", include("techsme.incubation.urls")),
    path("transfer/", include("techsme.transfer.urls")),
    path("finance/", include("techsme.finance.urls")),
    path("calls/", include("techsme.calls.urls")),
    path("monitoring/", include("techsme.monitoring.urls")),
    path("verify/<str:number>/", RedirectView.as_view(pattern_name="evaluation:verify"), name="verify"),
    path("", include("techsme.web.urls")),
]

handler400 = "techsme.web.views.errors.bad_request"
handler403 = "techsme.web.views.errors.permission_denied"
handler404 = "techsme.web.views.errors.page_not_found"
handler500 = "techsme.web.views.errors.server_error"
