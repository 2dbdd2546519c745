"""The HTTP API under /api/v1/: mounts every app's router and maps every error to one JSON shape.

Every answer that is not a success is ``core.api_schemas.ErrorOut`` (``{"detail": …, "errors": […]}``), also for
malformed requests (400), unsupported media types (415), bad or expired tokens (401) and unexpected failures (500,
logged; never an HTML page, whatever ``DEBUG`` says). The OpenAPI document lists these answers on every operation, so
clients and schemathesis know them (see ``document_common_errors``).
"""

import logging
from typing import Any

from django.core.exceptions import (
    BadRequest,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.openapi.schema import OpenAPISchema

from techsme.accounts.auth import API_AUTH
from techsme.core.api_schemas import JsonObjectParser, document_common_errors, error_body, parse_failure
from techsme.core.errors import Conflict, InvalidInput

logger = logging.getLogger("techsme.api")


class TechsmeAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> OpenAPISchema:
        return document_common_errors(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = TechsmeAPI(
    title="techsme API",
    version="1",
    description=(
        "Tech-SME support platform. Authenticate with a personal token: `Authorization: Bearer tsme_…` "
        "(tokens expire; a bad, expired or revoked token answers 401). Every error is JSON: "
        "`{\"detail\": …, \"errors\": [{\"field\", \"message\", \"row\"}]}`. Request bodies are JSON objects "
        "(`application/json`) unless an operation declares `multipart/form-data`."
    ),
    urls_namespace="api",
    auth=API_AUTH,
    parser=JsonObjectParser(),
)


def _respond(request: HttpRequest, status: int, detail: str, errors: list[dict] | None = None) -> HttpResponse:
    return api.create_response(request, error_body(detail, errors), status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message if exc.message != "Unauthorized" else _(
        "Authentication required: send a valid personal token as “Authorization: Bearer tsme_…”.")
    response = _respond(request, 401, message)
    response["WWW-Authenticate"] = 'Bearer realm="techsme"'
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _respond(request, 403, str(exc) or _("You may not do this."))


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _respond(request, 404, _("Not found, or not visible to you."))


api.add_exception_handler(Http404, _not_found)
api.add_exception_handler(ObjectDoesNotExist, _not_found)  # a .get() of an id that does not exist


@api.exception_handler(InvalidInput)
def _invalid(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return _respond(request, 422, _("invalid input"), [e.as_dict() for e in exc.errors])


@api.exception_handler(RequestValidationError)
def _malformed(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "form", "file")),
         "message": e.get("msg", "")}
        for e in exc.errors
    ]
    return _respond(request, 422, _("invalid input"), errors)


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return _respond(request, 409, str(exc))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    failure = parse_failure(request)  # the body parser's own, clearer reason
    if failure is not None:
        return _respond(request, failure[0], failure[1])
    return _respond(request, exc.status_code, str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _respond(request, 413, _("The request is too large."))


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _respond(request, 400, _("The multipart body cannot be read (is the boundary missing?): %(reason)s")
                    % {"reason": exc})


def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _respond(request, 400, _("Malformed request: %(reason)s") % {"reason": exc})


for _kind in (BadRequest, SuspiciousOperation, UnreadablePostError, UnicodeDecodeError):
    api.add_exception_handler(_kind, _bad_request)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return _respond(request, 500, _("Internal error; it has been logged. Please try again later."))


def _mount() -> None:
    from techsme.accounts.api import router as accounts_router
    from techsme.assessments.api import router as assessments_router
    from techsme.calls.api import router as calls_router
    from techsme.evaluation.api import router as evaluation_router
    from techsme.finance.api import router as finance_router
    from techsme.incentives.api import router as incentives_router
    from techsme.incubation.api import router as incubation_router
    from techsme.instruments.api import router as instruments_router
    from techsme.monitoring.api import router as monitoring_router
    from techsme.registry.api import router as registry_router
    from techsme.transfer.api import router as transfer_router
    from techsme.vouchers.api import router as vouchers_router

    api.add_router("/", accounts_router)
    api.add_router("/", registry_router)
    api.add_router("/", assessments_router)
    api.add_router("/", instruments_router)
    api.add_router("/", evaluation_router)
    api.add_router("/", vouchers_router)
    api.add_router("/", incentives_router)
    api.add_router("/", incubation_router)
    api.add_router("/", transfer_router)
    api.add_router("/", finance_router)
    api.add_router("/", calls_router)
    api.add_router("/", monitoring_router)


def json_error(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    """An error for a request under /api/ that never reached an operation (unknown path, middleware failure)."""
    return _respond(request, status, detail)


_mount()

__all__: list[Any] = ["api", "json_error"]
