"""Upload limits (core.uploads + techsme.spreadsheets): bytes, rows, columns, cells and compression ratio are checked
before the cells are parsed; hostile workbooks are refused in milliseconds; the message names the limit and value."""

import io
import time
import zipfile

import pytest
from django.test import override_settings
from openpyxl import Workbook

from techsme.core.uploads import read_upload, spreadsheet_limits
from techsme.spreadsheets import Limits, SheetError, decode_text, iter_csv_rows, iter_rows, iter_xlsx_rows


def workbook_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewritten(data: bytes, sheet_xml: bytes | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook with its first sheet's XML replaced (and other parts added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml" and sheet_xml is not None:
                content = sheet_xml
            target.writestr(name, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


SHEET_HEAD = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'%s<sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"


def sheet(rows: bytes, dimension: bytes = b"") -> bytes:
    return SHEET_HEAD % dimension + rows + SHEET_TAIL


def test_declared_full_grid_is_refused_before_parsing():
    """The 1.6 KB file that pinned a CPU for 18 minutes: one cell, a dimension claiming A1:XFD1048576."""
    data = rewritten(workbook_bytes([["a"]]), sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>',
                                                    b'<dimension ref="A1:XFD1048576"/>'))
    assert len(data) < 5000
    started = time.perf_counter()
    with pytest.raises(SheetError) as caught:
        list(iter_xlsx_rows(data, Limits()))
    assert time.perf_counter() - started < 2
    assert caught.value.kind == "declared_rows"
    assert "1048576" in caught.value.message_en and "50000" in caught.value.message_en


def test_a_far_away_cell_without_dimension_is_refused_at_its_row_not_padded():
    data = rewritten(workbook_bytes([["a"]]), sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>'
                                                    b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    started = time.perf_counter()
    with pytest.raises(SheetError) as caught:
        list(iter_xlsx_rows(data, Limits()))
    assert time.perf_counter() - started < 2
    assert caught.value.kind == "rows" and caught.value.row == 1048576


def test_rows_beyond_the_limit_stop_the_stream():
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 2_000))
    data = rewritten(workbook_bytes([["a"]]), sheet(rows))
    read = []
    with pytest.raises(SheetError) as caught:
        for number, _values in iter_xlsx_rows(data, Limits(max_rows=100)):
            read.append(number)
    assert caught.value.kind == "rows" and caught.value.row == 102 and len(read) == 101


def test_gaps_between_rows_are_not_invented():
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row>'
            b'<row r="40000"><c r="B40000"><v>2</v></c></row>')
    data = rewritten(workbook_bytes([["a"]]), sheet(rows, b'<dimension ref="A1:B40000"/>'))
    assert list(iter_xlsx_rows(data, Limits())) == [(1, ["h"]), (40000, [None, 2])]


def test_zip_bomb_is_refused_by_its_ratio():
    data = rewritten(workbook_bytes([["a"]]), sheet(b"<row r='1'><c r='A1'><v>1</v></c></row>" + b" " * 30_000_000))
    assert len(data) < 100_000
    with pytest.raises(SheetError) as caught:
        list(iter_xlsx_rows(data, Limits()))
    assert caught.value.kind == "ratio" and "xl/worksheets/sheet1.xml" in caught.value.message_en


def test_unpacked_size_and_shared_strings_are_bounded():
    data = workbook_bytes([["a"]])
    with pytest.raises(SheetError) as caught:
        list(iter_xlsx_rows(data, Limits(max_uncompressed=1000)))
    assert caught.value.kind in ("part", "uncompressed") and "1000" in caught.value.message_en
    big_strings = rewritten(data, extra={"xl/sharedStrings.xml": b"<sst>" + b"<si><t>x</t></si>" * 10 + b"</sst>"})
    with pytest.raises(SheetError) as caught:
        list(iter_xlsx_rows(big_strings, Limits(max_shared_strings=50)))
    assert caught.value.kind == "part" and "sharedStrings" in caught.value.message_en


def test_columns_and_cells_are_bounded():
    wide = workbook_bytes([list(range(300))])
    with pytest.raises(SheetError) as caught:
        list(iter_xlsx_rows(wide, Limits()))
    assert caught.value.kind == "declared_columns" and "300" in caught.value.message_en
    text = ("a,b,c\n" + "1,2,3\n" * 50).encode()
    with pytest.raises(SheetError) as caught:
        list(iter_csv_rows(text, Limits(max_cells=60)))
    assert caught.value.kind == "cells"
    with pytest.raises(SheetError) as caught:
        list(iter_csv_rows(b"a,b\n" + b",".join([b"1"] * 500) + b"\n", Limits()))
    assert caught.value.kind == "columns" and caught.value.row == 2


def test_csv_rows_limit_names_the_row():
    text = ("a\n" + "1\n" * 30).encode()
    with pytest.raises(SheetError) as caught:
        list(iter_csv_rows(text, Limits(max_rows=10)))
    assert caught.value.kind == "rows" and caught.value.row == 12


def test_undecodable_csv_names_its_row_and_never_replaces():
    text = "uscc,name\n1,Alpha\n2,深圳星衡\n"
    with pytest.raises(SheetError) as caught:
        decode_text(text.encode("gb18030"))
    assert caught.value.row == 3 and "GB18030" in caught.value.message_en
    assert decode_text(text.encode("gb18030"), "gb18030") == text
    assert decode_text(("\ufeff" + text).encode()) == text


def test_bytes_limit_from_the_settings_is_checked_while_reading():
    with override_settings(IMPORT_MAX_BYTES=1000, IMPORT_MAX_ROWS=7):
        limits = spreadsheet_limits()
        assert (limits.max_bytes, limits.max_rows) == (1000, 7)
        with pytest.raises(SheetError) as caught:
            read_upload(io.BytesIO(b"x" * 5000), limits)
        assert caught.value.kind == "bytes" and "5000" not in caught.value.message_en
        assert "1000" in caught.value.message_en
        assert read_upload(io.BytesIO(b"a,b\n"), limits) == b"a,b\n"


@pytest.mark.parametrize(("data", "kind"), [
    (b"PK\x03\x04rest", "zip_as_csv"), (b"\xd0\xcf\x11\xe0rest", "xls"), (b"%PDF-1.4", "binary"), (b"", "empty"),
])
def test_files_that_are_not_csv(data, kind):
    with pytest.raises(SheetError) as caught:
        list(iter_rows(data, "csv", Limits()))
    assert caught.value.kind == kind
