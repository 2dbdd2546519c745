"""Background jobs: a registered handler runs, reports progress and its result; a failure is recorded on the job."""

import pytest
from django.conf import settings

from techsme.core.jobs import register_job, start_job
from techsme.core.models import AuditEvent, Job

seen_progress: list[tuple[int, str]] = []


@register_job("tests.count")
def _count(job, report_progress):
    for i in range(1, 5):
        report_progress(i * 25, f"step {i}")
        seen_progress.append(tuple(Job.objects.filter(pk=job.pk).values_list("progress", "message").get()))
    return {"total": sum(range(job.params["n"]))}


@register_job("tests.fail")
def _fail(job, report_progress):
    report_progress(30, "almost")
    raise ValueError("The file has no header row.")


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user("worker-owner", password="x-pass-2026")


def test_tests_use_the_immediate_backend():
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")


def test_job_runs_and_records_progress(owner, django_capture_on_commit_callbacks):
    seen_progress.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = start_job(actor=owner, kind="tests.count", params={"n": 10})
        assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED  # nothing runs before commit
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.progress == 100
    assert job.result == {"total": 45}
    assert job.finished_at is not None
    assert job.message == "step 4"
    assert seen_progress == [(25, "step 1"), (50, "step 2"), (75, "step 3"), (100, "step 4")]
    assert AuditEvent.objects.filter(verb="core.start_job", object_id=str(job.pk)).exists()


def test_failing_handler_marks_the_job_failed(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(actor=owner, kind="tests.fail")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "The file has no header row."
    assert job.result["type"] == "ValueError"
    assert job.progress == 30
    assert job.finished_at is not None


def test_unknown_kind_fails_with_a_message(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(actor=owner, kind="tests.no_such_kind")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "tests.no_such_kind" in job.message


def test_a_finished_job_is_not_run_twice(owner, django_capture_on_commit_callbacks):
    from techsme.core.jobs import run_job

    seen_progress.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(actor=owner, kind="tests.count", params={"n": 3})
    run_job.enqueue(job.pk)
    assert len(seen_progress) == 4


def test_selftest_job(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(actor=owner, kind="core.selftest", params={"steps": 3})
    job.refresh_from_db()
    assert (job.status, job.progress, job.result) == (Job.Status.DONE, 100, {"steps": 3})


@register_job("tests.decimal_result")
def _decimal(job, report_progress):
    from decimal import Decimal

    return {"total": Decimal("12.30")}


@register_job("tests.bad_result")
def _bad(job, report_progress):
    return {"thing": object()}


def test_results_are_stored_as_json(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        good = start_job(actor=owner, kind="tests.decimal_result")
        bad = start_job(actor=owner, kind="tests.bad_result")
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.status, good.result) == (Job.Status.DONE, {"total": "12.30"})
    assert bad.status == Job.Status.FAILED and bad.result["type"] == "TypeError"
