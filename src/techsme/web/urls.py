from django.urls import path

from techsme.web.views import account, agency, audit, enterprise, jobs, public, region_change, registry_io

app_name = "web"

urlpatterns = [
    path("", public.home, name="home"),
    path("login/", public.login_view, name="login"),
    path("logout/", public.logout_view, name="logout"),
    path("login/unlock/<str:token>/", public.login_unlock, name="login_unlock"),
    path("dashboard/", public.dashboard, name="dashboard"),
    path("enterprises/<int:pk>/", enterprise.enterprise_page, name="enterprise"),
    path("enterprises/<int:pk>/edit/", enterprise.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/facts/<int:year>/", enterprise.facts_edit, name="facts"),
    path("enterprises/<int:pk>/ip/new/", enterprise.ip_asset_edit, name="ip_new"),
    path("enterprises/<int:pk>/ip/<int:asset_id>/", enterprise.ip_asset_edit, name="ip_edit"),
    path("enterprises/<int:pk>/region/", region_change.enterprise_region_change, name="region_change"),
    path("enterprises/<int:pk>/region/<int:change_id>/withdraw/", region_change.region_change_withdraw,
         name="region_change_withdraw"),
    path("agency/", agency.agency_dashboard, name="agency"),
    path("agency/region-changes/", region_change.incoming_region_changes, name="region_changes"),
    path("agency/region-changes/<int:change_id>/", region_change.region_change_decide, name="region_change_decide"),
    path("registry/import/", registry_io.registry_import, name="registry_import"),
    path("registry/import/errors.csv", registry_io.registry_import_errors, name="registry_import_errors"),
    path("registry/export.<str:fmt>", agency.registry_export, name="registry_export"),
    path("audit/", audit.audit_trail, name="audit"),
    path("account/tokens/", account.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", account.token_revoke, name="token_revoke"),
    path("account/unlock-sign-in/", account.unlock_sign_in, name="unlock_sign_in"),
    path("jobs/<int:job_id>/", jobs.job_status, name="job"),
]
