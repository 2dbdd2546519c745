"""The evaluation process over JSON (under /api/v1/evaluation/...): every step of the journey.

Reads go through ``evaluation.selectors`` (scoped: a filing, registration, batch or objection outside the caller's
scope is a 404, whatever the reason — changing an id in the URL never reaches another region's data). Writes go
through the service verbs. Errors, all as ``{"detail": ..., "errors": [{"field", "message", "row"?}]}``:

* 401 — not authenticated (token or session) on a non-public endpoint;
* 403 — authenticated, but the role may not take this step (e.g. an enterprise user deciding a filing);
* 404 — no such object in the caller's scope;
* 409 — the step is illegal in the current state (e.g. accepting a returned filing; closing a batch during
  publicity), the message says why;
* 422 — invalid input (missing reasons, unknown fields, a wrong file type…), per field.

Public endpoints (no authentication): publicity batches and their entries, lodging an objection (rate-limited per
address), the registered database and the verification of a number.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Body, File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from techsme.accounts.models import Organisation
from techsme.core.api_schemas import (
    ERRORS,
    PUBLIC_ERRORS,
    ErrorItem,
    ErrorOut,
    Id,
    IdList,
    Limit,
    Offset,
    Page,
    Short,
    Text,
    Year,
)
from techsme.core.errors import FieldError, InvalidInput
from techsme.core.permissions import can, scope
from techsme.evaluation import criteria, selectors, services
from techsme.evaluation.models import (
    Filing,
    FilingState,
    Objection,
    PublicityBatch,
    Registration,
    RegistrationState,
)
from techsme.evaluation.permissions import action_name
from techsme.evaluation.views.common import count_objection, objection_limited
from techsme.registry.facts_fields import FACT_FIELDS, parse_value
from techsme.registry.selectors import enterprise_for

router = Router(tags=["evaluation"])

MAX_LIMIT = 500






# --- shapes -----------------------------------------------------------------------------------------------------


class DecisionOut(Schema):
    transition: str
    from_state: str
    to_state: str
    actor: str | None
    reason: str
    at: datetime


class FilingOverrideOut(Schema):
    reason: str
    criteria: list[str] = Field(..., description="Codes of the criteria the override covers")
    criteria_text: list[str]
    by: str | None
    at: datetime


class FilingOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    uscc: str
    region_code: str
    year: int
    facts_year: int
    state: str
    state_label: str
    facts: dict[str, Any]
    staff_score: Decimal | None
    rd_score: Decimal | None
    ip_score: Decimal | None
    score: Decimal | None
    route: str
    eligible: bool | None
    fail_reasons: list[str]
    needs_onsite_check: bool
    onsite_reasons: list[str]
    onsite_check_result: str
    submitted_at: datetime | None
    days_waiting: int
    batch: str | None
    registration_number: str | None
    override: FilingOverrideOut | None = Field(None, description="Accepted against failed criteria (audited)")
    failed_criteria: list[str] = Field(..., description="Criteria the stored assessment fails (codes)")
    hold_reasons: list[str] = Field(..., description="Why the registration is held at the close (codes)")
    documents: list[dict[str, Any]]
    decisions: list[DecisionOut]


class FilingSummary(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    uscc: str
    region_code: str
    year: int
    state: str
    score: Decimal | None
    eligible: bool | None
    needs_onsite_check: bool
    onsite_check_result: str
    days_waiting: int


class FilingPage(Schema):
    count: int
    items: list[FilingSummary]


def _summary(f: Filing) -> dict[str, Any]:
    return {"id": f.pk, "enterprise_id": f.enterprise_id, "enterprise_name": f.enterprise.name,
            "uscc": f.enterprise.uscc, "region_code": f.enterprise.region_code, "year": f.year, "state": f.state,
            "score": f.score, "eligible": f.eligible, "needs_onsite_check": f.needs_onsite_check,
            "onsite_check_result": f.onsite_check_result, "days_waiting": f.days_waiting}


def _filing_out(f: Filing) -> dict[str, Any]:
    registration = Registration.objects.filter(filing=f).first()
    return _summary(f) | {
        "facts_year": f.facts_year, "state_label": str(f.get_state_display()), "facts": f.facts,
        "staff_score": f.staff_score, "rd_score": f.rd_score, "ip_score": f.ip_score, "route": f.route,
        "fail_reasons": [c for c in f.fail_reasons.split(";") if c], "onsite_reasons": f.onsite_reasons,
        "submitted_at": f.submitted_at, "batch": f.batch.code if f.batch_id else None,
        "registration_number": registration.number if registration else None,
        "override": {"reason": f.override_reason, "criteria": f.override_criteria,
                     "criteria_text": criteria.texts(f.override_criteria),
                     "by": str(f.override_by) if f.override_by else None, "at": f.override_at}
        if f.overridden else None,
        "failed_criteria": criteria.failed_criteria(f), "hold_reasons": f.hold_reasons,
        "documents": [{"id": d.pk, "name": d.original_name, "content_type": d.content_type, "size": d.size}
                      for d in f.documents.all()],
        "decisions": [{"transition": d.transition, "from_state": d.from_state, "to_state": d.to_state,
                       "actor": str(d.actor) if d.actor else None,
                       "reason": criteria.shown_reason(d.transition, d.reason), "at": d.at}
                      for d in f.decisions.select_related("actor")],
    }


def _filing(request: HttpRequest, filing_id: int) -> Filing:
    return selectors.filing_for(request.user, filing_id)


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


# --- enterprise side --------------------------------------------------------------------------------------------


@router.get("/evaluation/filings", response={200: FilingPage, **ERRORS}, summary="Filings in your scope")
def list_filings(request: HttpRequest, state: Short = "", year: Year | None = None, limit: Limit = 50,
                 offset: Offset = 0) -> dict[str, Any]:
    qs = selectors.visible_filings(request.user).order_by("-year", "-pk")
    if state:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(year=year)
    return {"count": qs.count(), "items": [_summary(f) for f in qs[offset: offset + _limit(limit)]]}


@router.get("/evaluation/filings/{filing_id}", response={200: FilingOut, **ERRORS},
            summary="One filing with its facts, scores, documents and every decision")
def get_filing(request: HttpRequest, filing_id: Id) -> dict[str, Any]:
    return _filing_out(_filing(request, filing_id))


@router.post("/evaluation/enterprises/{enterprise_id}/filings", response={201: FilingOut, **ERRORS},
             summary="Start this year's filing (pre-filled from the registry); 409 when one exists")
def start_filing(request: HttpRequest, enterprise_id: Id, year: Year | None = None) -> Status:
    enterprise = enterprise_for(request.user, enterprise_id)
    return Status(201, _filing_out(services.do_start_filing(actor=request.user, enterprise=enterprise, year=year)))


FACTS_BODY = "Fact columns of facts.md with raw values, e.g. {\"tech_staff\": \"12\", \"revenue\": \"1.5e7\"}"


@router.patch("/evaluation/filings/{filing_id}/facts", response={200: FilingOut, **ERRORS},
              summary="Change facts of a draft or returned filing (409 once submitted)")
def update_facts(request: HttpRequest, filing_id: Id,
                 values: dict[str, Any] = Body(..., description=FACTS_BODY)) -> dict[str, Any]:  # noqa: B008
    filing = _filing(request, filing_id)
    return _filing_out(services.do_update_filing_facts(actor=request.user, filing=filing, values=values))


@router.post("/evaluation/filings/{filing_id}/preview", response={200: dict[str, Any], **ERRORS},
             summary="Score and explanation (techsme.explanation/v1) for changed facts, WITHOUT saving")
def preview(request: HttpRequest, filing_id: Id,
            values: dict[str, Any] = Body(..., description=FACTS_BODY)) -> dict[str, Any]:  # noqa: B008
    filing = _filing(request, filing_id)
    if not can(request.user, action_name("filing", "update"), filing):
        raise PermissionDenied(_("You may not change this filing."))
    errors, parsed = [], {}
    for name, raw in values.items():
        if name not in FACT_FIELDS:
            errors.append(FieldError(name, _("Unknown field.")))
            continue
        try:
            parsed[name] = parse_value(name, raw)
        except ValueError as exc:
            errors.append(FieldError(name, str(exc)))
    if errors:
        raise InvalidInput(errors)
    return selectors.preview_assessment(filing, parsed)


class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


@router.post("/evaluation/filings/{filing_id}/documents", response={201: DocumentOut, **ERRORS},
             summary="Upload a supporting document (multipart field file; PDF/PNG/JPEG, at most 10 MB)")
def upload_document(request: HttpRequest, filing_id: Id, file: UploadedFile = File(...)) -> Status:  # noqa: B008
    filing = _filing(request, filing_id)
    doc = services.do_add_supporting_document(actor=request.user, filing=filing, upload=file)
    return Status(201, {"id": doc.pk, "name": doc.original_name, "content_type": doc.content_type, "size": doc.size})


class SubmitIn(Schema):
    attestation: bool = Field(False, description="The data are true and complete (required to submit)")


@router.post("/evaluation/filings/{filing_id}/submit", response={200: FilingOut, **ERRORS},
             summary="Submit or resubmit with the attestation (409 without it or in the wrong state)")
def submit(request: HttpRequest, filing_id: Id, payload: SubmitIn) -> dict[str, Any]:
    filing = _filing(request, filing_id)
    return _filing_out(services.do_submit_filing(actor=request.user, filing=filing, attestation=payload.attestation))


# --- agency side ------------------------------------------------------------------------------------------------


@router.get("/evaluation/queue", response={200: FilingPage, **ERRORS},
            summary="The review queue of your region (order: waiting, -waiting, name, score)")
def review_queue(request: HttpRequest, state: Short = FilingState.SUBMITTED, q: Short = "", region: Short = "",
                 industry: Short = "", flagged: bool | None = None, order: Short = "waiting", limit: Limit = 50,
                 offset: Offset = 0) -> dict[str, Any]:
    if not can(request.user, "evaluation.review_queue"):
        raise PermissionDenied(_("You may not review filings."))
    qs = selectors.review_queue(request.user, states=(state,), q=q, region=region, industry=industry,
                                flagged=flagged, order=order)
    return {"count": qs.count(), "items": [_summary(f) for f in qs[offset: offset + _limit(limit)]]}


MAX_BATCH = 1000
OVERRIDE_HELP = ("Accept although the filing fails a criterion (a hard condition, a score below 60, a failed on-site "
                 "check): agency administrators only, with override_reason; recorded on the filing and audited. "
                 "Without it such an acceptance is refused with 409 and the reasons.")


class FilingDecisionIn(Schema):
    decision: Short = Field(..., max_length=10, description="accept, return or reject (no default)")
    reason: Text = Field("", max_length=5000, description="Required to return or reject")
    override: bool = Field(False, description=OVERRIDE_HELP)
    override_reason: Text = Field("", max_length=2000, description="Required with override")


@router.post("/evaluation/filings/{filing_id}/decision", response={200: FilingOut, **ERRORS},
             summary="Accept, return (with reasons) or reject (with reasons) a submitted filing; accepting one that "
                     "fails a criterion is refused (409) unless overridden")
def decide(request: HttpRequest, filing_id: Id, payload: FilingDecisionIn) -> dict[str, Any]:
    filing = _filing(request, filing_id)
    return _filing_out(services.do_decide_filing(actor=request.user, filing=filing, decision=payload.decision,
                                                 reason=payload.reason, override=payload.override,
                                                 override_reason=payload.override_reason))


class BatchDecisionIn(FilingDecisionIn):
    filings: IdList = Field(..., min_length=1, max_length=MAX_BATCH)


def _visible_ids(request: HttpRequest, ids: set[int]) -> set[int]:
    """``ids``, or 404 when one is outside the caller's scope (or does not exist)."""
    visible = set(selectors.visible_filings(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - visible:
        raise Http404
    return ids


@router.post("/evaluation/decisions", response={200: list[FilingSummary], **ERRORS},
             summary="The same decision on many filings, all or nothing (404 when one is outside your scope; 409 "
                     "with the count per failed criterion when accepting filings that fail one, unless overridden)")
def decide_many(request: HttpRequest, payload: BatchDecisionIn) -> list[dict[str, Any]]:
    ids = _visible_ids(request, set(payload.filings))
    done = services.do_decide_batch(actor=request.user, filing_ids=ids, decision=payload.decision,
                                    reason=payload.reason, override=payload.override,
                                    override_reason=payload.override_reason)
    return [_summary(Filing.objects.select_related("enterprise").get(pk=f.pk)) for f in done]


class DecisionCheckIn(Schema):
    filings: IdList = Field(..., min_length=1, max_length=MAX_BATCH)


class CriterionCount(Schema):
    code: str
    label: str
    count: int


class FilingCriteria(Schema):
    id: int
    failed_criteria: list[str]
    overridden: bool


class DecisionCheckOut(Schema):
    selected: int
    failing: int = Field(..., description="How many of the selected filings fail at least one criterion")
    criteria: list[CriterionCount]
    filings: list[FilingCriteria]


@router.post("/evaluation/decisions/check", response={200: DecisionCheckOut, **ERRORS},
             summary="Before a batch decision: how many of the selected filings fail which criterion (changes "
                     "nothing)")
def check_decision(request: HttpRequest, payload: DecisionCheckIn) -> dict[str, Any]:
    if not can(request.user, "evaluation.review_queue"):
        raise PermissionDenied(_("You may not review filings."))
    filings = list(selectors.visible_filings(request.user).filter(pk__in=_visible_ids(request, set(payload.filings)))
                   .order_by("pk"))
    rows = [{"id": f.pk, "failed_criteria": criteria.failed_criteria(f), "overridden": f.overridden} for f in filings]
    return {"selected": len(filings), "failing": sum(1 for r in rows if r["failed_criteria"]),
            "criteria": criteria.summary(filings), "filings": rows}


class OnsiteIn(Schema):
    result: Text = Field(..., description="passed or failed")
    notes: Text = Field("", description="Required when failed")


@router.post("/evaluation/filings/{filing_id}/onsite-check", response={200: FilingOut, **ERRORS},
             summary="Record the result of the on-site check")
def onsite_check(request: HttpRequest, filing_id: Id, payload: OnsiteIn) -> dict[str, Any]:
    filing = _filing(request, filing_id)
    return _filing_out(services.do_record_onsite_check(actor=request.user, filing=filing, result=payload.result,
                                                       notes=payload.notes))


class PublicityBatchOut(Schema):
    id: int
    code: str
    region_prefix: str
    year: int
    published_on: date
    ends_on: date
    state: str
    calendar_warning: str
    size: int


class EntryOut(Schema):
    filing_id: int
    name: str
    uscc: str
    region_code: str
    industry_code: str
    year: int


class BatchDetail(PublicityBatchOut):
    entries: list[EntryOut]


def _batch_out(batch: PublicityBatch) -> dict[str, Any]:
    return {"id": batch.pk, "code": batch.code, "region_prefix": batch.region_prefix, "year": batch.year,
            "published_on": batch.published_on, "ends_on": batch.ends_on, "state": batch.state,
            "calendar_warning": batch.calendar_warning,
            "size": getattr(batch, "size", None) if getattr(batch, "size", None) is not None
            else batch.filings.count()}


class PublishIn(Schema):
    agency: Id = Field(..., description="Id of your agency (organisation)")
    filings: IdList | None = Field(None, description="Accepted filings to publish; all of the region when absent")


@router.post("/evaluation/batches", response={201: PublicityBatchOut, **ERRORS},
             summary="Publish accepted filings in a batch for 10 working days")
def publish(request: HttpRequest, payload: PublishIn) -> Status:
    agency = Organisation.objects.filter(pk=payload.agency, kind="agency").first()
    if agency is None:
        raise Http404
    if payload.filings:
        visible = set(selectors.visible_filings(request.user, action_name("filing", "publish"))
                      .filter(pk__in=payload.filings).values_list("pk", flat=True))
        if set(payload.filings) - visible:
            raise Http404
    batch = services.do_publish_batch(actor=request.user, agency=agency, filing_ids=payload.filings)
    return Status(201, _batch_out(batch))


def _managed_batch(request: HttpRequest, batch_id: int) -> PublicityBatch:
    batch = scope(request.user, action_name("batch", "close"), PublicityBatch.objects.all()).filter(
        pk=batch_id).first()
    if batch is None:
        raise Http404
    return batch


class RegistrationOut(Schema):
    number: str
    name: str
    uscc: str
    region_code: str
    industry_code: str
    year: int
    state: str
    issued_at: datetime
    state_changed_at: datetime | None


def _registration_out(r: dict[str, Any]) -> dict[str, Any]:
    return {"number": r["number"], "name": r["enterprise__name"], "uscc": r["enterprise__uscc"],
            "region_code": r["region6"], "industry_code": r["enterprise__industry_code"], "year": r["year"],
            "state": r["state"], "issued_at": r["issued_at"], "state_changed_at": r["state_changed_at"]}


@router.post("/evaluation/batches/{batch_id}/close", response={200: list[RegistrationOut], **ERRORS},
             summary="Close a batch after its period (every objection resolved): registers and numbers the filings")
def close_batch(request: HttpRequest, batch_id: Id) -> list[dict[str, Any]]:
    batch = _managed_batch(request, batch_id)
    registrations = services.do_close_batch(actor=request.user, batch=batch)
    numbers = [r.number for r in registrations]
    return [_registration_out(r) for r in selectors.registered_database().filter(number__in=numbers)]


class ObjectionOut(Schema):
    id: int
    batch: str
    filing_id: int
    name: str
    contact: str
    text: str
    state: str
    resolution: str
    lodged_at: datetime


def _objection_out(o: Objection) -> dict[str, Any]:
    return {"id": o.pk, "batch": o.batch.code, "filing_id": o.filing_id, "name": o.name, "contact": o.contact,
            "text": o.text, "state": o.state, "resolution": o.resolution, "lodged_at": o.lodged_at}


@router.get("/evaluation/batches/{batch_id}/objections", response={200: list[ObjectionOut], **ERRORS},
            summary="The objections against a batch of your region (with the objectors' contact details)")
def list_objections(request: HttpRequest, batch_id: Id) -> list[dict[str, Any]]:
    batch = _managed_batch(request, batch_id)
    return [_objection_out(o) for o in batch.objections.select_related("batch")]


class ResolutionIn(Schema):
    decision: Short = Field(..., description="uphold or dismiss")
    resolution: Text = Field(..., description="The reasons")


@router.post("/evaluation/objections/{objection_id}/resolution", response={200: ObjectionOut, **ERRORS},
             summary="Uphold or dismiss an objection, with reasons")
def resolve_objection(request: HttpRequest, objection_id: Id, payload: ResolutionIn) -> dict[str, Any]:
    objection = scope(request.user, action_name("objection", "uphold"), Objection.objects.all()).filter(
        pk=objection_id).first()
    if objection is None:
        raise Http404
    return _objection_out(services.do_resolve_objection(actor=request.user, objection=objection,
                                                        decision=payload.decision, resolution=payload.resolution))


def _registration(request: HttpRequest, registration_id: int) -> Registration:
    found = selectors.visible_registrations(request.user).filter(pk=registration_id).first()
    if found is None:
        raise Http404
    return found


@router.post("/evaluation/registrations/{registration_id}/annual-update", response={200: RegistrationOut, **ERRORS},
             summary="The annual update by 31 March of the next year (renews the registration)")
def annual_update(request: HttpRequest, registration_id: Id) -> dict[str, Any]:
    registration = services.do_record_annual_update(actor=request.user,
                                                    registration=_registration(request, registration_id))
    return _registration_out(selectors.verify_registration(registration.number))


@router.get("/evaluation/registrations/{registration_id}/certificate", response={200: None, **ERRORS},
            summary="The registration certificate as a PDF (for the enterprise and the agency in scope)")
def certificate(request: HttpRequest, registration_id: Id) -> HttpResponse:
    from techsme.evaluation.pdf import certificate_pdf

    registration = _registration(request, registration_id)
    url = request.build_absolute_uri(reverse("evaluation:verify", args=[registration.number]))
    response = HttpResponse(certificate_pdf(registration, url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="techsme-{registration.number}.pdf"'
    return response


class RevocationOut(Schema):
    id: int
    number: str
    ground: str
    state: str
    notice_text: str
    defence_deadline: date
    defence_text: str
    decision: str
    decision_reason: str
    bars_until_year: int | None


def _revocation_out(r: Any) -> dict[str, Any]:
    return {"id": r.pk, "number": r.registration.number, "ground": r.ground, "state": r.state,
            "notice_text": r.notice_text, "defence_deadline": r.defence_deadline, "defence_text": r.defence_text,
            "decision": r.decision, "decision_reason": r.decision_reason, "bars_until_year": r.bars_until_year}


class NoticeIn(Schema):
    ground: Text = Field(..., description="conditions_not_met, fraud, research_misconduct, accident, abnormal_listing")
    notice_text: Text
    defence_deadline: date | None = None


@router.post("/evaluation/registrations/{registration_id}/revocations", response={201: RevocationOut, **ERRORS},
             summary="Notice of intended revocation (the enterprise may defend itself until the deadline)")
def revocation_notice(request: HttpRequest, registration_id: Id, payload: NoticeIn) -> Status:
    revocation = services.do_revoke_notice(actor=request.user, registration=_registration(request, registration_id),
                                           ground=payload.ground, notice_text=payload.notice_text,
                                           defence_deadline=payload.defence_deadline)
    return Status(201, _revocation_out(revocation))


def _revocation(request: HttpRequest, revocation_id: int) -> Any:
    found = selectors.visible_revocations(request.user).filter(pk=revocation_id).first()
    if found is None:
        raise Http404
    return found


class DefenceIn(Schema):
    text: Text


@router.post("/evaluation/revocations/{revocation_id}/defence", response={200: RevocationOut, **ERRORS},
             summary="The enterprise's defence, by the deadline")
def revocation_defence(request: HttpRequest, revocation_id: Id, payload: DefenceIn) -> dict[str, Any]:
    return _revocation_out(services.do_revoke_defence(actor=request.user,
                                                      revocation=_revocation(request, revocation_id),
                                                      text=payload.text))


class RevocationDecisionIn(Schema):
    decision: Short = Field(..., description="revoked or not_revoked")
    reason: Text


@router.post("/evaluation/revocations/{revocation_id}/decision", response={200: RevocationOut, **ERRORS},
             summary="Decide a revocation after the defence or its deadline")
def revocation_decide(request: HttpRequest, revocation_id: Id, payload: RevocationDecisionIn) -> dict[str, Any]:
    return _revocation_out(services.do_revoke_decide(actor=request.user,
                                                     revocation=_revocation(request, revocation_id),
                                                     decision=payload.decision, reason=payload.reason))


class ChangeReportOut(Schema):
    id: int
    number: str
    kind: str
    changed_on: date
    late: bool
    acknowledged_at: datetime | None
    acknowledgement_note: str
    revocation_id: int | None


def _change_report_out(r: Any) -> dict[str, Any]:
    return {"id": r.pk, "number": r.registration.number, "kind": r.kind, "changed_on": r.changed_on, "late": r.late,
            "acknowledged_at": r.acknowledged_at, "acknowledgement_note": r.acknowledgement_note,
            "revocation_id": r.revocation_id}


class AcknowledgementIn(Schema):
    note: Text = ""


@router.post("/evaluation/change-reports/{report_id}/acknowledgement", response={200: ChangeReportOut, **ERRORS},
             summary="The agency has reviewed a change report (reviewers and agency administrators of the region)")
def change_report_acknowledge(request: HttpRequest, report_id: Id, payload: AcknowledgementIn) -> dict[str, Any]:
    report = selectors.change_report_for(request.user, report_id)
    return _change_report_out(services.do_acknowledge_change_report(actor=request.user, report=report,
                                                                    note=payload.note))


class ChangeRevocationIn(Schema):
    ground: Text = Field("conditions_not_met", description="A legal ground (default: no longer meets the conditions)")
    notice_text: Text
    defence_deadline: date | None = None


@router.post("/evaluation/change-reports/{report_id}/revocation", response={201: RevocationOut, **ERRORS},
             summary="Start a revocation notice from a reported major change that affects the conditions")
def change_report_revoke(request: HttpRequest, report_id: Id, payload: ChangeRevocationIn) -> Status:
    report = selectors.change_report_for(request.user, report_id)
    revocation = services.do_revoke_from_change_report(actor=request.user, report=report, ground=payload.ground,
                                                       notice_text=payload.notice_text,
                                                       defence_deadline=payload.defence_deadline)
    return Status(201, _revocation_out(revocation))


class FilingImportOut(Schema):
    ok: bool
    rows: int
    filings: int
    job: int | None
    errors: list[ErrorItem] = []


@router.post("/evaluation/imports", response={202: FilingImportOut, **ERRORS},
             summary="Import filings received offline (CSV/XLSX of facts.md; all rows or none); a job routes them")
def import_offline(request: HttpRequest, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    """Multipart upload (field ``file``). 202 with the job id (poll ``/jobs/<id>/?format=json``); 422 lists every
    error with its spreadsheet row and column."""
    from techsme.evaluation.importing import do_import_offline_filings

    if not can(request.user, "evaluation.import"):
        raise PermissionDenied(_("You may not import filings."))
    report = do_import_offline_filings(actor=request.user, file=file, filename=file.name or "")
    if not report.ok:
        return Status(422, {"detail": _("Nothing was imported: the file has errors."),
                            "errors": [e.as_dict() for e in report.errors]})
    return Status(202, report.as_dict())


# --- public -----------------------------------------------------------------------------------------------------


@router.get("/evaluation/batches", auth=None, response={200: list[PublicityBatchOut]},
            summary="Publicity batches (public): state open = in publicity now")
def list_batches(request: HttpRequest, state: Short = "", region: Short = "", year: Year | None = None,
                 limit: Limit = 100, offset: Offset = 0) -> list[dict[str, Any]]:
    qs = selectors.public_batches(state=state, region=region, year=year)
    return [_batch_out(b) for b in qs[offset: offset + _limit(limit)]]


@router.get("/evaluation/batches/{batch_id}", auth=None, response={200: BatchDetail, 404: ErrorOut},
            summary="One publicity batch with its enterprises (public)")
def get_batch(request: HttpRequest, batch_id: Id) -> dict[str, Any]:
    batch = selectors.public_batches().filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    entries = [{"filing_id": e["pk"], "name": e["enterprise__name"], "uscc": e["enterprise__uscc"],
                "region_code": e["enterprise__region_code"], "industry_code": e["enterprise__industry_code"],
                "year": e["year"]} for e in selectors.public_batch_entries(batch)]
    return _batch_out(batch) | {"entries": entries}


class ObjectionIn(Schema):
    filing_id: Id
    name: Short = ""
    contact: Short = Field("", description="Phone or e-mail; required")
    text: Text = ""


class ObjectionReceipt(Schema):
    id: int
    detail: str


@router.post("/evaluation/batches/{batch_id}/objections", auth=None, response={201: ObjectionReceipt,
                                                                                **PUBLIC_ERRORS},
             summary="Lodge an objection during publicity (public; name and contact required; rate-limited, 429)")
def lodge_objection(request: HttpRequest, batch_id: Id, payload: ObjectionIn) -> Status:
    from techsme.core.http import client_ip

    batch = PublicityBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    ip = client_ip(request)
    if objection_limited(ip):
        return Status(429, {"detail": _("Too many objections were sent from your network; try again in an hour.")})
    filing = batch.filings.filter(pk=payload.filing_id).first()
    if filing is None:
        raise InvalidInput([FieldError("filing_id", _("This filing is not in this publicity batch."))])
    objection = services.do_lodge_objection(batch=batch, filing=filing, name=payload.name, contact=payload.contact,
                                            text=payload.text)
    count_objection(ip)
    return Status(201, {"id": objection.pk, "detail": _("Your objection was received.")})


class RegistrationPage(Schema):
    count: int
    items: list[RegistrationOut]


@router.get("/evaluation/registrations", auth=None, response={200: RegistrationPage, 422: ErrorOut},
            summary="The registered tech-SME database (public): search by name/number, USCC, region, industry, year")
def registrations(request: HttpRequest, q: Short = "", uscc: Short = "", region: Short = "", industry: Short = "",
                  year: Year | None = None, state: Short = "", page: Page = 1, limit: Limit = 50) -> dict[str, Any]:
    if state and state not in RegistrationState.values:
        raise InvalidInput([FieldError("state", _("Unknown state."))])
    qs = selectors.registered_database(q=q, uscc=uscc, region=region, industry=industry, year=year, state=state)
    found = Paginator(qs, _limit(limit)).get_page(page)
    return {"count": found.paginator.count, "items": [_registration_out(r) for r in found.object_list]}


@router.get("/evaluation/verify/{number}", auth=None, response={200: RegistrationOut, 404: ErrorOut},
            summary="Verify a registration number (public): valid (registered), lapsed or revoked")
def verify(request: HttpRequest, number: Short) -> dict[str, Any]:
    found = selectors.verify_registration(number)
    if found is None:
        raise Http404
    return _registration_out(found)


