"""Enterprise side (start, edit with a live score, documents, submit, status) and the decisions on one filing."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techsme.core.errors import Conflict, FieldError, InvalidInput
from techsme.core.http import safe_next
from techsme.core.permissions import agency_prefixes, can
from techsme.evaluation import criteria, selectors, services
from techsme.evaluation.models import (
    MAX_DOCUMENT_BYTES,
    ChangeKind,
    FilingState,
    OnsiteResult,
    Registration,
    RegistrationState,
    Revocation,
    RevocationDecision,
    RevocationGround,
    RevocationState,
)
from techsme.evaluation.permissions import action_name
from techsme.evaluation.services.guards import OVERRIDE_ACTION
from techsme.evaluation.views.common import (
    STEP_LABELS,
    fail_reason_texts,
    onsite_reason_labels,
    readable,
    refusal_text,
    run_verb,
)
from techsme.registry import facts_fields
from techsme.registry.facts_fields import FACT_FIELDS, Kind
from techsme.registry.selectors import enterprise_for, enterprises_of_user
from techsme.web.facts_groups import MONEY_FIELDS, grouped_fields


def _raw(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind in (Kind.FLAG, Kind.OPTIONAL_FLAG):
        return "true" if value in (True, "true", "True", 1) else "false"
    return str(value)


def _form_values(request: HttpRequest, filing: Any) -> tuple[dict[str, str], dict[str, Any], list[FieldError]]:
    """The posted facts: raw text per field (to show again), the parsed changes, the parse errors."""
    raw, parsed, errors = {}, {}, []
    for name, kind in FACT_FIELDS.items():
        if kind == Kind.FLAG:
            raw[name] = "true" if request.POST.get(name) in ("true", "on", "1") else "false"
        elif name in request.POST:
            raw[name] = request.POST.get(name, "").strip()
        else:
            raw[name] = _raw(filing.facts.get(name), kind)
        try:
            parsed[name] = facts_fields.parse_value(name, raw[name])
        except ValueError as exc:
            errors.append(FieldError(name, str(exc)))
    return raw, parsed, errors


def _groups(raw: dict[str, str], errors: list[FieldError], disabled: bool = False) -> list[dict[str, Any]]:
    by_field: dict[str, list[str]] = {}
    for error in errors:
        by_field.setdefault(error.field, []).append(str(error.message))
    return [{
        "key": key, "title": title,
        "fields": [{
            "name": n, "label": facts_fields.label(n), "kind": FACT_FIELDS[n].value, "value": raw.get(n, ""),
            "errors": by_field.get(n, []), "money": n in MONEY_FIELDS, "disabled": disabled,
        } for n in sorted(names, key=lambda n: FACT_FIELDS[n] == Kind.FLAG)],
    } for key, title, names in grouped_fields()]


def _result_of(filing: Any) -> dict[str, Any] | None:
    """The stored assessment, or (for filings not yet assessed with an explanation) one computed now."""
    if filing.explanation and filing.explanation.get("results"):
        return {"techsme_score": filing.score, "techsme_eligible": filing.eligible, "techsme_route": filing.route,
                "techsme_fail_reasons": filing.fail_reasons, "explanation": filing.explanation}
    try:
        return selectors.preview_assessment(filing)
    except Exception:  # noqa: BLE001 — a page must render even when the engine cannot assess the facts
        return None


# ------------------------------------------------------------------------------------------------ enterprise home


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The evaluation start page: an enterprise's filings and registrations, or the agency's work lists."""
    user = request.user
    year = timezone.localdate().year
    enterprises = []
    for enterprise in enterprises_of_user(user).order_by("name"):
        filings = list(selectors.filings_of_enterprise(user, enterprise.pk))
        active = [f for f in filings if f.year == year and f.state not in (FilingState.REJECTED,
                                                                          FilingState.OBJECTION_UPHELD)]
        enterprises.append({
            "enterprise": enterprise, "filings": filings,
            "can_start": not active and can(user, "evaluation.start", enterprise),
            "registrations": list(Registration.objects.filter(enterprise=enterprise).order_by("-year")),
            "revocations": list(Revocation.objects.filter(registration__enterprise=enterprise)
                                .select_related("registration").order_by("-notice_at")),
        })
    return render(request, "evaluation/home.html", {
        "enterprises": enterprises, "year": year,
        "is_reviewer": can(user, "evaluation.review_queue"),
        "is_publisher": can(user, "evaluation.publicity"),
        "can_import": can(user, "evaluation.import"),
        "prefixes": agency_prefixes(user),
    })


