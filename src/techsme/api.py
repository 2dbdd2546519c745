"""The HTTP API under /api/v1/: mounts every app's router and maps service errors to HTTP codes."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as RequestValidationError

from techsme.accounts.auth import API_AUTH
from techsme.core.errors import Conflict, InvalidInput

api = NinjaAPI(
    title="techsme API",
    version="1",
    description="Tech-SME support platform. Authenticate with a personal token: `Authorization: Bearer tsme_…`.",
    urls_namespace="api",
    auth=API_AUTH,
)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(InvalidInput)
def _invalid(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return api.create_response(
        request, {"detail": "invalid input", "errors": [e.as_dict() for e in exc.errors]}, status=422
    )


@api.exception_handler(RequestValidationError)
def _malformed(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "form")),
         "message": e.get("msg", "")}
        for e in exc.errors
    ]
    return api.create_response(request, {"detail": "invalid input", "errors": errors}, status=422)


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


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


_mount()
