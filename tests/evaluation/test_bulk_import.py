"""Filings received offline: a spreadsheet imported all or nothing, assessed by a job and routed into the queue."""

import io

import pytest

from techsme.core.exports import write_csv
from techsme.core.identifiers import make_uscc
from techsme.core.models import Job
from techsme.evaluation.importing import do_import_offline_filings
from techsme.evaluation.models import Filing, FilingDecision, FilingState

pytestmark = pytest.mark.django_db

COLUMNS = ["uscc", "name", "tax_year", "region_code", "industry_code", "founded_on", "employees", "tech_staff",
           "revenue", "total_cost_expense", "total_assets", "rd_expense", "ip_class1", "ip_class2"]


def offline_rows(n: int, region: str = "440305", start: int = 50000, tax_year: int = 2025) -> list[dict]:
    return [{
        "uscc": make_uscc(region, start + i), "name": f"线下申报科技有限公司{i}", "tax_year": tax_year,
        "region_code": region, "industry_code": "I6513", "founded_on": "2015-04-01", "employees": 40 + i % 7,
        "tech_staff": 12, "revenue": "18000000.00", "total_cost_expense": "15000000.00", "total_assets": "9000000",
        "rd_expense": "1200000.00", "ip_class1": 1, "ip_class2": 0,
    } for i in range(n)]


def upload(rows: list[dict]) -> io.BytesIO:
    return io.BytesIO(write_csv(rows, COLUMNS))


def test_import_records_filings_and_the_job_routes_them_into_the_queue(
        two_regions, make_user, django_capture_on_commit_callbacks) -> None:
    manager = make_user("programme_manager", two_regions["sz"]["agency"])
    with django_capture_on_commit_callbacks(execute=True):
        report = do_import_offline_filings(actor=manager, file=upload(offline_rows(5)), filename="offline.csv")
    assert report.ok, report.errors
    assert report.filings == 5
    job = Job.objects.get(pk=report.job.pk)
    assert job.status == Job.Status.DONE and job.progress == 100, job.message
    assert job.result["routed"] == 5
    filings = Filing.objects.filter(import_job=job)
    assert {f.state for f in filings} == {FilingState.SUBMITTED}
    assert all(f.year == 2026 and f.facts_year == 2025 and f.score is not None for f in filings)
    assert FilingDecision.objects.filter(filing__in=filings, transition="route_imported").count() == 5
    # they are in the Shenzhen reviewer's queue, not in Guangzhou's
    from techsme.evaluation.selectors import review_queue

    assert review_queue(two_regions["sz"]["reviewer"]).filter(import_job=job).count() == 5
    assert not review_queue(two_regions["gz"]["reviewer"]).filter(import_job=job).exists()


def test_one_bad_row_imports_nothing(two_regions, make_user) -> None:
    manager = make_user("programme_manager", two_regions["sz"]["agency"])
    rows = offline_rows(3)
    rows[1]["tech_staff"] = 500  # more technology staff than employees
    report = do_import_offline_filings(actor=manager, file=upload(rows), filename="offline.csv")
    assert not report.ok
    assert any(e.row == 3 and e.field == "tech_staff" for e in report.errors)
    assert not Filing.objects.exists() and not Job.objects.filter(kind="evaluation.import_offline").exists()


def test_existing_filing_for_the_year_refuses_the_whole_file(flow, make_user) -> None:
    filing = flow.draft("sz")
    manager = make_user("programme_manager", flow["sz"]["agency"])
    enterprise = filing.enterprise
    rows = offline_rows(2)
    rows.append(offline_rows(1)[0] | {"uscc": enterprise.uscc, "name": enterprise.name,
                                       "region_code": enterprise.region_code, "founded_on": "2015-03-01"})
    report = do_import_offline_filings(actor=manager, file=upload(rows), filename="offline.csv")
    assert not report.ok
    assert [e.row for e in report.errors] == [4]
    assert Filing.objects.count() == 1
    from techsme.registry.models import Enterprise

    assert not Enterprise.objects.filter(uscc=rows[0]["uscc"]).exists()  # the registry part rolled back too


def test_reviewer_of_another_region_cannot_import_there(two_regions, make_user) -> None:
    manager = make_user("programme_manager", two_regions["gz"]["agency"])
    report = do_import_offline_filings(actor=manager, file=upload(offline_rows(2)), filename="offline.csv")
    assert not report.ok and not Filing.objects.exists()
    reviewer = two_regions["sz"]["reviewer"]
    report = do_import_offline_filings(actor=reviewer, file=upload(offline_rows(2)), filename="offline.csv")
    assert not report.ok and report.errors[0].field == "file" and not Filing.objects.exists()
