"""Errors raised by service verbs; surfaces translate them to messages and HTTP codes (403, 409, 422)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str  # already translated into the active language
    row: int | None = None  # 1-based data row of an import file (header is row 1, first data row is 2)

    def as_dict(self) -> dict:
        out = {"field": self.field, "message": str(self.message)}
        if self.row is not None:
            out["row"] = self.row
        return out


class InvalidInput(Exception):
    """Input refused at the edge; nothing was changed."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


class Conflict(Exception):
    """An illegal state change (HTTP 409); the message says why."""


__all__ = ["Conflict", "FieldError", "InvalidInput", "PermissionDenied"]
