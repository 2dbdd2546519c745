"""Bulk import of the registry (upload, report, error CSV); a large file runs as a background job whose progress
this page shows until its report is ready."""

import base64

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from techsme.core.models import Job
from techsme.core.permissions import can
from techsme.web.forms import ImportForm

SESSION_KEY = "techsme_import_errors_csv"
MAX_SESSION_CSV = 2 * 1024 * 1024
SHOWN_ERRORS = 500


def _own_job(request: HttpRequest, raw: str | None) -> Job | None:
    from techsme.registry.importing import JOB_KIND

    if not raw or not raw.isdigit() or len(raw) > 18:
        return None
    job = Job.objects.filter(pk=int(raw), owner=request.user, kind=JOB_KIND).first()
    if job is None:
        raise Http404
    return job


@login_required
def registry_import(request: HttpRequest) -> HttpResponse:
    from techsme.registry.importing import ImportReport, start_registry_import

    user = request.user
    if not can(user, "registry.import"):
        raise PermissionDenied
    report, status = None, 200
    job = _own_job(request, request.GET.get("job"))
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = start_registry_import(actor=user, file=upload, filename=upload.name,
                                           encoding=form.cleaned_data["encoding"] or "utf-8")
            request.session.pop(SESSION_KEY, None)
            if report.job is not None:
                return redirect(f"{reverse('web:registry_import')}?job={report.job.pk}")
            if not report.ok:
                data = report.errors_csv()
                if len(data) <= MAX_SESSION_CSV:
                    request.session[SESSION_KEY] = base64.b64encode(data).decode("ascii")
        if form.errors or (report is not None and not report.ok):
            status = 422
    else:
        form = ImportForm()
        if job is not None and job.status == Job.Status.DONE:
            report = ImportReport.from_dict(job.result)
    errors = list(report.errors) if report is not None and not report.ok else []
    more = (report.error_count - len(errors[:SHOWN_ERRORS])) if report is not None and not report.ok else 0
    return render(request, "web/import.html", {
        "form": form, "report": report, "errors": errors[:SHOWN_ERRORS], "more_errors": more,
        "error_count": report.error_count if report is not None else 0, "job": job,
        "has_csv": SESSION_KEY in request.session or (job is not None and bool(errors)),
        "csv_query": f"?job={job.pk}" if job is not None else "",
        "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024), "max_rows": settings.IMPORT_MAX_ROWS,
    }, status=status)


@login_required
def registry_import_errors(request: HttpRequest) -> HttpResponse:
    from techsme.registry.importing import ImportReport

    if not can(request.user, "registry.import"):
        raise PermissionDenied
    job = _own_job(request, request.GET.get("job"))
    if job is not None:
        if job.status != Job.Status.DONE or job.result.get("ok") is not False:
            raise Http404
        data = ImportReport.from_dict(job.result).errors_csv()
    else:
        encoded = request.session.get(SESSION_KEY)
        if not encoded:
            raise Http404
        data = base64.b64decode(encoded)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="import-errors.csv"'
    return response
