"""Export: formula injection neutralised, CSV and XLSX in facts.md columns, scope and rights, round trip."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from techsme.core.exports import safe_cell, spreadsheet_response, unescape_cell, write_csv, write_xlsx
from techsme.registry.exporting import EXPORT_COLUMNS, export_response
from techsme.registry.models import AnnualFacts, Enterprise, IPAsset, IPKind
from techsme.registry.selectors import facts_record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_formula_like_text_gets_a_quote(value):
    assert safe_cell(value) == "'" + value
    assert unescape_cell(safe_cell(value)) == value


def test_text_that_looks_escaped_is_escaped_again():
    assert safe_cell("'=x") == "''=x" and unescape_cell("''=x") == "'=x"


@pytest.mark.parametrize("value", [-5, Decimal("-1.50"), 3.5, None, True, "普通文本", "a=b", "'quoted", "'"])
def test_numbers_and_plain_text_are_untouched(value):
    assert safe_cell(value) == value


def test_write_csv_has_bom_and_escapes_cells():
    data = write_csv([{"a": "=cmd|' /C calc'!A0", "b": Decimal("1.50"), "c": None, "d": True}], ["a", "b", "c", "d"])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["a", "b", "c", "d"], ["'=cmd|' /C calc'!A0", "1.50", "", "true"]]


def test_write_xlsx_numbers_dates_and_escaping():
    from openpyxl import load_workbook

    data = write_xlsx([{"t": "@evil", "m": Decimal("1234.50"), "d": date(2020, 1, 2), "n": 7}],
                      [("t", "text"), "m", "d", "n"], sheet_title="企业/名录")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.title == "企业名录"
    assert [c.value for c in sheet[1]] == ["text", "m", "d", "n"]
    text, money, day, number = sheet[2]
    assert text.value == "'@evil"
    assert money.value == pytest.approx(1234.5) and money.number_format == "#,##0.00"
    assert day.value.date() == date(2020, 1, 2)
    assert number.value == 7


def test_spreadsheet_response_headers():
    response = spreadsheet_response(b"x", "企业名录", "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95.csv" in response["Content-Disposition"]


def _with_facts(enterprise: Enterprise, **values) -> Enterprise:
    defaults = {"employees": 80, "tech_staff": 20, "revenue": Decimal("1000000.25"), "total_cost_expense":
                Decimal("900000.00"), "rd_expense": Decimal("80000.00"), "ip_class1": 0, "ip_class2": 3}
    AnnualFacts.objects.create(enterprise=enterprise, tax_year=2023, employees=10, tech_staff=1)
    AnnualFacts.objects.create(enterprise=enterprise, tax_year=2024, **{**defaults, **values})
    return enterprise


def _csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_export_is_scoped_and_uses_the_latest_year(two_regions):
    _with_facts(two_regions["sz"]["enterprise"])
    _with_facts(two_regions["gz"]["enterprise"])
    response = export_response(two_regions["sz"]["reviewer"], "csv", Enterprise.objects.all())
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert [r["uscc"] for r in rows] == [two_regions["sz"]["enterprise"].uscc]
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert rows[0]["tax_year"] == "2024" and rows[0]["revenue"] == "1000000.25" and rows[0]["audited_books"] == "true"


def test_export_refused_without_the_right(two_regions):
    with pytest.raises(PermissionDenied):
        export_response(two_regions["sz"]["ent_admin"], "csv", Enterprise.objects.all())


def test_formula_injection_in_exported_cells_is_escaped(two_regions):
    enterprise = two_regions["sz"]["enterprise"]
    enterprise.name = "=HYPERLINK(\"http://evil\",\"点我\")"
    enterprise.save()
    _with_facts(enterprise)
    rows = _csv_rows(export_response(two_regions["sz"]["admin"], "csv", Enterprise.objects.all()))
    assert rows[0]["name"] == "'" + enterprise.name

    from openpyxl import load_workbook

    response = export_response(two_regions["sz"]["admin"], "xlsx", Enterprise.objects.all())
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("name") + 1).value == "'" + enterprise.name


def _records() -> dict[str, dict]:
    out = {}
    for enterprise in Enterprise.objects.all():
        latest = enterprise.facts.order_by("-tax_year").first()
        out[enterprise.uscc] = facts_record(enterprise, latest) if latest else {"name": enterprise.name}
    return out


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_export_then_import(two_regions, make_enterprise, fmt):
    from techsme.registry.importing import do_import_registry

    sz = two_regions["sz"]
    _with_facts(sz["enterprise"], avg_headcount=Decimal("77.50"), excluded_industry_revenue_share=Decimal("0.125"),
                hnte_certificate_valid=True, tech_sme_registered=None, ic_or_machine_tool=False,
                taxable_income_before_incentives=Decimal("-12345.67"))
    IPAsset.objects.create(enterprise=sz["enterprise"], kind=IPKind.INVENTION_PATENT, number="ZL1", title="t",
                           granted_on=date(2020, 1, 1))
    tricky = make_enterprise(name="-减号开头科技有限公司", region_code="440306")
    _with_facts(tricky)
    make_enterprise(name="没有数据的企业", region_code="440307")  # no facts: identity only
    before = _records()
    response = export_response(sz["admin"], fmt, Enterprise.objects.all())
    AnnualFacts.objects.filter(tax_year=2024).delete()
    Enterprise.objects.filter(pk=tricky.pk).delete()
    Enterprise.objects.filter(pk=sz["enterprise"].pk).update(name="改过的名字")

    report = do_import_registry(actor=sz["admin"], file=io.BytesIO(response.content), filename=f"export.{fmt}")
    assert report.ok, report.errors
    assert report.enterprises_created == 1 and report.facts_saved == 2
    after = _records()
    for uscc, record in before.items():
        if uscc.startswith("9144010"):  # Guangzhou: not exported by a Shenzhen admin
            continue
        assert after[uscc] == record, uscc


def test_unknown_export_format_is_400(two_regions):
    response = export_response(two_regions["sz"]["reviewer"], "pdf", Enterprise.objects.all())
    assert response.status_code == 400


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_any_text_survives_csv_and_is_never_a_formula(text):
    data = write_csv([{"v": text}], ["v"])
    cell = next(iter(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))))["v"]
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unescape_cell(cell) == text
