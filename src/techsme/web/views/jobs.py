"""Progress of a background job (owner only), as JSON for polling or as a page with a progress bar."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from techsme.core.models import Job


def job_state(job: Job) -> dict:
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": job.progress,
        "message": job.message,
        "finished": job.status in (Job.Status.DONE, Job.Status.FAILED),
        "result": job.result if job.status == Job.Status.DONE else None,
    }


@login_required
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    job = Job.objects.filter(pk=job_id, owner=request.user).first()
    if job is None:
        raise Http404
    wants_json = request.GET.get("format") == "json" or "application/json" in request.headers.get("Accept", "")
    if wants_json:
        return JsonResponse(job_state(job))
    return render(request, "web/job.html", {"job": job, "state": job_state(job)})
