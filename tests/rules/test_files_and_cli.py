"""Facts files (CSV with/without BOM, XLSX, Parquet), validation, `techsme assess` and `techsme reform`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from stdnum.cn import uscc as uscc_number

from techsme.rules import InputFileError, assess_main, assess_records, read_facts, reform_main


def make_uscc(serial: int) -> str:
    base = f"91110101{serial:09d}"
    return base + uscc_number.calc_check_digit(base)


def row(serial: int = 1, **changes: Any) -> dict[str, Any]:
    base = {
        "uscc": make_uscc(serial), "name": f"企业{serial}", "tax_year": "2023", "region_code": "110101",
        "industry_code": "I6513", "founded_on": "2015-03-01", "employees": "100", "tech_staff": "30",
        "revenue": "10000000", "total_cost_expense": "8000000", "total_assets": "20000000", "rd_expense": "600000",
        "ip_class1": "1", "ip_class2": "0", "taxable_income_before_incentives": "5000000",
        "rd_core_expense": "600000", "audited_books": "是", "resident": "yes",
    }
    base.update(changes)
    return base


def write_csv(path: Path, rows: list[dict[str, Any]], *, bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        fieldnames = list(dict.fromkeys(k for r in rows for k in r))
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_round_trip_with_bom(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "facts.csv", [row(1), row(2, tech_staff="10")], bom=True)
    output = tmp_path / "out.csv"
    assert assess_main([str(source), "-o", str(output)], stderr=io.StringIO()) == 0
    results = read_csv_rows(output)
    assert [r["techsme_staff_score"] for r in results] == ["20", "4"]
    assert results[0]["rd_extra_deduction"] == "600000.00"
    assert results[0]["eit_payable"] == "1100000.00"
    assert not (tmp_path / "out.csv.errors.csv").exists()


def test_bad_rows_give_exit_2_and_an_error_report(tmp_path: Path) -> None:
    rows = [
        row(1),
        row(2, uscc="91110101000000002X"),
        row(3, employees="many"),
        row(4, audited_books="perhaps"),
        row(5, region_code="999999", industry_code="Z9999"),
        row(6, tech_staff="200"),
        row(7, founded_on="01/03/2015", excluded_industry_revenue_share="1.5"),  # day-first: ambiguous
        row(8, tax_year=""),
    ]
    source = write_csv(tmp_path / "facts.csv", rows)
    output = tmp_path / "out.csv"
    stderr = io.StringIO()
    assert assess_main([str(source), "-o", str(output)], stderr=stderr) == 2
    assert len(read_csv_rows(output)) == 1
    errors = read_csv_rows(tmp_path / "out.csv.errors.csv")
    fields = {(e["row"], e["field"]) for e in errors}
    assert fields >= {("2", "uscc"), ("3", "employees"), ("4", "audited_books"), ("5", "region_code"),
                      ("5", "industry_code"), ("6", "tech_staff"), ("7", "founded_on"),
                      ("7", "excluded_industry_revenue_share"), ("8", "tax_year")}
    assert all(e["message_en"] and e["message_zh"] for e in errors)
    assert "7 bad row(s)" in stderr.getvalue()


def test_unknown_column_is_an_error(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "facts.csv", [row(1, emploees="100")])
    stderr = io.StringIO()
    assert assess_main([str(source), "-o", str(tmp_path / "out.csv")], stderr=stderr) == 1
    assert "emploees" in stderr.getvalue()
    with pytest.raises(InputFileError):
        read_facts(source)


def test_x_columns_pass_through(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "facts.csv", [row(1, x_branch="北京"), row(2, x_branch="上海")])
    output = tmp_path / "out.csv"
    assert assess_main([str(source), "-o", str(output)], stderr=io.StringIO()) == 0
    assert [r["x_branch"] for r in read_csv_rows(output)] == ["北京", "上海"]


def test_xlsx_input_and_output(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    rows = [row(1), row(2, hnte_certificate_valid="否")]
    sheet.append(list(rows[0]))
    for item in rows:
        values: list[Any] = list(item.values())
        values[2] = 2023  # tax_year as a number
        values[6] = 100  # employees as a number
        sheet.append(values)
    workbook.create_sheet("ignored")
    source = tmp_path / "facts.xlsx"
    workbook.save(source)
    output = tmp_path / "out.xlsx"
    assert assess_main([str(source), "-o", str(output), "--year", "2023"], stderr=io.StringIO()) == 0
    result = openpyxl.load_workbook(output).active
    header = [c.value for c in result[1]]
    first = dict(zip(header, [c.value for c in result[2]], strict=True))
    assert first["techsme_score"] == 100
    assert float(first["rd_extra_deduction"]) == 600000.0


def test_parquet_input_and_output_with_typed_columns(tmp_path: Path) -> None:
    frame = pl.DataFrame([row(1), row(2)]).with_columns(
        pl.col("employees").cast(pl.Int64), pl.col("revenue").cast(pl.Float64),
        pl.col("founded_on").str.to_date(), pl.lit(True).alias("hnte_certificate_valid"),
    )
    source = tmp_path / "facts.parquet"
    frame.write_parquet(source)
    output = tmp_path / "out.parquet"
    assert assess_main([str(source), "-o", str(output)], stderr=io.StringIO()) == 0
    result = pl.read_parquet(output)
    assert result["techsme_score"].to_list() == [100, 100]
    assert str(result["eit_payable"][0]) == "660000.00"  # (5,000,000 − 600,000) × 15%, HNTE regime
    assert result["eit_regime"].to_list() == ["hnte", "hnte"]


def test_explain_writes_a_jsonl_sidecar(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "facts.csv", [row(1), row(2)])
    output = tmp_path / "out.csv"
    assert assess_main([str(source), "-o", str(output), "--explain"], stderr=io.StringIO()) == 0
    lines = (tmp_path / "out.csv.explanations.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])["schema"] == "techsme.explanation/v1"


def test_year_fills_empty_tax_year(tmp_path: Path) -> None:
    results = assess_records([row(1, tax_year="")], year=2021)
    assert results[0]["tax_year"] == 2021


def test_records_with_typed_values_and_errors() -> None:
    good = {**row(1), "employees": 100, "tech_staff": 30, "hnte_certificate_valid": False, "revenue": 1e7}
    bad = {**row(2), "employees": -5}
    results = assess_records([good, bad, {**row(3), "nonsense": 1}])
    assert results[0]["techsme_score"] == 100
    assert results[0]["eit_payable"] == "1100000.00"
    assert results[1]["errors"][0]["field"] == "employees"
    assert results[2]["errors"][0]["field"] == "nonsense"
    json.dumps(results)


def test_reform_cli_prints_totals(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "facts.csv", [row(1), row(2, tax_year="2024"),
                                                       row(3, tax_year="2022", tech_sme_registered="是")])
    stdout = io.StringIO()
    code = reform_main(["--set", "rd.rate.general=1.5", "--from", "2024-01-01", "--json", str(source)],
                       stdout=stdout, stderr=io.StringIO())
    assert code == 0
    summary = json.loads(stdout.getvalue())
    assert summary["baseline"]["rd_extra_deduction"] == "1800000.00"
    assert summary["reform"]["rd_extra_deduction"] == "2100000.00"
    assert summary["winners"] == 1 and summary["losers"] == 0
    text = io.StringIO()
    assert reform_main(["--set", "rd.rate.general=1.5", "--from", "2024-01-01", str(source)], stdout=text) == 0
    assert "total extra deduction" in text.getvalue()


def test_reform_cli_rejects_unknown_parameter(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "facts.csv", [row(1)])
    stderr = io.StringIO()
    assert reform_main(["--set", "rd.rate.nope=1", "--from", "2024-01-01", str(source)], stderr=stderr) == 1
    assert "rd.rate.nope" in stderr.getvalue()


def test_chunks_keep_row_numbers_and_draw_a_progress_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from techsme.rules import cli

    monkeypatch.setattr(cli, "CHUNK_ROWS", 2)
    rows = [row(i) for i in range(1, 6)]
    rows[3]["employees"] = "-1"
    source = write_csv(tmp_path / "facts.csv", rows)
    output = tmp_path / "out.csv"
    stderr = io.StringIO()
    assert assess_main([str(source), "-o", str(output)], stderr=stderr) == 2
    assert [r["uscc"] for r in read_csv_rows(output)] == [rows[i]["uscc"] for i in (0, 1, 2, 4)]
    errors = read_csv_rows(tmp_path / "out.csv.errors.csv")
    assert [(e["row"], e["uscc"], e["field"]) for e in errors] == [("4", rows[3]["uscc"], "employees")]
    assert "5/5" in stderr.getvalue()


def test_variables_metadata_lists_inputs_and_formulas() -> None:
    from techsme.rules import variables_metadata

    metadata = {item["name"]: item for item in variables_metadata()}
    assert metadata["employees"]["is_input"] is True
    condition = metadata["techsme_condition_industry"]
    assert [v["since"] for v in condition["versions"]] == ["2017-05-03", "2022-01-01"]
    assert metadata["rd_rate_by_category"]["parameters"]
    json.dumps(list(metadata.values()))


# ---------------------------------------------------------------- one parser, strict decoding, bounded XLSX (issue 11)
def _assess(tmp_path: Path, rows: list[dict[str, Any]], *extra: str) -> tuple[int, list[dict[str, str]], str]:
    source = write_csv(tmp_path / "facts.csv", rows)
    stderr = io.StringIO()
    code = assess_main([str(source), "-o", str(tmp_path / "out.csv"), *extra], stderr=stderr)
    errors_path = tmp_path / "out.csv.errors.csv"
    return code, read_csv_rows(errors_path) if errors_path.exists() else [], stderr.getvalue()


def test_numbers_are_read_as_the_web_reads_them(tmp_path: Path) -> None:
    rows = [row(1, revenue="10,000,000.00", total_assets="２０００００００", employees="１００"),
            row(2, revenue="1,5"), row(3, revenue="1_000"), row(4, revenue="1.5E+07"), row(5, employees="100.5")]
    code, errors, _ = _assess(tmp_path, rows)
    assert code == 2
    by_row = {e["row"]: e for e in errors}
    assert set(by_row) == {"2", "3", "4", "5"}  # row 1 (grouped and full-width numbers) is read
    assert "comma may only separate thousands" in by_row["2"]["message_en"]
    assert "not a number" in by_row["3"]["message_en"]
    assert "scientific notation" in by_row["4"]["message_en"]
    assert by_row["5"]["field"] == "employees"  # a headcount is a whole number, as in the registry
    results = read_csv_rows(tmp_path / "out.csv")
    assert len(results) == 1


def test_uscc_with_a_wrong_check_character_is_refused_with_the_registrys_message(tmp_path: Path) -> None:
    good = make_uscc(9)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    code, errors, _ = _assess(tmp_path, [row(9, uscc=wrong)])
    assert code == 2
    assert errors[0]["field"] == "uscc"
    assert f"it should be {good[-1]}, not {wrong[-1]}" in errors[0]["message_en"]


def test_undecodable_bytes_are_an_error_naming_the_row(tmp_path: Path) -> None:
    rows = [row(1, name="Alpha Technology Ltd", audited_books="yes"), row(2, name="深圳市某某科技有限公司")]
    text_path = write_csv(tmp_path / "utf8.csv", rows)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(text_path.read_text(encoding="utf-8").encode("gb18030"))
    stderr = io.StringIO()
    assert assess_main([str(gbk), "-o", str(tmp_path / "out.csv")], stderr=stderr) == 1
    message = stderr.getvalue()
    assert "Row 3 is not UTF-8 text" in message and "GB18030" in message
    assert not (tmp_path / "out.csv").exists()  # nothing assessed from replaced characters


def test_declared_encoding_decodes_a_gbk_file(tmp_path: Path) -> None:
    rows = [row(1, name="深圳市某某科技有限公司")]
    text_path = write_csv(tmp_path / "utf8.csv", rows)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(text_path.read_text(encoding="utf-8").encode("gb18030"))
    frame = read_facts(gbk, encoding="gb18030")
    assert frame["name"].to_list() == ["深圳市某某科技有限公司"]


def test_xlsx_claiming_the_whole_grid_is_read_without_padding(tmp_path: Path) -> None:
    import time
    import zipfile

    path = tmp_path / "facts.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(row(1)))
    sheet.append(list(row(1).values()))
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = xml.replace('<dimension ref="A1:R2"', '<dimension ref="A1:XFD1048576"').encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    started = time.perf_counter()
    frame = read_facts(path)
    assert time.perf_counter() - started < 5
    assert frame.height == 1 and frame.width == len(row(1))


def test_zip_bomb_given_as_xlsx_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (50 * 1024 * 1024))
    with pytest.raises(InputFileError, match="expands .* times"):
        read_facts(path)
