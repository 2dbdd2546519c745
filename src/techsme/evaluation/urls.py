from django.urls import path

from techsme.evaluation.views import agency, filing, public

app_name = "evaluation"

urlpatterns = [
    # enterprise side (and the filing page that reviewers use too)
    path("", filing.home, name="home"),
    path("enterprises/<int:enterprise_id>/start/", filing.start, name="start"),
    path("filings/<int:pk>/", filing.detail, name="detail"),
    path("filings/<int:pk>/edit/", filing.edit, name="edit"),
    path("filings/<int:pk>/preview/", filing.preview, name="preview"),
    path("filings/<int:pk>/documents/", filing.upload, name="upload"),
    path("filings/<int:pk>/documents/<int:document_id>/", filing.document, name="document"),
    path("filings/<int:pk>/submit/", filing.submit, name="submit"),
    path("filings/<int:pk>/decide/", filing.decide, name="decide"),
    path("filings/<int:pk>/onsite-check/", filing.onsite, name="onsite"),
    path("filings/<int:pk>/register-held/", filing.register_held, name="register_held"),
    path("registrations/<int:registration_id>/annual-update/", filing.annual_update, name="annual_update"),
    path("registrations/<int:registration_id>/certificate.pdf", filing.certificate, name="certificate"),
    path("registrations/<int:registration_id>/changes/", filing.report_change, name="report_change"),
    path("registrations/<int:registration_id>/revoke/", filing.revocation_notice, name="revocation_notice"),
    path("revocations/<int:revocation_id>/defence/", filing.revocation_defence, name="revocation_defence"),
    path("revocations/<int:revocation_id>/decide/", filing.revocation_decide, name="revocation_decide"),
    # agency side
    path("queue/", agency.queue, name="queue"),
    path("follow-up/", agency.follow_up, name="follow_up"),
    path("change-reports/<int:pk>/acknowledge/", agency.change_report_acknowledge, name="change_report_acknowledge"),
    path("change-reports/<int:pk>/revoke/", agency.change_report_revoke, name="change_report_revoke"),
    path("publicity/manage/", agency.publicity, name="publicity"),
    path("publicity/manage/<int:pk>/", agency.batch, name="batch"),
    path("publicity/manage/<int:pk>/close/", agency.batch_close, name="batch_close"),
    path("objections/<int:pk>/resolve/", agency.objection_resolve, name="objection_resolve"),
    path("import/", agency.import_offline, name="import"),
    # public side
    path("publicity/", public.publicity, name="public_publicity"),
    path("publicity/<int:pk>/", public.publicity_batch, name="public_batch"),
    path("publicity/<int:pk>/objection/", public.lodge_objection, name="objection"),
    path("database/", public.database, name="public_database"),
    path("database.<str:fmt>", public.database_export, name="database_export"),
    path("verify/", public.verify, name="verify_form"),
    path("verify/<str:number>/", public.verify, name="verify"),
    path("statistics/", public.statistics, name="statistics"),
]
