"""Bulk import of the registry (upload, report, error CSV)."""

import base64

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from techsme.core.permissions import can
from techsme.web.forms import ImportForm

SESSION_KEY = "techsme_import_errors_csv"
MAX_SESSION_CSV = 2 * 1024 * 1024


@login_required
def registry_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can(user, "registry.import"):
        raise PermissionDenied
    report = None
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            from techsme.registry.importing import do_import_registry

            report = do_import_registry(actor=user, file=upload, filename=upload.name)
            request.session.pop(SESSION_KEY, None)
            if not report.ok:
                data = report.errors_csv()
                if len(data) <= MAX_SESSION_CSV:
                    request.session[SESSION_KEY] = base64.b64encode(data).decode("ascii")
                status = 422
        if form.errors:
            status = 422
    else:
        form = ImportForm()
    errors = list(report.errors) if report is not None and not report.ok else []
    return render(request, "web/import.html", {
        "form": form, "report": report, "errors": errors[:500], "more_errors": max(0, len(errors) - 500),
        "has_csv": SESSION_KEY in request.session, "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
    }, status=status)


@login_required
def registry_import_errors(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "registry.import"):
        raise PermissionDenied
    encoded = request.session.get(SESSION_KEY)
    if not encoded:
        raise Http404
    response = HttpResponse(base64.b64decode(encoded), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="import-errors.csv"'
    return response
