"""Reading uploaded CSV and XLSX files row by row inside fixed limits (pure Python: the rules CLI uses it too).

The limits are checked before the cells are parsed, so a hostile file costs milliseconds, not minutes:

- bytes: the file's size;
- XLSX: the zip itself — at most ``max_entries`` members, each member's declared uncompressed size within bounds
  (the shared strings and the other XML parts, which a reader loads whole, more tightly than the sheet, which is
  streamed), the sum of them, and their compression ratio (a zip bomb inflates a thousandfold); the first sheet's
  declared dimension (``<dimension ref="A1:XFD1048576"/>``) against the row, column and cell limits;
- while streaming (CSV, and XLSX sheets that lie about or omit their dimension): the row number, the columns of a
  row and the running cell count; reading stops at the first row over a limit.

Rows come out as ``(spreadsheet row number, values)`` — the header is row 1, and the numbers of an XLSX are the
sheet's own, so an error names the row the user sees. Empty rows between rows are not invented (openpyxl's
read-only reader pads every row of the declared dimension: that is how a 1.6 KB file pinned a CPU for 18 minutes).

CSV text must be in the declared encoding (UTF-8 with or without BOM by default, GB18030 on request); bytes that
do not decode are an error naming the first row that holds them, never silently replaced.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from techsme.parsing import InputError

MB = 1024 * 1024
ENCODINGS = {"utf-8": "utf-8-sig", "gb18030": "gb18030"}
# Signatures of files that people rename to .csv by mistake (or on purpose).
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")
RATIO_FLOOR = 1 * MB  # members smaller than this are not checked for their ratio (small XML parts compress well)


@dataclass(frozen=True)
class Limits:
    """Bounds of one uploaded spreadsheet; ``None`` = no bound. ``max_rows`` counts data rows (header excluded)."""

    max_bytes: int | None = 20 * MB
    max_rows: int | None = 50_000
    max_columns: int | None = 200
    max_cells: int | None = 5_000_000
    max_ratio: int | None = 100
    max_uncompressed: int | None = 256 * MB
    max_shared_strings: int | None = 32 * MB
    max_other_part: int | None = 16 * MB
    max_entries: int | None = 1_000


class SheetError(InputError):
    """A file refused as a whole (or from ``row`` on); the message names the limit and the value."""

    MESSAGES: ClassVar[dict[str, tuple[str, str]]] = {
        "bytes": ("The file has {size} bytes; the limit is {limit} bytes ({mb} MB).",
                  "文件大小为{size}字节，超过上限{limit}字节（{mb} MB）。"),
        "rows": ("The file has more than {limit} data rows (row {row} is beyond the limit).",
                 "文件数据行超过上限{limit}行（第{row}行已超出）。"),
        "declared_rows": ("The sheet declares {rows} rows; the limit is {limit} data rows.",
                          "工作表声明了{rows}行，超过上限{limit}个数据行。"),
        "columns": ("Row {row} has {columns} columns; the limit is {limit}.",
                    "第{row}行有{columns}列，超过上限{limit}列。"),
        "declared_columns": ("The sheet declares {columns} columns; the limit is {limit}.",
                             "工作表声明了{columns}列，超过上限{limit}列。"),
        "cells": ("The file has more than {limit} cells (reached at row {row}).",
                  "文件单元格数超过上限{limit}个（至第{row}行）。"),
        "declared_cells": ("The sheet declares {cells} cells; the limit is {limit}.",
                           "工作表声明了{cells}个单元格，超过上限{limit}个。"),
        "ratio": ("The workbook part {part} expands {ratio} times when unpacked; the limit is {limit} times.",
                  "工作簿部件{part}解压后膨胀{ratio}倍，超过上限{limit}倍。"),
        "part": ("The workbook part {part} unpacks to {size} bytes; the limit is {limit} bytes.",
                 "工作簿部件{part}解压后为{size}字节，超过上限{limit}字节。"),
        "uncompressed": ("The workbook unpacks to {size} bytes; the limit is {limit} bytes.",
                         "工作簿解压后为{size}字节，超过上限{limit}字节。"),
        "entries": ("The workbook has {count} parts; the limit is {limit}.",
                    "工作簿包含{count}个部件，超过上限{limit}个。"),
        "not_xlsx": ("This file is not an XLSX workbook.", "此文件不是XLSX工作簿。"),
        "damaged": ("The workbook could not be read; it may be damaged.", "无法读取此工作簿，文件可能已损坏。"),
        "no_sheet": ("The workbook has no sheet.", "工作簿中没有工作表。"),
        "zip_as_csv": ("This file is a workbook or an archive, not CSV text. If it is an XLSX workbook, name it "
                       "“.xlsx”.", "此文件是工作簿或压缩包，不是CSV文本。如果是XLSX工作簿，请使用“.xlsx”扩展名。"),
        "xls": ("This is an old Excel (.xls) file. Save it as XLSX or as “CSV UTF-8” and try again.",
                "这是旧版Excel（.xls）文件。请另存为XLSX或“CSV UTF-8”后重试。"),
        "binary": ("This file is not a CSV text file (it contains binary data).",
                   "此文件不是CSV文本文件（含有二进制数据）。"),
        "encoding": ("Row {row} is not {encoding} text (its bytes cannot be decoded; nothing was replaced).{hint}",
                     "第{row}行不是{encoding}编码的文本（字节无法解码，未作任何替换）。{hint_zh}"),
        "unknown_encoding": ("Unknown encoding {encoding} (use utf-8 or gb18030).",
                             "未知编码{encoding}（请用utf-8或gb18030）。"),
        "malformed": ("The CSV file is malformed at row {row}: {error}", "CSV文件第{row}行格式错误：{error}"),
        "empty": ("The file is empty.", "文件为空。"),
    }

    def __init__(self, kind: str, *, row: int | None = None, **params: Any) -> None:
        self.row = row
        params.setdefault("hint", "")
        params.setdefault("hint_zh", "")
        super().__init__(kind, None, row=row, **params)


def _over(value: int, limit: int | None) -> bool:
    return limit is not None and value > limit


def check_size(size: int, limits: Limits) -> None:
    if _over(size, limits.max_bytes):
        assert limits.max_bytes is not None
        raise SheetError("bytes", size=size, limit=limits.max_bytes, mb=f"{limits.max_bytes / MB:g}")
    if size == 0:
        raise SheetError("empty")


# --- XLSX -------------------------------------------------------------------------------------------------------


def inspect_xlsx(data: bytes, limits: Limits) -> None:
    """Refuse a workbook whose zip is a bomb or too large before any part of it is decompressed."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SheetError("not_xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetError("damaged") from None
    if _over(len(members), limits.max_entries):
        raise SheetError("entries", count=len(members), limit=limits.max_entries)
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise SheetError("not_xlsx")
    total = 0
    for member in members:
        size, name = member.file_size, member.filename
        total += size
        if size > RATIO_FLOOR and limits.max_ratio is not None:
            ratio = size / max(member.compress_size, 1)
            if ratio > limits.max_ratio:
                raise SheetError("ratio", part=name, ratio=int(ratio), limit=limits.max_ratio)
        if name.startswith("xl/worksheets/"):
            bound = limits.max_uncompressed
        elif name == "xl/sharedStrings.xml":
            bound = limits.max_shared_strings
        elif name.endswith((".xml", ".rels")):
            bound = limits.max_other_part
        else:
            bound = limits.max_uncompressed
        if _over(size, bound):
            raise SheetError("part", part=name, size=size, limit=bound)
    if _over(total, limits.max_uncompressed):
        raise SheetError("uncompressed", size=total, limit=limits.max_uncompressed)


