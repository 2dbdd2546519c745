"""The API's shared vocabulary: the one error shape, bounded parameter types, and the JSON body parser.

Error answers: every endpoint documents ``ERRORS`` (authenticated) or ``PUBLIC_ERRORS``; ``document_common_errors``
adds to every operation of the OpenAPI document what any request can meet (400 malformed request, 415 unsupported
media type, 422 invalid parameters, and 401/403 where a token or session is required), so the document matches
what the handlers in ``techsme.api`` answer.

Bounds live in the schemas themselves (so the OpenAPI document states them and requests outside them are refused
with 422 before any code runs):

- ``Id``: database ids are positive 64-bit integers (1 … 2⁶³−1); anything larger is refused, not sent to the
  database (where it overflowed into an HTTP 500).
- ``Year``: calendar years 2000 … 2100. The platform's data starts with the 2000s (the R&D super-deduction eras in
  the rules begin in 2008, the tech-SME evaluation in 2017); a year outside this window is always a typo (1565,
  2999, -1, 0). It is a window, not a promise: a service refuses a year inside it for which it has no law or data
  with a 422 that says so. ``0`` never means "this year": leave the parameter out for that.
- ``Offset`` 0 … 1,000,000, ``Page`` 1 … 1,000,000 and ``Limit`` 1 … 500 for paging; ``IdList``: at most 1,000 ids.
- ``Int64``: any other integer (money in fen, counts) within 64 bits.
- ``IsoDate``: a date written YYYY-MM-DD (a bare number is not a date).
- String lengths: ``Code`` (40 characters: region, industry, state codes), ``Short`` (300: names, titles, amounts
  as text), ``Text`` (20,000: reasons, descriptions); a model's own, shorter limit is checked by its service (422).
"""

import json
import re
from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.parser import Parser
from pydantic import BeforeValidator

MAX_INT64 = 2**63 - 1
MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_OFFSET = 1_000_000
MAX_LIMIT = 500

Id = Annotated[int, Field(ge=1, le=MAX_INT64, description="A positive 64-bit id")]
Int64 = Annotated[int, Field(ge=-MAX_INT64 - 1, le=MAX_INT64)]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR, description=f"A calendar year, {MIN_YEAR}–{MAX_YEAR}")]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Rows to skip")]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"Rows to return, at most {MAX_LIMIT}")]
Page = Annotated[int, Field(ge=1, le=MAX_OFFSET, description="Page number, from 1")]
IdList = Annotated[list[Id], Field(max_length=1000, description="At most 1,000 ids")]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: Any) -> Any:
    """A date is written YYYY-MM-DD; a bare number is refused (pydantic would read it as a Unix timestamp)."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
Code = Annotated[str, Field(max_length=40)]
Short = Annotated[str, Field(max_length=300)]
Text = Annotated[str, Field(max_length=20_000)]


class ErrorItem(Schema):
    field: str
    message: str
    row: int | None = None


class ProblemOut(Schema):
    """A rule a decision broke (e.g. a booking policy): its code, the reason, whether an entitled role may override."""

    code: str
    message: str
    overridable: bool


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []
    problems: list[ProblemOut] = []
    staff_may_override: bool | None = None


# Error responses of an authenticated endpoint, and of a public one.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
PUBLIC_ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def error_body(detail: str, errors: list[dict] | None = None) -> dict[str, Any]:
    return {"detail": str(detail), "errors": errors or []}


# ---------------------------------------------------------------- request bodies

_FAILURE_ATTR = "_techsme_body_failure"


class JsonObjectParser(Parser):
    """Request bodies are JSON objects sent as ``application/json``; anything else is refused with a reason.

    django-ninja turns every parser exception into a bare "Cannot parse request body" (400); the reason and status
    (415 for another media type) are left on the request for the API's error handler (``parse_failure``).
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if not request.META:  # one field of a multipart body, handed over by django-ninja: any JSON value
            return json.loads(request.body)
        media_type = (request.content_type or "").lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            return _refuse(request, 415, _("Send the request body as application/json (received %(type)s).")
                           % {"type": media_type or _("no content type")})
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as exc:
            return _refuse(request, 400, _("The request body is not valid JSON: %(reason)s") % {"reason": exc})
        if not isinstance(data, dict):
            return _refuse(request, 400, _("The request body must be a JSON object ({…}), not %(kind)s.")
                           % {"kind": _json_kind(data)})
        try:  # "\ud800" is valid JSON but no text: refuse it here rather than fail where it is stored or encoded
            json.dumps(data, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            return _refuse(request, 400, _("The request body holds an invalid character (a lone surrogate)."))
        return data


def _json_kind(data: Any) -> str:
    if isinstance(data, list):
        return _("a list")
    if isinstance(data, str):
        return _("a string")
    if data is None:
        return "null"
    return _("a number or boolean")


def _refuse(request: HttpRequest, status: int, message: str) -> Any:
    setattr(request, _FAILURE_ATTR, (status, message))
    raise ValueError(message)


def parse_failure(request: HttpRequest) -> tuple[int, str] | None:
    """The status and reason the body parser left on ``request``, if it refused the body."""
    return getattr(request, _FAILURE_ATTR, None)


# ---------------------------------------------------------------- the OpenAPI document

_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
_COMMON = {
    "400": "Malformed request: a body that is not a JSON object, a broken multipart body",
    "415": "Unsupported media type: the body is not sent as the operation declares",
    "422": "Invalid parameters or body (each problem in errors[])",
}
_AUTHENTICATED = {
    "401": "No valid token or session: missing, unknown, expired or revoked token",
    "403": "Not allowed to you (or a session write without its CSRF token)",
}


def document_common_errors(schema: dict) -> dict:
    """Add to every operation the error answers any request can meet, and the one ``ErrorOut`` component."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorOut" not in components:
        definition = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(definition.pop("$defs", {}))
        components["ErrorOut"] = definition
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            wanted = dict(_COMMON)
            if operation.get("security"):
                wanted.update(_AUTHENTICATED)
            if "requestBody" not in operation:
                wanted.pop("415")
            for status, description in wanted.items():
                responses.setdefault(status, {
                    "description": description, "content": {"application/json": {"schema": _ERROR_REF}}})
    return schema
