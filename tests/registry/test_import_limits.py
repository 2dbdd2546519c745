"""Registry import (issue 11): one reading of numbers, strict encodings, capped error reports, per-field audit of
every enterprise and year, large files as a background job with progress — through the verb, the page and the API."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import translation

from techsme.core.audit import verify_chain
from techsme.core.models import AuditEvent, Job
from techsme.registry.importing import start_registry_import
from techsme.registry.models import AnnualFacts, Enterprise

from .helpers import csv_bytes, fact_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def _errors_by_row(report) -> dict[int | None, list]:
    out: dict[int | None, list] = {}
    for error in report.errors:
        out.setdefault(error.row, []).append(error)
    return out


def test_decimal_comma_is_refused_and_grouped_or_full_width_numbers_are_read(run_import):
    rows = [fact_row(1, revenue="30,000,000.00", employees="１００"), fact_row(2, revenue="1,5"),
            fact_row(3, revenue="1_000"), fact_row(4, employees="1,5")]
    with translation.override("en"):
        report = run_import(csv_bytes(rows))
    assert not report.ok
    by_row = _errors_by_row(report)
    assert set(by_row) == {3, 4, 5}  # row 2 (grouped and full-width) is fine
    assert "comma may only separate thousands" in by_row[3][0].message
    assert by_row[5][0].field == "employees"
    report = run_import(csv_bytes([rows[0]]))
    assert report.ok, report.errors
    facts = AnnualFacts.objects.get()
    assert facts.revenue == Decimal("30000000.00") and facts.employees == 100


def test_gbk_file_is_an_error_naming_the_row_or_read_when_declared(run_import, importer):
    rows = [fact_row(1, name="Alpha Technology Ltd", hnte_certificate_valid="no"), fact_row(2)]
    data = csv_bytes(rows, bom=False).decode("utf-8").encode("gb18030")
    with translation.override("en"):
        report = run_import(data)
    assert not report.ok and report.errors[0].row == 3
    assert "Row 3 is not UTF-8 text" in report.errors[0].message and "GB18030" in report.errors[0].message
    assert not Enterprise.objects.exists()
    from techsme.registry.importing import do_import_registry

    report = do_import_registry(actor=importer, file=io.BytesIO(data), filename="gbk.csv", encoding="gb18030")
    assert report.ok, report.errors
    assert Enterprise.objects.get(uscc=rows[1]["uscc"]).name == rows[1]["name"]


def test_error_report_is_capped_with_the_total_count(run_import):
    rows = [fact_row(i, employees="many", revenue="lots") for i in range(1, 301)]
    with override_settings(IMPORT_MAX_ERRORS=50):
        report = run_import(csv_bytes(rows))
    assert not report.ok
    assert len(report.errors) == 50 and report.error_count == 600 and report.more_errors == 550
    assert report.rows == 300
    with translation.override("en"):
        text = report.errors_csv().decode("utf-8-sig")
    assert text.count("\n") == 52 and "550 more errors" in text


def test_update_is_audited_per_field_with_before_and_after(run_import, make_enterprise):
    enterprise = make_enterprise(region_code="440305")
    AnnualFacts.objects.create(enterprise=enterprise, tax_year=2024, employees=5, tech_staff=1, revenue=1)
    AnnualFacts.objects.create(enterprise=enterprise, tax_year=2023, employees=5, tech_staff=1, revenue=1)
    row = fact_row(7, uscc=enterprise.uscc, name="新名称科技有限公司", founded_on=enterprise.founded_on.isoformat(),
                   industry_code=enterprise.industry_code)
    report = run_import(csv_bytes([row]))
    assert report.ok, report.errors
    identity = AuditEvent.objects.get(verb="registry.import_enterprise", object_id=str(enterprise.pk))
    assert identity.changes == {"name": [enterprise.name, "新名称科技有限公司"]}
    facts = AnnualFacts.objects.get(enterprise=enterprise, tax_year=2024)
    year = AuditEvent.objects.get(verb="registry.import_facts", object_id=str(facts.pk))
    assert year.changes["employees"] == [5, 100] and year.changes["revenue"] == ["1.00", "30000000.00"]
    assert "tax_year" not in year.changes and year.region_code == "440305"
    assert not AuditEvent.objects.filter(verb="registry.import_facts").exclude(pk=year.pk).exists()  # 2023 untouched
    assert not AuditEvent.objects.filter(verb="registry.import", changes__has_key="updated_usccs").exists()
    # the same file again changes nothing and so records no per-object event
    before = AuditEvent.objects.filter(verb__in=["registry.import_enterprise", "registry.import_facts"]).count()
    assert run_import(csv_bytes([row])).ok
    after = AuditEvent.objects.filter(verb__in=["registry.import_enterprise", "registry.import_facts"]).count()
    assert after == before
    assert verify_chain().ok


def _start(importer, data: bytes, filename: str = "big.csv", **kwargs):
    upload = SimpleUploadedFile(filename, data)
    return start_registry_import(actor=importer, file=upload, filename=filename, **kwargs)


@override_settings(IMPORT_INLINE_MAX_BYTES=1000)
def test_large_file_runs_as_a_background_job_with_progress(importer, django_capture_on_commit_callbacks):
    rows = [fact_row(100 + i) for i in range(1_200)]
    with django_capture_on_commit_callbacks(execute=True):
        report = _start(importer, csv_bytes(rows))
        assert report.ok is None and report.job is not None
        assert Job.objects.get(pk=report.job.pk).status == Job.Status.QUEUED
        assert not Enterprise.objects.exists()  # nothing happens inside the request
    job = Job.objects.get(pk=report.job.pk)
    assert job.status == Job.Status.DONE and job.progress == 100
    assert job.result["ok"] is True and job.result["facts_saved"] == 1_200
    assert Enterprise.objects.count() == 1_200
    assert AuditEvent.objects.filter(verb="registry.import", object_id=str(job.pk)).exists()
    assert AuditEvent.objects.filter(verb="registry.import_facts").count() == 1_200
    from django.core.files.storage import default_storage

    assert not default_storage.exists(job.params["path"])  # the stored upload is removed


@override_settings(IMPORT_INLINE_MAX_BYTES=1000)
def test_background_import_stays_all_or_nothing(importer, django_capture_on_commit_callbacks):
    rows = [fact_row(100 + i) for i in range(40)]
    rows[-1]["tech_staff"] = 500
    with django_capture_on_commit_callbacks(execute=True):
        report = _start(importer, csv_bytes(rows))
    job = Job.objects.get(pk=report.job.pk)
    assert job.status == Job.Status.DONE and job.result["ok"] is False
    assert job.result["errors"][0]["row"] == 41 and job.result["error_count"] == 1
    assert not Enterprise.objects.exists() and not AnnualFacts.objects.exists()


@override_settings(IMPORT_INLINE_MAX_BYTES=1000)
def test_import_page_shows_the_job_then_its_report(two_regions, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(two_regions["sz"]["admin"])
    rows = [fact_row(300 + i) for i in range(30)]
    upload = SimpleUploadedFile("big.csv", csv_bytes(rows), content_type="text/csv")
    job_before = Job.objects.count()
    response = client.post("/registry/import/", {"file": upload, "encoding": "utf-8"})
    assert response.status_code == 302 and "?job=" in response["Location"]
    job = Job.objects.get(pk=int(response["Location"].rsplit("=", 1)[1]))
    assert Job.objects.count() == job_before + 1
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The file is being imported" in page and f'data-job-url="/jobs/{job.pk}/' in page
    from techsme.core.jobs import run_job

    run_job.call(job.pk)
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Import complete" in page and "Enterprises created: 30" in page
    other = Client()
    other.force_login(two_regions["gz"]["admin"])
    assert other.get(response["Location"]).status_code == 404  # another user's job is not shown


def test_import_page_lists_the_first_errors_and_the_total(two_regions):
    client = Client()
    client.force_login(two_regions["sz"]["admin"])
    rows = [fact_row(400 + i, employees="many") for i in range(12)]
    upload = SimpleUploadedFile("bad.csv", csv_bytes(rows), content_type="text/csv")
    with override_settings(IMPORT_MAX_ERRORS=5):
        response = client.post("/registry/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 422
    assert "The file has 12 errors" in text and "7 more errors" in text
    assert text.count("<td>employees</td>") == 5


@override_settings(IMPORT_INLINE_MAX_BYTES=1000)
def test_api_answers_202_with_the_job_for_a_large_file(two_regions):
    client = Client()
    client.force_login(two_regions["sz"]["admin"])
    rows = [fact_row(500 + i) for i in range(30)]
    upload = SimpleUploadedFile("big.xlsx", xlsx_bytes(rows))
    response = client.post("/api/v1/imports", {"file": upload})
    assert response.status_code == 202, response.content
    body = response.json()
    assert Job.objects.filter(pk=body["job"], kind="registry.import").exists()
    assert body["status_url"] == f"/jobs/{body['job']}/"


def test_api_refuses_a_declared_full_grid_workbook_at_once(two_regions):
    import re
    import time
    import zipfile

    data = xlsx_bytes([fact_row(1)])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[A-Z0-9:]+"', b'<dimension ref="A1:XFD1048576"', content)
            target.writestr(name, content)
    client = Client()
    client.force_login(two_regions["sz"]["admin"])
    started = time.perf_counter()
    response = client.post("/api/v1/imports", {"file": SimpleUploadedFile("grid.xlsx", out.getvalue())},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert time.perf_counter() - started < 5
    assert response.status_code == 422
    assert "declares 1048576 rows" in response.json()["errors"][0]["message"]


def test_a_file_over_the_row_limit_says_so_first(run_import):
    rows = [fact_row(600 + i, employees="many") for i in range(30)]
    with override_settings(IMPORT_MAX_ROWS=20), translation.override("en"):
        report = run_import(csv_bytes(rows))
    assert not report.ok
    assert report.errors[0].field == "file" and report.errors[0].row == 22
    assert "more than 20 data rows" in report.errors[0].message
    assert report.error_count == 21  # the limit and the 20 rows read before it
