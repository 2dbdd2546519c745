"""Uploaded files: what a file really is, by its first bytes (the name and the browser's content type can lie), and
the limits of an uploaded spreadsheet, from the settings (``IMPORT_MAX_BYTES``, ``IMPORT_MAX_ROWS``,
``IMPORT_MAX_COLUMNS``, ``IMPORT_MAX_CELLS``, ``IMPORT_MAX_RATIO``, ``IMPORT_MAX_UNCOMPRESSED``), checked by
``techsme.spreadsheets`` before any cell is parsed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from techsme.spreadsheets import Limits

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


# --- spreadsheets: limits from the settings, bounded reading of an upload ---------------------------------------


def spreadsheet_limits() -> Limits:
    """The upload limits of the settings (``IMPORT_MAX_*``; see ``techsme.spreadsheets.Limits`` for the defaults)."""
    from django.conf import settings

    from techsme.spreadsheets import Limits

    defaults = Limits()
    return Limits(
        max_bytes=int(getattr(settings, "IMPORT_MAX_BYTES", defaults.max_bytes)),
        max_rows=int(getattr(settings, "IMPORT_MAX_ROWS", defaults.max_rows)),
        max_columns=int(getattr(settings, "IMPORT_MAX_COLUMNS", defaults.max_columns)),
        max_cells=int(getattr(settings, "IMPORT_MAX_CELLS", defaults.max_cells)),
        max_ratio=int(getattr(settings, "IMPORT_MAX_RATIO", defaults.max_ratio)),
        max_uncompressed=int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED", defaults.max_uncompressed)),
    )


def read_upload(upload: Any, limits: Limits) -> bytes:
    """The bytes of an uploaded file, refusing (``SheetError``) one over ``limits.max_bytes`` without reading it all."""
    from techsme.spreadsheets import check_size

    limit = limits.max_bytes
    size = getattr(upload, "size", None)
    if size is not None:
        check_size(size, limits)
    if hasattr(upload, "seek"):
        upload.seek(0)
    if hasattr(upload, "chunks"):
        parts, total = [], 0
        for chunk in upload.chunks():
            total += len(chunk)
            check_size(total, limits)
            parts.append(chunk)
        data = b"".join(parts)
    else:
        data = upload.read() if limit is None else upload.read(limit + 1)
    check_size(len(data), limits)
    return data
