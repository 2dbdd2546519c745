"""Spreadsheet output shared by every export: CSV (UTF-8 with BOM, opens in Excel) and XLSX.

Every text cell goes through ``safe_cell`` so that a value such as ``=HYPERLINK(...)`` typed into a form is shown
as text, never evaluated as a formula by the spreadsheet program that opens the file (CSV/formula injection).
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse

from techsme.cells import FORMULA_PREFIXES, safe_cell, unescape_cell

__all__ = ["FORMULA_PREFIXES", "safe_cell", "spreadsheet_response", "unescape_cell", "write_csv", "write_xlsx"]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
# A column is a key of the row mappings, or a (key, header) pair when the header differs from the key.
Column = str | tuple[str, str]


def _split(columns: Sequence[Column]) -> tuple[list[str], list[str]]:
    keys, headers = [], []
    for column in columns:
        key, header = (column, column) if isinstance(column, str) else column
        keys.append(key)
        headers.append(str(header))
    return keys, headers


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def write_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> bytes:
    """CSV bytes (UTF-8 with BOM, header row, ``\\r\\n`` line ends); missing keys are empty cells."""
    keys, headers = _split(columns)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(_text(row.get(key))) for key in keys])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


MONEY_FORMAT = "#,##0.00"
FRACTION_FORMAT = "0.00####"


def write_xlsx(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column], sheet_title: str = "Sheet1") -> bytes:
    """XLSX bytes (one sheet, bold header row); Decimals are numbers shown with two decimals, dates are dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    keys, headers = _split(columns)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=safe_cell(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for key in keys:
            value = row.get(key)
            if isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=value)
                exact_cents = value == value.quantize(Decimal("0.01"))
                cell.number_format = MONEY_FORMAT if exact_cents else FRACTION_FORMAT
            elif isinstance(value, date) and not isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, bool | int | float) or value is None:
                cell = WriteOnlyCell(sheet, value=value)
            else:
                cell = WriteOnlyCell(sheet, value=safe_cell(_text(value)))
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(c for c in str(title) if c not in '[]:*?/\\').strip("'")
    return (cleaned or "Sheet1")[:31]


def spreadsheet_response(data: bytes, filename: str, fmt: str) -> HttpResponse:
    """A download of ``data``; ``filename`` may contain Chinese (RFC 6266 ``filename*``)."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown spreadsheet format {fmt!r}")
    if not filename.lower().endswith("." + fmt):
        filename = f"{filename}.{fmt}"
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "") or f"export.{fmt}"
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response

