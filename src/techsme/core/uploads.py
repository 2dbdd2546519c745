"""What an uploaded file really is, by its first bytes (the name and the browser's content type can lie)."""

from typing import Any

SIGNATURES: dict[str, bytes] = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}


def sniff_type(upload: Any, allowed: tuple[str, ...] = tuple(SIGNATURES)) -> str | None:
    """The content type among ``allowed`` whose signature starts the file, or None; the file position is kept."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    return type_of_head(head, allowed)


def type_of_head(head: bytes, allowed: tuple[str, ...] = tuple(SIGNATURES)) -> str | None:
    """The content type among ``allowed`` whose signature starts ``head`` (the first bytes of a file), or None."""
    return next((kind for kind in allowed if head.startswith(SIGNATURES[kind])), None)