def _check_declared(rows: int | None, columns: int | None, limits: Limits) -> None:
    if rows is not None and _over(rows - 1, limits.max_rows):
        raise SheetError("declared_rows", rows=rows, limit=limits.max_rows)
    if columns is not None and _over(columns, limits.max_columns):
        raise SheetError("declared_columns", columns=columns, limit=limits.max_columns)
    if rows is not None and columns is not None and _over(rows * columns, limits.max_cells):
        raise SheetError("declared_cells", cells=rows * columns, limit=limits.max_cells)


class _Counter:
    """Row, column and cell limits while streaming."""

    def __init__(self, limits: Limits) -> None:
        self.limits, self.cells = limits, 0

    def row(self, number: int, width: int) -> None:
        limits = self.limits
        if _over(number - 1, limits.max_rows):
            raise SheetError("rows", row=number, limit=limits.max_rows)
        if _over(width, limits.max_columns):
            raise SheetError("columns", row=number, columns=width, limit=limits.max_columns)
        self.cells += width
        if _over(self.cells, limits.max_cells):
            raise SheetError("cells", row=number, limit=limits.max_cells)


def _declared_size(source: Any) -> tuple[int | None, int | None]:
    """(rows, columns) of the sheet's ``<dimension>``, read up to the start of ``<sheetData>`` and no further
    (openpyxl's own look-up parses the whole sheet when the element is missing)."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse  # defusedxml's when installed, as for the sheet itself

    dimension, data = f"{{{SHEET_MAIN_NS}}}dimension", f"{{{SHEET_MAIN_NS}}}sheetData"
    for _event, element in iterparse(source, events=("start",)):
        if element.tag == dimension:
            try:
                _c1, _r1, columns, rows = range_boundaries(element.get("ref", ""))
            except (TypeError, ValueError):
                return None, None
            return rows, columns
        if element.tag == data:
            break
    return None, None


def _open_first_sheet(data: bytes) -> tuple[Any, str]:
    """The workbook's reader (strings, styles, date settings loaded) and the path of its first worksheet."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    for _sheet, rel in reader.parser.find_sheets():
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
            return reader, rel.target
    reader.archive.close()
    raise SheetError("no_sheet")


