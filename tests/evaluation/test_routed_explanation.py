"""Offline filings routed by the background job keep their explanation (compact: what the filing page shows), computed
in the same vectorised call of the rules engine as their scores, so the page does not assess them on open."""

import json

import pytest
from django.urls import reverse

from techsme.core.models import Job
from techsme.evaluation.importing import do_import_offline_filings
from techsme.evaluation.models import Filing, FilingState
from techsme.evaluation.scoring import SHOWN_RESULTS, assess_filing, compact_explanation
from techsme.evaluation.services import do_route_imported_filings

from .test_bulk_import import offline_rows, upload

pytestmark = pytest.mark.django_db


def test_the_job_stores_the_explanation(two_regions, make_user, django_capture_on_commit_callbacks) -> None:
    manager = make_user("programme_manager", two_regions["sz"]["agency"])
    with django_capture_on_commit_callbacks(execute=True):
        report = do_import_offline_filings(actor=manager, file=upload(offline_rows(4)), filename="offline.csv")
    assert report.ok, report.errors
    assert Job.objects.get(pk=report.job.pk).status == Job.Status.DONE
    for filing in Filing.objects.filter(import_job=report.job):
        assert filing.state == FilingState.SUBMITTED
        explanation = filing.explanation
        assert explanation["schema"] == "techsme.explanation/v1"
        assert set(explanation["results"]) == set(SHOWN_RESULTS)
        # the same explanation as the one-by-one assessment of the frozen facts, reduced to what is shown
        expected = json.loads(json.dumps(compact_explanation(assess_filing(filing)["explanation"]), default=str))
        assert json.loads(json.dumps(explanation, default=str)) == expected
        assert len(json.dumps(explanation, default=str)) < 20_000  # not the full engine trace (~100 kB)


def test_chunks_each_store_explanations(two_regions, make_user) -> None:
    manager = make_user("programme_manager", two_regions["sz"]["agency"])
    report = do_import_offline_filings(actor=manager, file=upload(offline_rows(5, start=70000)), filename="a.csv")
    assert report.ok  # the job starts after the commit, which this test does not reach: route them here
    ids = list(Filing.objects.filter(import_job=report.job).values_list("pk", flat=True))
    result = do_route_imported_filings(actor=manager, filing_ids=ids, chunk=2)
    assert result == {"routed": 5, "skipped": 0}
    assert all(f.explanation and f.explanation["results"] for f in Filing.objects.filter(pk__in=ids))


def test_filing_page_shows_the_stored_explanation(client, two_regions, make_user) -> None:
    manager = make_user("programme_manager", two_regions["sz"]["agency"])
    report = do_import_offline_filings(actor=manager, file=upload(offline_rows(1, start=80000)), filename="b.csv")
    filing = Filing.objects.get(import_job=report.job)
    do_route_imported_filings(actor=manager, filing_ids=[filing.pk])
    filing.refresh_from_db()
    # a marker in the stored explanation proves the page renders it rather than assessing the facts again
    explanation = filing.explanation
    explanation["results"]["techsme_staff_score"]["label"] = {"en": "STORED-MARKER", "zh": "STORED-MARKER"}
    Filing.objects.filter(pk=filing.pk).update(explanation=explanation)
    client.force_login(two_regions["sz"]["reviewer"])
    page = client.get(reverse("evaluation:detail", args=[filing.pk]))
    assert page.status_code == 200 and "STORED-MARKER" in page.content.decode()