@login_required
@require_POST
def start(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = enterprise_for(request.user, enterprise_id)
    try:
        filing = services.do_start_filing(actor=request.user, enterprise=enterprise)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("evaluation:home")
    messages.success(request, _("This year's filing was started with your registry data; check every figure."))
    return redirect("evaluation:edit", pk=filing.pk)


# ------------------------------------------------------------------------------------------------ the filing page


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The status page: state, every decision with its reason, score and explanation, and the actions allowed."""
    user = request.user
    filing = selectors.filing_for(user, pk)
    registration = Registration.objects.filter(filing=filing).first()
    revocations = list(registration.revocations.all()) if registration else []
    objections = list(filing.objections.all()) if can(user, action_name("objection", "uphold"), filing) else []

    def allowed(transition: str) -> bool:
        return can(user, action_name("filing", transition), filing)

    def shown(value: Any) -> Any:
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return value

    facts = [{"label": facts_fields.label(n), "value": shown(filing.facts.get(n)), "money": n in MONEY_FIELDS}
             for n in FACT_FIELDS if filing.facts.get(n) not in (None, "")]
    decisions = list(filing.decisions.select_related("actor"))
    for d in decisions:
        d.shown_reason = criteria.shown_reason(d.transition, d.reason)
    failed = criteria.failed_criteria(filing)
    held = filing.state == FilingState.HELD
    return render(request, "evaluation/filing_detail.html", {
        "filing": filing,
        "decisions": decisions,
        "failed_criteria": criteria.texts(failed),
        "override_criteria": criteria.texts(filing.override_criteria),
        "hold_reasons": criteria.texts(filing.hold_reasons),
        "can_override": bool(failed or held) and can(user, OVERRIDE_ACTION, filing),
        "can_register_held": held and allowed("release"),
        "can_reject_held": held and allowed("reject"),
        "step_labels": STEP_LABELS,
        "documents": filing.documents.all(),
        "result": readable(_result_of(filing)),
        "fail_reasons": fail_reason_texts(filing.fail_reasons),
        "onsite_reasons": onsite_reason_labels(filing.onsite_reasons),
        "facts": facts,
        "registration": registration,
        "revocations": revocations,
        "objections": objections,
        "can_edit": filing.editable and allowed("update"),
        "can_review": filing.state == FilingState.SUBMITTED and allowed("accept"),
        "can_reject_accepted": filing.state == FilingState.ACCEPTED and allowed("reject"),
        "can_onsite": filing.state in (FilingState.SUBMITTED, FilingState.ACCEPTED) and allowed("onsite_check"),
        "can_annual_update": registration is not None and registration.state == RegistrationState.REGISTERED
        and allowed("annual_update"),
        "annual_deadline": services.annual_update_deadline(filing.year),
        "can_revoke": registration is not None and registration.state != RegistrationState.REVOKED
        and can(user, "evaluation.revocation.notice", registration)
        and not any(r.state != RevocationState.DECIDED for r in revocations),
        "can_defend": [r.pk for r in revocations if r.state == RevocationState.NOTICE
                       and can(user, action_name("revocation", "defend"), r)],
        "can_decide_revocation": [r.pk for r in revocations if r.state != RevocationState.DECIDED
                                  and can(user, action_name("revocation", "decide"), r)],
        "grounds": RevocationGround.choices,
        "change_reports": list(registration.change_reports.all()) if registration else [],
        "can_report_change": registration is not None and registration.state == RegistrationState.REGISTERED
        and can(user, "evaluation.change_report", registration),
        "change_kinds": ChangeKind.choices,
        "today": timezone.localdate(),
        "revocation_decisions": RevocationDecision.choices,
        "onsite_results": OnsiteResult.choices,
    })


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the pre-filled facts (draft or returned filing); the score beside the form follows every change."""
    user = request.user
    filing = selectors.filing_for(user, pk)
    if not filing.editable:
        messages.info(request, _("This filing is submitted; its data can no longer be changed."))
        return redirect("evaluation:detail", pk=filing.pk)
    if not can(user, action_name("filing", "update"), filing):
        raise PermissionDenied
    errors: list[FieldError] = []
    status = 200
    if request.method == "POST":
        raw, parsed, errors = _form_values(request, filing)
        if not errors:
            try:
                services.do_update_filing_facts(actor=user, filing=filing, values=raw)
            except InvalidInput as exc:
                errors = list(exc.errors)
            except Conflict as exc:
                messages.error(request, str(exc))
                return redirect("evaluation:detail", pk=filing.pk)
            else:
                messages.success(request, _("The figures were saved."))
                return redirect("evaluation:edit", pk=filing.pk)
        status = 422
        result = None
    else:
        raw = {n: _raw(filing.facts.get(n), k) for n, k in FACT_FIELDS.items()}
        result = _result_of(filing)
    summary = [{"field": e.field, "label": facts_fields.label(e.field) if e.field in FACT_FIELDS else "",
                "message": str(e.message)} for e in errors]
    return render(request, "evaluation/filing_edit.html", {
        "filing": filing, "groups": _groups(raw, errors), "errors": summary,
        "result": readable(result), "documents": filing.documents.all(),
        "max_mb": MAX_DOCUMENT_BYTES // 2**20,
        "returned_reason": filing.decisions.filter(transition="return").order_by("-at").first()
        if filing.state == FilingState.RETURNED else None,
    }, status=status)


@login_required
@require_POST
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The score and explanation for the facts in the form, WITHOUT saving them (the live score)."""
    filing = selectors.filing_for(request.user, pk)
    if not filing.editable or not can(request.user, action_name("filing", "update"), filing):
        raise Http404
    _raw_values, parsed, errors = _form_values(request, filing)
    result = None
    if not errors:
        try:
            result = selectors.preview_assessment(filing, parsed)
        except Exception:  # noqa: BLE001 — the live score is a convenience; the form still works without it
            result = None
    return render(request, "evaluation/partials/score.html", {
        "result": readable(result), "preview_errors": [
            {"label": facts_fields.label(e.field), "message": str(e.message)} for e in errors],
    })


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    filing = selectors.filing_for(request.user, pk)
    back = reverse("evaluation:edit", args=[filing.pk])
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, _("Choose a file to upload."))
        return redirect(back)
    return run_verb(request, lambda: services.do_add_supporting_document(actor=request.user, filing=filing,
                                                                         upload=file),
                    _("The document %(name)s was uploaded.") % {"name": file.name}, back)


@login_required
def document(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """A supporting document, only for users who may see the filing (never a public /media/ address)."""
    filing = selectors.filing_for(request.user, pk)
    found = filing.documents.filter(pk=document_id).first()
    if found is None:
        raise Http404
    response = FileResponse(found.file.open("rb"), content_type=found.content_type, as_attachment=True,
                            filename=found.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    filing = selectors.filing_for(request.user, pk)
    if not request.POST.get("attestation"):
        messages.error(request, _("Tick the attestation that the data are true and complete before submitting."))
        return redirect("evaluation:edit", pk=filing.pk)
    return run_verb(request, lambda: services.do_submit_filing(actor=request.user, filing=filing, attestation=True),
                    _("The filing was submitted. The agency will review it."),
                    reverse("evaluation:detail", args=[filing.pk]))


# ------------------------------------------------------------------------------------------------ agency decisions


def _guarded(request: HttpRequest, action: Callable[[], Any], success: str, back: str) -> HttpResponse:
    """``run_verb`` for a guarded decision: a refused override (403 in the API) is a message on the page too."""
    try:
        action()
    except (Conflict, InvalidInput, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, success)
    return redirect(back)


def _override(request: HttpRequest) -> dict[str, Any]:
    return {"override": bool(request.POST.get("override")), "override_reason": request.POST.get("override_reason", "")}


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    filing = selectors.filing_for(request.user, pk)
    decision = request.POST.get("decision", "")
    labels = {"accept": _("The filing was accepted."), "return": _("The filing was returned for correction."),
              "reject": _("The filing was rejected.")}
    return _guarded(request, lambda: services.do_decide_filing(actor=request.user, filing=filing, decision=decision,
                                                               reason=request.POST.get("reason", ""),
                                                               **_override(request)),
                    labels.get(decision, ""), safe_next(request, reverse("evaluation:detail", args=[pk])))


@login_required
@require_POST
def register_held(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a held filing: scored again now; one that still fails needs an agency administrator's override."""
    filing = selectors.filing_for(request.user, pk)
    return _guarded(request, lambda: services.do_register_held(actor=request.user, filing=filing,
                                                               **_override(request)),
                    _("The filing is registered."), reverse("evaluation:detail", args=[pk]))


@login_required
@require_POST
def onsite(request: HttpRequest, pk: int) -> HttpResponse:
    filing = selectors.filing_for(request.user, pk)
    return run_verb(request, lambda: services.do_record_onsite_check(
        actor=request.user, filing=filing, result=request.POST.get("result", ""),
        notes=request.POST.get("notes", "")), _("The result of the on-site check was recorded."),
        reverse("evaluation:detail", args=[pk]))


def _registration_for(user: Any, pk: int) -> Registration:
    registration = selectors.visible_registrations(user).filter(pk=pk).first()
    if registration is None:
        raise Http404
    return registration


@login_required
@require_POST
def annual_update(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = _registration_for(request.user, registration_id)
    return run_verb(request, lambda: services.do_record_annual_update(actor=request.user, registration=registration),
                    _("The annual update was recorded; the registration stays valid."),
                    reverse("evaluation:detail", args=[registration.filing_id]))


@login_required
@require_POST
def revocation_notice(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = _registration_for(request.user, registration_id)
    return run_verb(request, lambda: services.do_revoke_notice(
        actor=request.user, registration=registration, ground=request.POST.get("ground", ""),
        notice_text=request.POST.get("notice_text", "")),
        _("The notice of intended revocation was given."), reverse("evaluation:detail", args=[registration.filing_id]))


def _revocation_for(user: Any, pk: int) -> Revocation:
    revocation = selectors.visible_revocations(user).filter(pk=pk).first()
    if revocation is None:
        raise Http404
    return revocation


@login_required
@require_POST
def revocation_defence(request: HttpRequest, revocation_id: int) -> HttpResponse:
    revocation = _revocation_for(request.user, revocation_id)
    return run_verb(request, lambda: services.do_revoke_defence(actor=request.user, revocation=revocation,
                                                                text=request.POST.get("text", "")),
                    _("Your defence was submitted."),
                    reverse("evaluation:detail", args=[revocation.registration.filing_id]))


@login_required
@require_POST
def revocation_decide(request: HttpRequest, revocation_id: int) -> HttpResponse:
    revocation = _revocation_for(request.user, revocation_id)
    return run_verb(request, lambda: services.do_revoke_decide(
        actor=request.user, revocation=revocation, decision=request.POST.get("decision", ""),
        reason=request.POST.get("reason", "")), _("The decision on the revocation was recorded."),
        reverse("evaluation:detail", args=[revocation.registration.filing_id]))


@login_required
def certificate(request: HttpRequest, registration_id: int) -> HttpResponse:
    """The PDF certificate of a registration (for the enterprise and the agency in scope)."""
    from techsme.evaluation.pdf import certificate_pdf

    registration = _registration_for(request.user, registration_id)
    verify_url = request.build_absolute_uri(reverse("evaluation:verify", args=[registration.number]))
    data = certificate_pdf(registration, verify_url)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="techsme-{registration.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def report_change(request: HttpRequest, registration_id: int) -> HttpResponse:
    from datetime import date

    registration = _registration_for(request.user, registration_id)
    try:
        changed_on = date.fromisoformat(request.POST.get("changed_on", ""))
    except ValueError:
        changed_on = None
    return run_verb(request, lambda: services.do_report_change(
        actor=request.user, registration=registration, kind=request.POST.get("kind", ""), changed_on=changed_on,
        description=request.POST.get("description", ""), new_name=request.POST.get("new_name", "")),
        _("Your report of the change was sent to the agency."),
        reverse("evaluation:detail", args=[registration.filing_id]))