def iter_xlsx_rows(data: bytes, limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    """``(row number, values)`` of the first sheet's rows that exist in the file (typed values, None = empty)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    inspect_xlsx(data, limits)
    try:
        reader, path = _open_first_sheet(data)
    except SheetError:
        raise
    except Exception:  # noqa: BLE001 — any failure to open means the workbook is damaged
        raise SheetError("damaged") from None
    try:
        with reader.archive.open(path) as head:
            rows, columns = _declared_size(head)
        _check_declared(rows, columns, limits)
        counter = _Counter(limits)
        with reader.archive.open(path) as source:
            workbook = reader.wb
            parser = WorkSheetParser(source, reader.shared_strings, data_only=True, epoch=workbook.epoch,
                                     date_formats=workbook._date_formats,
                                     timedelta_formats=workbook._timedelta_formats)
            try:
                for number, cells in parser.parse():
                    width = max((cell["column"] for cell in cells), default=0)
                    counter.row(number, width)
                    values: list[Any] = [None] * width
                    for cell in cells:
                        values[cell["column"] - 1] = cell["value"]
                    yield number, values
            except SheetError:
                raise
            except Exception:  # noqa: BLE001 — malformed XML or values inside the sheet
                raise SheetError("damaged") from None
    except SheetError:
        raise
    except Exception:  # noqa: BLE001
        raise SheetError("damaged") from None
    finally:
        reader.archive.close()


# --- CSV --------------------------------------------------------------------------------------------------------


def refuse_non_text(data: bytes) -> None:
    """Refuse workbooks, archives and other binary files given as CSV."""
    head = data.lstrip(b"\xef\xbb\xbf")[:8]
    if head.startswith(b"PK\x03\x04"):
        raise SheetError("zip_as_csv")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError("xls")
    if head.startswith(BINARY_SIGNATURES) or b"\x00" in data[:8192]:
        raise SheetError("binary")


def _codec(encoding: str) -> str:
    codec = ENCODINGS.get((encoding or "utf-8").lower().replace("_", "-"))
    if codec is None:
        raise SheetError("unknown_encoding", encoding=encoding)
    return codec


def decode_text(data: bytes, encoding: str = "utf-8") -> str:
    """The file's text in ``encoding``; undecodable bytes raise a ``SheetError`` naming the first bad CSV row."""
    codec = _codec(encoding)
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        pass
    row = _first_undecodable_row(data, codec)
    hint, hint_zh = "", ""
    if codec != "gb18030" and _decodes(data, "gb18030"):
        hint = " The file looks like GB18030/GBK text: save it as “CSV UTF-8”, or choose the encoding GB18030."
        hint_zh = "此文件似为GB18030/GBK编码：请另存为“CSV UTF-8”，或选择GB18030编码。"
    raise SheetError("encoding", row=row, encoding=encoding.upper(), hint=hint, hint_zh=hint_zh)


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _first_undecodable_row(data: bytes, codec: str) -> int:
    text = data.decode(codec, errors="surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    try:
        for number, values in enumerate(reader, start=1):  # noqa: B007 — the last number is the answer
            if any(_has_surrogate(v) for v in values):
                return number
    except csv.Error:
        pass
    return max(number, 1)


def _has_surrogate(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def iter_csv_rows(data: bytes, limits: Limits, encoding: str = "utf-8") -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` of a CSV file (text cells; empty cells are "")."""
    refuse_non_text(data)
    text = decode_text(data, encoding)
    counter = _Counter(limits)
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    try:
        for number, values in enumerate(reader, start=1):
            counter.row(number, len(values))
            yield number, values
    except csv.Error as exc:
        raise SheetError("malformed", row=number + 1, error=str(exc)) from None


def iter_rows(data: bytes, extension: str, limits: Limits, encoding: str = "utf-8") -> Iterator[tuple[int, list[Any]]]:
    """The rows of a ``csv`` or ``xlsx`` file (size checked first)."""
    check_size(len(data), limits)
    if extension == "xlsx":
        return iter_xlsx_rows(data, limits)
    return iter_csv_rows(data, limits, encoding)
