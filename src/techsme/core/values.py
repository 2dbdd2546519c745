"""Errors of ``techsme.parsing`` and ``techsme.spreadsheets`` in the language of the request.

The pure modules carry every message in English and Chinese (the command line prints both); Django code shows the
one of the active language, so a value is refused with the same words on the web, in the API and on the command
line.
"""

from django.utils.translation import get_language

from techsme.core.errors import FieldError
from techsme.parsing import InputError


def message(error: InputError) -> str:
    return error.message(get_language())


def field_error(field: str, error: InputError, row: int | None = None) -> FieldError:
    return FieldError(field, message(error), row if row is not None else getattr(error, "row", None))
