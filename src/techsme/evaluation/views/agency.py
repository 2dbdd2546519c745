"""Agency side: the review queue with batch decisions, publicity batches and objections, offline imports."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from techsme.accounts.models import Organisation
from techsme.core.errors import Conflict, InvalidInput, PermissionDenied
from techsme.core.models import Job
from techsme.core.permissions import ACTIONS, agency_prefixes, can, grants, scope
from techsme.evaluation import criteria, selectors, services
from techsme.evaluation.models import (
    BatchState,
    ChangeKind,
    Filing,
    FilingState,
    Objection,
    ObjectionState,
    OnsiteResult,
    PublicityBatch,
    RevocationGround,
)
from techsme.evaluation.permissions import action_name
from techsme.evaluation.services.guards import OVERRIDE_ACTION
from techsme.evaluation.views.common import refusal_text, require, run_verb
from techsme.refdata import region_name
from techsme.web.views.agency import industry_choices

PAGE_SIZE = 50
QUEUE_STATES = {"submitted": (FilingState.SUBMITTED,), "accepted": (FilingState.ACCEPTED,),
                "returned": (FilingState.RETURNED,)}


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Filings waiting for review in the reviewer's region; filter, sort, decide one by one or in a batch."""
    user = request.user
    require(user, "evaluation.review_queue")
    if request.method == "POST":
        return _decide_selected(request)
    state = request.GET.get("state", "submitted")
    flagged = {"yes": True, "no": False}.get(request.GET.get("flagged", ""))
    filters = {"q": request.GET.get("q", ""), "region": request.GET.get("region", ""),
               "industry": request.GET.get("industry", "").strip()[:5],
               "flagged": request.GET.get("flagged", ""), "order": request.GET.get("order", "waiting"),
               "state": state}
    qs = selectors.review_queue(user, states=QUEUE_STATES.get(state, QUEUE_STATES["submitted"]), q=filters["q"],
                                region=filters["region"], industry=filters["industry"], flagged=flagged,
                                order=filters["order"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for f in rows:  # the warning mark: fails a criterion (or was accepted by an override)
        f.failed = criteria.texts(criteria.failed_criteria(f))
    return render(request, "evaluation/queue.html", {
        "page": page, "rows": rows, "filters": filters,
        "states": [("submitted", _("Waiting for review")), ("accepted", _("Accepted")),
                   ("returned", _("Returned for correction"))],
        "orders": [("waiting", _("Longest waiting first")), ("-waiting", _("Most recent first")),
                   ("name", _("Name")), ("score", _("Score, highest first"))],
        "prefixes": [(p, region_name(p.ljust(6, "0")) if p else _("everywhere")) for p in agency_prefixes(user)],
        "industry_choices": industry_choices(),
        "can_follow_up": can(user, "evaluation.change_report.review"),
    })


DECISION_LABELS = {"accept": _lazy("Accept"), "return": _lazy("Return for correction"), "reject": _lazy("Reject")}


def _decide_selected(request: HttpRequest) -> HttpResponse:
    """A batch decision in two steps: no decision is pre-chosen; the first post shows how many of the selected
    filings fail which criterion, the second (``confirm``) decides, through the guarded verb."""
    user = request.user
    ids = sorted({int(v) for v in request.POST.getlist("filings") if v.isdigit() and len(v) < 12})
    filings = list(selectors.visible_filings(user, "evaluation.review_queue").filter(pk__in=ids)
                   .select_related("enterprise").order_by("pk"))
    if len(filings) != len(ids):
        raise Http404
    decision = request.POST.get("decision", "")
    if not ids or decision not in DECISION_LABELS:
        messages.error(request, _("Select filings and choose a decision."))
        return redirect(request.get_full_path())
    if not request.POST.get("confirm"):
        for f in filings:
            f.failed_texts = criteria.texts(criteria.failed_criteria(f))
        return render(request, "evaluation/queue_confirm.html", {
            "filings": filings, "decision": decision, "decision_label": DECISION_LABELS[decision],
            "reason": request.POST.get("reason", ""), "summary": criteria.summary(filings),
            "failing": sum(1 for f in filings if criteria.uncovered(f)),
            "can_override": any(can(user, OVERRIDE_ACTION, f) for f in filings),
            "back": request.get_full_path(),
        })
    try:
        done = services.do_decide_batch(actor=user, filing_ids=ids, decision=decision,
                                        reason=request.POST.get("reason", ""),
                                        override=bool(request.POST.get("override")),
                                        override_reason=request.POST.get("override_reason", ""))
    except (Conflict, InvalidInput, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, _("The decision was recorded for %(n)d filings.") % {"n": len(done)})
    return redirect(request.get_full_path())


@login_required
def follow_up(request: HttpRequest) -> HttpResponse:
    """Pending revocations (state, defence deadline, days left) and change reports awaiting review, in the region."""
    user = request.user
    require(user, "evaluation.change_report.review")
    return render(request, "evaluation/follow_up.html", {
        "revocations": selectors.pending_revocations(user),
        "reports": selectors.change_reports_awaiting(user)[:500],
        "grounds": RevocationGround.choices,
        "can_revoke": can(user, "evaluation.revocation.notice"),
        "major": ChangeKind.MAJOR,
    })


@login_required
@require_POST
def change_report_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.change_report_for(request.user, pk)
    return run_verb(request, lambda: services.do_acknowledge_change_report(
        actor=request.user, report=report, note=request.POST.get("note", "")),
        _("The change report is acknowledged."), reverse("evaluation:follow_up"))


@login_required
@require_POST
def change_report_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.change_report_for(request.user, pk)
    return run_verb(request, lambda: services.do_revoke_from_change_report(
        actor=request.user, report=report, ground=request.POST.get("ground", RevocationGround.CONDITIONS_NOT_MET),
        notice_text=request.POST.get("notice_text", "")),
        _("The notice of intended revocation was given."), reverse("evaluation:follow_up"))


def _publisher_agencies(user: Any) -> list[Organisation]:
    allowed = ACTIONS[action_name("filing", "publish")]
    if user.is_superuser:
        return list(Organisation.objects.filter(kind="agency").order_by("region_code"))
    ids = sorted({g.organisation_id for g in grants(user) if g.role in allowed})
    return list(Organisation.objects.filter(pk__in=ids).order_by("region_code"))


@login_required
def publicity(request: HttpRequest) -> HttpResponse:
    """Accepted filings ready for publicity, the publish form, and the agency's batches."""
    user = request.user
    require(user, "evaluation.publicity")
    agencies = _publisher_agencies(user)
    if request.method == "POST":
        agency = next((a for a in agencies if str(a.pk) == request.POST.get("agency")), None)
        if agency is None:
            raise Http404
        ids = [int(v) for v in request.POST.getlist("filings") if v.isdigit() and len(v) < 12]
        if not ids:  # the page publishes what is chosen, never "everything"
            messages.error(request, _("Select the filings to publish."))
            return redirect("evaluation:publicity")
        try:
            batch = services.do_publish_batch(actor=user, agency=agency, filing_ids=ids)
        except (Conflict, InvalidInput) as exc:
            messages.error(request, refusal_text(exc))
            return redirect("evaluation:publicity")
        messages.success(request, _("Batch %(code)s is published; the publicity ends on %(date)s.") % {
            "code": batch.code, "date": batch.ends_on.isoformat()})
        if batch.calendar_warning:
            messages.warning(request, batch.calendar_warning)
        return redirect("evaluation:batch", pk=batch.pk)
    ready = list(selectors.visible_filings(user, action_name("filing", "publish"))
                 .filter(state=FilingState.ACCEPTED).order_by("enterprise__region_code", "enterprise__name")[:500])
    for f in ready:
        # Pre-selected only when it passes every criterion, without an override, with its on-site check done;
        # a filing failing a criterion no override covers cannot be chosen at all.
        f.failed = criteria.texts(criteria.failed_criteria(f))
        f.selectable = not criteria.uncovered(f)
        f.preselected = f.selectable and not f.failed and not f.overridden and not (
            f.needs_onsite_check and not f.onsite_check_result)
    batches = scope(user, action_name("batch", "close"), PublicityBatch.objects.all()).order_by(
        "-published_on", "-pk")
    return render(request, "evaluation/publicity_manage.html", {
        "ready": ready, "agencies": agencies, "batches": batches[:100],
        "passed": OnsiteResult.PASSED, "today": timezone.localdate(),
    })


def _batch_for(user: Any, pk: int) -> PublicityBatch:
    batch = scope(user, action_name("batch", "close"), PublicityBatch.objects.all()).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    """One batch for the agency: its filings, every objection with the resolution form, and closing."""
    user = request.user
    found = _batch_for(user, pk)
    today = timezone.localdate()
    return render(request, "evaluation/batch_manage.html", {
        "batch": found, "filings": found.filings.select_related("enterprise").order_by("enterprise__name"),
        "objections": found.objections.select_related("filing__enterprise"),
        "open_objections": found.objections.filter(state=ObjectionState.OPEN).count(),
        "can_close": found.state == BatchState.OPEN and today > found.ends_on,
        "today": today,
    })


@login_required
@require_POST
def batch_close(request: HttpRequest, pk: int) -> HttpResponse:
    found = _batch_for(request.user, pk)
    response = run_verb(request, lambda: services.do_close_batch(actor=request.user, batch=found),
                        _("The batch is closed; the filings without an upheld objection are registered."),
                        reverse("evaluation:batch", args=[pk]))
    held = found.filings.filter(state=FilingState.HELD).count()
    if held:
        messages.warning(request, _("%(n)d registrations are held: at the close their facts no longer pass. See "
                                    "each filing for the reasons.") % {"n": held})
    return response


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = scope(request.user, action_name("objection", "uphold"), Objection.objects.all()).filter(pk=pk).first()
    if objection is None:
        raise Http404
    return run_verb(request, lambda: services.do_resolve_objection(
        actor=request.user, objection=objection, decision=request.POST.get("decision", ""),
        resolution=request.POST.get("resolution", "")), _("The objection was resolved."),
        reverse("evaluation:batch", args=[objection.batch_id]))


@login_required
def import_offline(request: HttpRequest) -> HttpResponse:
    """Upload a spreadsheet of filings received offline; a background job assesses and routes them."""
    from techsme.evaluation.importing import JOB_KIND, do_import_offline_filings, start_routing

    user = request.user
    require(user, "evaluation.import")
    report = None
    status = 200
    if request.method == "POST":
        if request.POST.get("resume"):
            job = start_routing(actor=user)
            if job is None:
                messages.info(request, _("No filings are waiting to be routed."))
                return redirect("evaluation:import")
            return redirect(f"{reverse('evaluation:import')}?job={job.pk}")
        file = request.FILES.get("file")
        if file is None:
            messages.error(request, _("Choose a file to upload."))
        else:
            report = do_import_offline_filings(actor=user, file=file, filename=file.name)
            if report.ok:
                messages.success(request, _("%(n)d filings were received; they are being assessed and routed into "
                                            "the review queue.") % {"n": report.filings})
                return redirect(f"{reverse('evaluation:import')}?job={report.job.pk}")
            status = 422
    job = None
    if request.GET.get("job", "").isdigit():
        job = Job.objects.filter(pk=int(request.GET["job"]), owner=user, kind=JOB_KIND).first()
    waiting = scope(user, "evaluation.import", Filing.objects.filter(state=FilingState.IMPORTED)).count()
    return render(request, "evaluation/import.html", {
        "report": report, "errors": (report.errors[:500] if report else []), "job": job, "waiting": waiting,
        "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
    }, status=status)
