"""Finance pages (the navigation shows the entry once ``finance:home`` exists)."""

from django.urls import path

from techsme.finance import views

app_name = "finance"

urlpatterns = [
    path("", views.home, name="home"),
    path("pools/<int:pk>/", views.pool_detail, name="pool"),
    path("loans/", views.loans, name="loans"),
    path("agreements/<int:agreement_pk>/loans/new/", views.loan_new, name="loan_new"),
    path("loans/<int:pk>/", views.loan_detail, name="loan"),
    path("loans/<int:loan_pk>/claim/", views.claim_new, name="claim_new"),
    path("claims/", views.claims, name="claims"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/documents/<int:document_pk>/", views.claim_document, name="claim_document"),
]
