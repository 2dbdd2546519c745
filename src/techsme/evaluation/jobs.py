"""Background jobs of the evaluation app (discovered by ``core.jobs``)."""

from typing import Any

from techsme.core.jobs import ProgressFn, register_job
from techsme.core.models import Job
from techsme.core.permissions import scope
from techsme.evaluation.importing import JOB_KIND
from techsme.evaluation.models import Filing, FilingState


@register_job(JOB_KIND)
def route_offline_filings(job: Job, report_progress: ProgressFn) -> dict[str, Any]:
    """Assess the filings received offline and route them into the review queue (``imported → submitted``)."""
    from techsme.evaluation.services import do_route_imported_filings

    waiting = Filing.objects.filter(state=FilingState.IMPORTED)
    if job.params.get("resume"):
        waiting = scope(job.owner, "evaluation.import", waiting)
    else:
        waiting = waiting.filter(import_job=job)
    ids = list(waiting.order_by("pk").values_list("pk", flat=True))
    return do_route_imported_filings(actor=job.owner, filing_ids=ids, job=job, report_progress=report_progress)
