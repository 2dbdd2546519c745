from django.urls import path

from techsme.vouchers import views

app_name = "vouchers"

urlpatterns = [
    path("", views.index, name="home"),
    path("verify/", views.verify, name="verify"),
    path("programmes/new/", views.programme_new, name="programme_new"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("programmes/<int:pk>/apply/", views.apply, name="apply"),
    path("programmes/<int:pk>/register/", views.provider_register, name="provider_register"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("vouchers/<int:pk>/", views.voucher_detail, name="voucher"),
    path("vouchers/<int:pk>/contract/", views.contract_new, name="contract_new"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("contracts/<int:pk>/document/", views.contract_document, name="contract_document"),
    path("providers/<int:pk>/", views.provider_detail, name="provider"),
    path("providers/<int:pk>/services/new/", views.provider_service_new, name="service_new"),
    path("providers/<int:pk>/services/<int:service_pk>/", views.provider_service_edit, name="service_edit"),
    path("reimbursements/<int:pk>/export/", views.batch_export, name="batch_export"),
]
