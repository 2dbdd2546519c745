"""Long work with progress: a ``Job`` row that a background task runs and updates.

A domain registers a handler for a kind of job (in its ``<app>/jobs.py``, discovered automatically)::

    @register_job("registry.import")
    def run_import(job: Job, report_progress: ProgressFn) -> dict:
        ...
        report_progress(50, _("Half the rows are checked."))
        return {"rows": 1200}

and a service starts one with ``start_job(actor=user, kind="registry.import", params={...})``. The task is enqueued
when the transaction commits; the worker (``techsme serve`` starts it) runs the handler, which reports progress
(0–100 with a message); the job ends ``done`` with the handler's return value as ``result``, or ``failed`` with the
error message. Errors are recorded on the job, never lost.
"""

import json
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django_tasks import task

from techsme.core import audit
from techsme.core.models import Job

logger = logging.getLogger(__name__)

ProgressFn = Callable[..., None]
Handler = Callable[[Job, ProgressFn], Any]

_HANDLERS: dict[str, Handler] = {}
_discovered = False


def register_job(kind: str) -> Callable[[Handler], Handler]:
    """Decorator: ``func(job, report_progress)`` runs the jobs of ``kind``; its return value becomes the result."""

    def decorator(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        return func

    return decorator


def handler_for(kind: str) -> Handler | None:
    global _discovered
    if kind not in _HANDLERS and not _discovered:
        autodiscover_modules("jobs")  # imports every installed app's jobs.py, which registers its handlers
        _discovered = True
    return _HANDLERS.get(kind)


def start_job(*, actor: Any, kind: str, params: dict[str, Any] | None = None) -> Job:
    """Create a queued job owned by ``actor`` and enqueue its task once the current transaction commits."""
    with transaction.atomic():
        job = Job.objects.create(kind=kind, owner=actor, params=params or {})
        audit.record(actor=actor, verb="core.start_job", obj=job, changes={"kind": [None, kind]})
        job_id = job.pk
        transaction.on_commit(lambda: run_job.enqueue(job_id))
    return job


def _progress_reporter(job: Job) -> ProgressFn:
    def report_progress(percent: float, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        job.progress, job.message = percent, str(message)[:300]
        Job.objects.filter(pk=job.pk).update(progress=percent, message=job.message)

    return report_progress


@task()
def run_job(job_id: int) -> str:
    """The background task: run the handler of one job and record how it ended."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    if job.status != Job.Status.QUEUED:
        return job.status  # already run (a retried task must not run the work twice)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, progress=0)
    job.status = Job.Status.RUNNING
    handler = handler_for(job.kind)
    try:
        if handler is None:
            raise LookupError(_("No handler is registered for jobs of kind %(kind)s.") % {"kind": job.kind})
        result = handler(job, _progress_reporter(job))
        payload = audit._plain(result if isinstance(result, dict) else {"value": result})
        json.dumps(payload)  # a result the database cannot store fails the job here, not silently later
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        message = str(exc) or exc.__class__.__name__
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, message=message[:300], finished_at=timezone.now(),
            result={"error": message, "type": exc.__class__.__name__},
        )
        return Job.Status.FAILED
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE, progress=100, finished_at=timezone.now(), result=payload
    )
    return Job.Status.DONE


@register_job("core.selftest")
def _selftest(job: Job, report_progress: ProgressFn) -> dict[str, Any]:
    """A job that only reports progress: proves that a worker is running (``params={"steps": n}``)."""
    steps = max(1, min(int(job.params.get("steps", 4)), 100))
    for step in range(1, steps + 1):
        report_progress(100 * step // steps, _("Step %(step)d of %(steps)d") % {"step": step, "steps": steps})
    return {"steps": steps}
