"""Bulk import: CSV and XLSX, all-or-nothing, row/column errors, refused files, scope."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings

from techsme.core.audit import verify_chain
from techsme.core.identifiers import make_uscc
from techsme.core.models import AuditEvent
from techsme.registry.models import AnnualFacts, Enterprise

from .helpers import csv_bytes, fact_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def _errors(report) -> set[tuple[int | None, str]]:
    return {(e.row, e.field) for e in report.errors}


def test_good_csv_creates_enterprises_facts_and_an_audit_event_per_enterprise_and_year(run_import):
    rows = [fact_row(1, year=2023), fact_row(1, year=2024, revenue="33000000.50"), fact_row(2, region="440306")]
    report = run_import(csv_bytes(rows))
    assert report.ok, report.errors
    assert (report.rows, report.enterprises_created, report.enterprises_updated, report.facts_saved) == (3, 2, 0, 3)
    enterprise = Enterprise.objects.get(uscc=rows[0]["uscc"])
    assert enterprise.founded_on == date(2015, 3, 1) and enterprise.industry_code == "I6513"
    facts = enterprise.facts.get(tax_year=2024)
    assert facts.revenue == Decimal("33000000.50")
    assert facts.hnte_certificate_valid is False and facts.audited_books is True and facts.resident is True
    assert facts.avg_headcount is None  # column absent → unknown
    event = AuditEvent.objects.get(verb="registry.import")
    assert event.changes["facts_saved"] == 3 and event.changes["created"] == 2 and event.changes["events"] == 5
    assert event.region_code == "440300"
    created = AuditEvent.objects.filter(verb="registry.import_enterprise")
    assert {e.object_id for e in created} == {str(enterprise.pk), str(Enterprise.objects.get(uscc=rows[2]["uscc"]).pk)}
    first = created.get(object_id=str(enterprise.pk))
    assert first.changes["uscc"] == [None, rows[0]["uscc"]] and first.changes["region_code"] == [None, "440305"]
    years = AuditEvent.objects.filter(verb="registry.import_facts")
    assert years.count() == 3
    year_event = years.get(object_id=str(facts.pk))
    assert year_event.changes["revenue"] == [None, "33000000.50"] and year_event.region_code == "440305"
    assert verify_chain().ok


def test_csv_without_bom_and_with_custom_x_columns(run_import):
    rows = [fact_row(3, x_note="ignored", x_branch="南山")]
    report = run_import(csv_bytes(rows, bom=False))
    assert report.ok, report.errors
    assert AnnualFacts.objects.count() == 1


def test_good_xlsx_with_typed_cells(run_import):
    rows = [
        fact_row(4, founded_on=date(2016, 7, 1), revenue=12345678.9, employees=50, tech_staff=20,
                 hnte_certificate_valid=True, rd_expense=600000, total_cost_expense=10000000.0,
                 rd_core_expense=500000, rd_other_expense=50000.5),
        fact_row(5, region="440307", tax_year=2025),
    ]
    report = run_import(xlsx_bytes(rows), "台账.xlsx")
    assert report.ok, report.errors
    facts = AnnualFacts.objects.get(enterprise__uscc=rows[0]["uscc"])
    assert facts.revenue == Decimal("12345678.90") and facts.employees == 50 and facts.hnte_certificate_valid
    assert Enterprise.objects.get(uscc=rows[0]["uscc"]).founded_on == date(2016, 7, 1)


def test_existing_enterprise_is_updated_and_its_year_replaced(run_import, make_enterprise, importer):
    enterprise = make_enterprise(region_code="440305")
    AnnualFacts.objects.create(enterprise=enterprise, tax_year=2024, employees=5, tech_staff=1, revenue=1)
    row = fact_row(6, uscc=enterprise.uscc, name="新名称科技有限公司", founded_on="2015-03-01")
    report = run_import(csv_bytes([row]))
    assert report.ok, report.errors
    assert (report.enterprises_created, report.enterprises_updated, report.facts_saved) == (0, 1, 1)
    enterprise.refresh_from_db()
    assert enterprise.name == "新名称科技有限公司"
    facts = enterprise.facts.get(tax_year=2024)
    assert facts.employees == 100 and facts.revenue == Decimal("30000000.00")
    assert enterprise.facts.count() == 1


def test_one_bad_row_among_good_ones_imports_nothing(run_import):
    rows = [fact_row(i) for i in range(10, 15)]
    rows[2]["tech_staff"] = 500  # more than employees
    rows[3]["revenue"] = "三千万"
    report = run_import(csv_bytes(rows))
    assert not report.ok
    assert Enterprise.objects.count() == 0 and AnnualFacts.objects.count() == 0
    assert not AuditEvent.objects.filter(verb="registry.import").exists()
    assert _errors(report) == {(4, "tech_staff"), (5, "revenue")}  # header is row 1: data rows 2..6
    message = next(e.message for e in report.errors if e.field == "revenue")
    assert "三千万" in message
    assert report.rows == 5


def test_errors_csv_download(run_import):
    rows = [fact_row(20, revenue="=1+2")]
    report = run_import(csv_bytes(rows))
    data = report.errors_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == ["row", "column", "message"]
    assert lines[1][:2] == ["2", "revenue"]


def test_unknown_and_missing_columns_are_refused(run_import):
    row = fact_row(21)
    row["revenu"] = row.pop("revenue")
    del row["founded_on"]
    report = run_import(csv_bytes([row]))
    assert not report.ok
    assert _errors(report) == {(1, "revenu"), (1, "founded_on")}
    assert Enterprise.objects.count() == 0


def test_wrong_types_and_codes_each_reported(run_import):
    row = fact_row(22, tax_year="2024.5", founded_on="01/03/2015", employees="many", audited_books="perhaps",
                   region_code="449999", industry_code="X1234")
    row["uscc"] = row["uscc"][:-1] + ("0" if row["uscc"][-1] != "0" else "1")
    report = run_import(csv_bytes([row]))
    assert not report.ok
    assert _errors(report) >= {(2, "tax_year"), (2, "founded_on"), (2, "employees"), (2, "audited_books"),
                               (2, "region_code"), (2, "industry_code"), (2, "uscc")}


def test_duplicate_uscc_and_year_in_the_file(run_import):
    report = run_import(csv_bytes([fact_row(23), fact_row(24), fact_row(23)]))
    assert not report.ok
    assert _errors(report) == {(4, "tax_year")}
    assert "2" in report.errors[0].message


def test_identity_must_agree_between_rows_of_one_enterprise(run_import):
    report = run_import(csv_bytes([fact_row(25, year=2023), fact_row(25, year=2024, name="另一个名字有限公司")]))
    assert _errors(report) == {(3, "name")}


@override_settings(IMPORT_MAX_BYTES=200)
def test_file_over_the_size_limit_is_refused(run_import):
    report = run_import(csv_bytes([fact_row(i) for i in range(30, 40)]))
    assert not report.ok and report.errors[0].field == "file"
    assert "MB" in report.errors[0].message
    assert Enterprise.objects.count() == 0


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (PNG, "enterprises.csv"),  # a picture renamed .csv
        (b"%PDF-1.7\n1 0 obj<<>>endobj\n", "enterprises.pdf"),
        (b"uscc,name\n\xff\xfe\xfa,bad\n", "latin.csv"),  # not UTF-8
        (b"uscc,name,tax_year\n", "enterprises.xlsx"),  # CSV text named .xlsx
        (b"PK\x03\x04 not really a zip", "enterprises.xlsx"),
        (b"", "empty.csv"),
        (b"   \n\n", "blank.csv"),
        (b"some text", "noextension"),
        (b"%PDF-1.4\n%text only\n", "renamed.csv"),  # a PDF that happens to be valid UTF-8
        (b"PK\x03\x04\x14\x00\x06\x00", "workbook.csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.csv"),  # Excel 97 .xls
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(run_import, data, filename):
    report = run_import(data, filename)
    assert not report.ok
    assert report.errors and report.errors[0].field == "file" and report.errors[0].message
    assert Enterprise.objects.count() == 0


def test_zip_that_is_not_a_workbook_is_refused(run_import):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<xml/>")
    report = run_import(buffer.getvalue(), "disguised.xlsx")
    assert not report.ok and "XLSX" in report.errors[0].message


def test_header_only_file_is_refused(run_import):
    report = run_import(b"uscc,name,tax_year,region_code,industry_code,founded_on\n")
    assert not report.ok and report.errors[0].field == "file"


def test_rows_outside_the_actors_region_are_refused(run_import, make_enterprise):
    guangzhou = make_enterprise(region_code="440106")
    rows = [fact_row(40), fact_row(41, region="440106"), fact_row(42, uscc=guangzhou.uscc, region="440305",
                                                                 name=guangzhou.name)]
    report = run_import(csv_bytes(rows))
    assert not report.ok
    assert _errors(report) == {(3, "region_code"), (4, "uscc")}
    assert Enterprise.objects.count() == 1  # only the Guangzhou one made by the fixture
    guangzhou.refresh_from_db()
    assert guangzhou.region_code == "440106"


def test_actor_without_the_import_right_is_refused(run_import, make_org, make_user):
    agency = make_org("agency", "440300", "city")
    reviewer = make_user("agency_reviewer", agency)
    report = run_import(csv_bytes([fact_row(43)]), actor=reviewer)
    assert not report.ok and report.errors[0].field == "file"
    assert Enterprise.objects.count() == 0


def test_row_with_only_identity_registers_the_enterprise(run_import):
    row = {k: v for k, v in fact_row(44).items() if k in ("uscc", "name", "region_code", "industry_code",
                                                          "founded_on")}
    row["tax_year"] = ""
    row["revenue"] = ""
    report = run_import(csv_bytes([row]))
    assert report.ok, report.errors
    assert Enterprise.objects.count() == 1 and AnnualFacts.objects.count() == 0


def test_facts_without_a_tax_year_are_refused(run_import):
    report = run_import(csv_bytes([fact_row(45, tax_year="")]))
    assert _errors(report) == {(2, "tax_year")}


def test_two_thousand_rows_import_in_one_go(run_import):
    """Speed is measured in bench/bench_upload_limits.py; here only that a larger file imports whole."""
    rows = [fact_row(1000 + i, region=("440305", "440306", "440307")[i % 3], year=2022 + i % 4)
            for i in range(2_000)]
    report = run_import(csv_bytes(rows))
    assert report.ok, report.errors[:5]
    assert report.facts_saved == 2_000 and AnnualFacts.objects.count() == 2_000


def test_uscc_is_normalised(run_import):
    uscc = make_uscc("440305", 77_777)
    report = run_import(csv_bytes([fact_row(46, uscc=f" {uscc.lower()} ")]))
    assert report.ok, report.errors
    assert Enterprise.objects.filter(uscc=uscc).exists()


def test_enterprise_registered_between_check_and_write_aborts_the_import(importer):
    from techsme.registry import importing

    raw = {k: importing.cell(str(v)) for k, v in fact_row(60).items()}
    row, errors = importing._Checker(importer, list(raw)).check(2, raw)
    assert row is not None and not errors
    Enterprise.objects.create(uscc=row.enterprise["uscc"], name="抢先登记有限公司", region_code="440305",
                              industry_code="I6513", founded_on=date(2015, 1, 1))
    with pytest.raises(importing._Changed):
        importing._Writer(importer, "late.csv", None, None).write([row], {})
    assert AnnualFacts.objects.count() == 0
