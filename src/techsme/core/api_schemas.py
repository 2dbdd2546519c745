"""The error shape every API endpoint documents and returns (see the handlers in ``techsme.api``)."""

from ninja import Schema


class ErrorItem(Schema):
    field: str
    message: str
    row: int | None = None


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


# Error responses of an authenticated endpoint, and of a public one.
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
PUBLIC_ERRORS = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}
