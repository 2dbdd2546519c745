"""Helpers for the registry tests: facts.md rows and the files that carry them."""

import csv
import io
from typing import Any

from techsme.core.identifiers import make_uscc

BASE_FACTS: dict[str, Any] = {
    "employees": 100,
    "tech_staff": 30,
    "revenue": "30000000.00",
    "total_cost_expense": "25000000.00",
    "total_assets": "20000000.00",
    "rd_expense": "2000000.00",
    "taxable_income_before_incentives": "5000000.00",
    "rd_core_expense": "1800000.00",
    "rd_other_expense": "100000.00",
    "ip_class1": 1,
    "ip_class2": 2,
    "hnte_certificate_valid": "否",
    "serious_dishonesty": "false",
    "audited_books": "true",
}


def fact_row(serial: int, *, region: str = "440305", year: int = 2024, **overrides: Any) -> dict[str, Any]:
    row = {
        "uscc": make_uscc(region, 50_000 + serial),
        "name": f"深圳导入测试科技有限公司{serial}",
        "tax_year": year,
        "region_code": region,
        "industry_code": "I6513",
        "founded_on": "2015-03-01",
        **BASE_FACTS,
    }
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict[str, Any]], *, bom: bool = True, columns: list[str] | None = None) -> bytes:
    columns = columns or list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def xlsx_bytes(rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    columns = list(rows[0])
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
