"""Error pages: friendly HTML in the user's language for the web, the API's JSON error shape under /api/.

Django calls these for errors no view answered itself (``handler400``…``handler500`` in ``techsme.urls``, and
``CSRF_FAILURE_VIEW``); with ``DEBUG`` off they replace Django's English default pages.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from techsme.core.api_schemas import error_body

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _page(request: HttpRequest, status: int, template: str, detail: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(detail), status=status)
    return render(request, template, {"status": status, "detail": detail}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, "400.html", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, "403.html", str(exception or "") or _("You may not do this."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, "404.html", _("Not found, or not visible to you."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(request, 403, "403_csrf.html", _("The form expired or was sent from elsewhere. Reload the page and "
                                                  "try again."))


def server_error(request: HttpRequest) -> HttpResponse:
    """No database, no context processors: the page must render even when they are what failed."""
    detail = _("Something went wrong on our side; it has been logged. Please try again later.")
    if _is_api(request):
        return JsonResponse(error_body(detail), status=500)
    return HttpResponse(loader.get_template("500.html").render({"detail": detail}), status=500)
