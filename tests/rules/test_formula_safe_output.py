"""`techsme assess` output files never carry a live spreadsheet formula from a text column."""

import csv

import openpyxl
import pytest

from techsme.rules import assess_main

ROW = {
    "uscc": "914403050001234570", "name": "=HYPERLINK(\"http://evil.example\")", "tax_year": "2024",
    "region_code": "440305", "industry_code": "I6513", "founded_on": "2016-05-01", "employees": "100",
    "tech_staff": "35", "revenue": "50000000", "total_cost_expense": "40000000", "total_assets": "60000000",
    "rd_expense": "3500000", "taxable_income_before_incentives": "5000000", "ip_class1": "1", "ip_class2": "0",
    "x_note": "@SUM(A1:A9)",
}


@pytest.fixture
def facts_file(tmp_path):
    path = tmp_path / "facts.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ROW))
        writer.writeheader()
        writer.writerow(ROW)
    return path


def test_csv_output_quotes_formula_like_text(facts_file, tmp_path):
    out = tmp_path / "out.csv"
    assert assess_main([str(facts_file), "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert rows[0]["x_note"] == "'@SUM(A1:A9)"
    if "name" in rows[0]:
        assert rows[0]["name"].startswith("'=")


def test_xlsx_output_has_no_formula_cells(facts_file, tmp_path):
    out = tmp_path / "out.xlsx"
    assert assess_main([str(facts_file), "-o", str(out)]) == 0
    sheet = openpyxl.load_workbook(out).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'@SUM(A1:A9)" in values
