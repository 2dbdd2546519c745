"""Voucher pages: dashboards per role, programme, application, voucher, contract and provider pages, verification.

Views only read through ``vouchers.selectors`` and write through ``vouchers.services``; a service error becomes a
form error (InvalidInput), a page error (Conflict) or the 403 page (PermissionDenied).
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.accounts.models import Organisation
from techsme.accounts.roles import OrgKind, Role
from techsme.core.errors import Conflict, InvalidInput
from techsme.core.permissions import agency_prefixes, can, organisations
from techsme.registry.models import Enterprise
from techsme.vouchers import catalogue, eligibility, exports, selectors
from techsme.vouchers import services as s
from techsme.vouchers.forms import (
    SERVICE_ROWS,
    ApplicationForm,
    ContractForm,
    DecisionForm,
    DeliveryForm,
    FundForm,
    PeriodForm,
    ProgrammeEditForm,
    ProgrammeForm,
    ProviderForm,
    ReasonForm,
    RedeemForm,
    RefundForm,
    ServiceForm,
    ServiceRowForm,
    VerificationForm,
    VerifyForm,
)
from techsme.vouchers.models import (
    ApplicationState,
    ContractState,
    ProgrammeState,
    ProviderService,
    ProviderState,
    ServiceCategory,
    VoucherState,
)
from techsme.vouchers.permissions import action_name
from techsme.vouchers.services import criteria
from techsme.vouchers.workflows import WORKFLOWS

STATE_ACTIONS: dict[str, Callable[..., Any]] = {
    "suspend": s.do_suspend_programme,
    "resume": s.do_resume_programme,
    "close": s.do_close_programme,
}


def _add_errors(form: Any, exc: InvalidInput) -> None:
    for error in exc.errors:
        form.add_error(error.field if error.field in form.fields else None, str(error.message))


def _attempt(request: HttpRequest, form: Any, func: Callable[[], Any]) -> tuple[bool, Any]:
    """Run a service verb; on refusal attach the message to the form (or the page) and report failure."""
    try:
        return True, func()
    except s.DuplicateSubmission as exc:
        messages.info(request, str(exc))
        return True, exc.existing
    except InvalidInput as exc:
        if form is None:
            for error in exc.errors:
                messages.error(request, str(error.message))
        else:
            _add_errors(form, exc)
        return False, None
    except Conflict as exc:
        if form is None:
            messages.error(request, str(exc))
        else:
            form.add_error(None, str(exc))
        return False, None


def _status(*forms: Any) -> int:
    return 422 if any(f is not None and f.is_bound and f.errors for f in forms) else 200


def _my_enterprises(user: Any) -> list[Enterprise]:
    if user.is_superuser:
        return []
    return list(Enterprise.objects.filter(organisation_id__in=organisations(user)).order_by("name"))


def _my_provider_orgs(user: Any) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=organisations(user, {Role.PROVIDER_STAFF}),
                                            kind=OrgKind.PROVIDER))


def _is_agency(user: Any) -> bool:
    return bool(agency_prefixes(user))


# --- dashboards ---------------------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"open_programmes": selectors.open_programmes().exclude(
        state=ProgrammeState.CLOSED).order_by("-year", "name")}
    if _is_agency(user):
        programmes = list(selectors.managed_programmes(user).order_by("-year", "name"))
        context["managed"] = [(p, selectors.programme_figures(p)) for p in programmes]
        context["can_create"] = can(user, "vouchers.programme.manage")
    if _my_enterprises(user):
        context["enterprise"] = selectors.enterprise_summary(user)
    if _my_provider_orgs(user):
        context["provider"] = selectors.provider_summary(user)
    return render(request, "vouchers/index.html", context)


def _agency_choices(user: Any) -> list[tuple[int, str]]:
    orgs = Organisation.objects.filter(kind=OrgKind.AGENCY).order_by("region_code")
    return [(o.pk, f"{o.name} ({o.region_code})") for o in orgs if can(user, "vouchers.programme.manage", o)]


@login_required
def programme_new(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "vouchers.programme.manage"):
        raise PermissionDenied
    today = timezone.localdate()
    form = ProgrammeForm(request.POST or None, initial={
        "year": today.year, "valid_until": today.replace(month=12, day=31), "max_contract_share": "0.5",
        "categories": [ServiceCategory.TESTING, ServiceCategory.INSTRUMENT, ServiceCategory.RD]})
    form.fields["agency"].choices = _agency_choices(request.user)
    form.fields["recognised"].choices = [(p.pk, f"{p.name} ({p.year})") for p in selectors.open_programmes()]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        agency = Organisation.objects.get(pk=d["agency"])
        ok, programme = _attempt(request, form, lambda: s.do_create_programme(
            actor=request.user, agency=agency, name=d["name"], year=d["year"], budget=d["budget"],
            cap_per_enterprise_year=d["cap_per_enterprise_year"], cap_per_application=d["cap_per_application"],
            max_contract_share=d["max_contract_share"], categories=d["categories"], valid_until=d["valid_until"],
            eligibility_rule=form.eligibility_rule(), recognised=d["recognised"]))
        if ok:
            messages.success(request, _("The programme was created and its budget funded."))
            return redirect("vouchers:programme", pk=programme.pk)
    return render(request, "vouchers/programme_form.html", {"form": form}, status=_status(form))


def _reimbursement_preview(programme: Any, period_form: Any) -> Any:
    """What "Reimburse verified contracts" would pay and hold for the period in the form (None if it is invalid)."""
    try:
        return s.reimbursement_preview(programme, period_form["period"].value() or s.current_period())
    except InvalidInput:
        return None


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    programme = selectors.programme_for(user, pk)
    manages = selectors.manages(user, programme)
    fund_form = FundForm(prefix="fund")
    period_form = PeriodForm(prefix="period", initial={"period": s.current_period()})
    state_forms = {name: ReasonForm(prefix=name) for name in ("suspend", "close")}
    status = 200
    if request.method == "POST":
        if not manages:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "fund":
            fund_form = FundForm(request.POST, prefix="fund")
            if fund_form.is_valid():
                ok, _r = _attempt(request, fund_form, lambda: s.do_fund_programme(
                    actor=user, programme_id=programme.pk, amount=fund_form.cleaned_data["amount"],
                    request_key=fund_form.cleaned_data["submission_key"]))
                if ok:
                    messages.success(request, _("The budget was topped up."))
                    return redirect("vouchers:programme", pk=programme.pk)
        elif action == "reimburse":
            period_form = PeriodForm(request.POST, prefix="period")
            if period_form.is_valid():
                ok, batches = _attempt(request, period_form, lambda: s.do_reimburse(
                    actor=user, programme_id=programme.pk, period=period_form.cleaned_data["period"]))
                if ok:
                    if batches:
                        messages.success(request, _("%(n)d reimbursement batch(es) were paid.") % {"n": len(batches)})
                    else:
                        messages.info(request, _("There is nothing to reimburse for this period."))
                    return redirect("vouchers:programme", pk=programme.pk)
        elif action == "expire":
            from techsme.core.jobs import start_job

            job = start_job(actor=user, kind="vouchers.expire", params={"programme": programme.pk})
            messages.info(request, _("The expiry run was started as background job %(id)d; expired vouchers of this "
                                     "programme return their balance to the budget.") % {"id": job.pk})
            return redirect("vouchers:programme", pk=programme.pk)
        elif action in STATE_ACTIONS:
            state_form = ReasonForm(request.POST, prefix=action) if action != "resume" else None
            if state_form is None or state_form.is_valid():
                reason = state_form.cleaned_data["reason"] if state_form is not None else ""
                ok, _r = _attempt(request, state_form, lambda: STATE_ACTIONS[action](
                    actor=user, programme_id=programme.pk, reason=reason))
                if ok:
                    messages.success(request, _("Done: %(action)s.") % {
                        "action": WORKFLOWS["programme"].transition(action).label})
                    return redirect("vouchers:programme", pk=programme.pk)
                if state_form is None or not any(state_form.errors.get(f) for f in state_form.fields):
                    status = 409  # refused by the state table (or the ledger): a conflict, not bad input
            if state_form is not None:
                state_forms[action] = state_form
    context: dict[str, Any] = {
        "programme": programme,
        "manages": manages,
        "rule": [[eligibility.describe(c) for c in group] for group in eligibility.normalise(programme.eligibility)],
        "recognised": programme.recognised.all(),
        "can_apply": bool(_my_enterprises(user)) and programme.valid_until >= timezone.localdate()
        and programme.state == ProgrammeState.OPEN,
        "state_actions": [t.name for t in WORKFLOWS["programme"].allowed(s.actor_roles(user), programme.state)
                          if t.name in STATE_ACTIONS and can(user, action_name("programme", t.name), programme)],
        "may_edit": programme.state != ProgrammeState.CLOSED
        and can(user, action_name("programme", "edit"), programme),
        "state_forms": state_forms,
        "can_register": bool(_my_provider_orgs(user)),
        "fund_form": fund_form,
        "period_form": period_form,
    }
    if manages:
        context.update({
            "figures": selectors.programme_figures(programme),
            "waiting": [(a, criteria.application_problems(a, timezone.localdate())) for a in programme.applications
                        .filter(state=ApplicationState.SUBMITTED).select_related("enterprise", "programme")],
            "overridden_applications": programme.applications.exclude(overridden=[]).select_related("enterprise"),
            "providers": programme.providers.order_by("state", "institution"),
            "to_verify": [(c, criteria.verification_problems(c)) for c in selectors.visible_contracts(user).filter(
                voucher__programme=programme, state=ContractState.DELIVERED)],
            "reimbursement": _reimbursement_preview(programme, period_form),
            "vouchers": programme.vouchers.select_related("enterprise", "account").order_by("-issued_at")[:100],
            "batches": programme.batches.select_related("provider")[:50],
        })
    return render(request, "vouchers/programme.html", context,
                  status=status if status != 200 else _status(fund_form, period_form, *state_forms.values()))


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for(request.user, pk)
    enterprises = _my_enterprises(request.user)
    if not enterprises:
        raise PermissionDenied
    form = ApplicationForm(request.POST or None)
    form.fields["enterprise"].choices = [(e.pk, e.name) for e in enterprises]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, application = _attempt(request, form, lambda: s.do_apply(
            actor=request.user, programme_id=programme.pk, enterprise_id=d["enterprise"], amount=d["amount"],
            purpose=d["purpose"], submission_key=d["submission_key"]))
        if ok:
            messages.success(request, _("Your application was submitted."))
            return redirect("vouchers:application", pk=application.pk)
    return render(request, "vouchers/apply.html", {"programme": programme, "form": form}, status=_status(form))


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    may_decide = can(request.user, action_name("application", "approve"), application)
    form = DecisionForm(request.POST or None, initial={"amount": application.amount})
    if not criteria.may_override(request.user, application):
        del form.fields["override"], form.fields["override_reason"]
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        approve = request.POST.get("decision") == "approve"
        if form.is_valid():
            ok, _r = _attempt(request, form, lambda: s.do_decide_application(
                actor=request.user, application_id=application.pk, approve=approve,
                amount=form.cleaned_data["amount"] or None, reason=form.cleaned_data["reason"],
                override_reason=form.cleaned_data["override_reason"] if approve else ""))
            if ok:
                messages.success(request, _("The voucher was issued.") if approve else
                                 _("The application was rejected."))
                return redirect("vouchers:application", pk=application.pk)
    waiting = application.state == ApplicationState.SUBMITTED
    return render(request, "vouchers/application.html", {
        "application": application, "form": form,
        "problems": criteria.application_problems(application, timezone.localdate()) if waiting else [],
        "overridden": criteria.labels(application.overridden),
        "may_override": criteria.may_override(request.user, application),
        "may_decide": may_decide and application.state == ApplicationState.SUBMITTED,
        "voucher": getattr(application, "voucher", None) if application.state == ApplicationState.APPROVED else None,
    }, status=_status(form))


@login_required
def voucher_detail(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = selectors.voucher_for(request.user, pk)
    may_cancel = can(request.user, action_name("voucher", "cancel"), voucher) and voucher.state == VoucherState.ACTIVE
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        if not may_cancel:
            raise PermissionDenied
        if form.is_valid():
            ok, _r = _attempt(request, form, lambda: s.do_cancel_voucher(
                actor=request.user, voucher_id=voucher.pk, reason=form.cleaned_data["reason"]))
            if ok:
                messages.success(request, _("The voucher was cancelled; its balance returned to the budget."))
                return redirect("vouchers:voucher", pk=voucher.pk)
    return render(request, "vouchers/voucher.html", {
        "voucher": voucher, "history": selectors.voucher_history(voucher),
        "contracts": voucher.contracts.select_related("provider"),
        "may_record": can(request.user, "vouchers.contract.record", voucher) and voucher.state == VoucherState.ACTIVE,
        "may_cancel": may_cancel, "form": form,
    }, status=_status(form))


@login_required
def contract_new(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = selectors.voucher_for(request.user, pk)
    if not can(request.user, "vouchers.contract.record", voucher):
        raise PermissionDenied
    providers = list(selectors.providers_accepting(voucher))
    form = ContractForm(request.POST or None, request.FILES or None)
    form.fields["provider"].choices = [(p.pk, p.institution) for p in providers]
    labels = dict(ServiceCategory.choices)
    form.fields["category"].choices = [(c, labels[c]) for c in voucher.programme.categories if c in labels]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, contract = _attempt(request, form, lambda: s.do_record_contract(
            actor=request.user, voucher_id=voucher.pk, provider_id=d["provider"], category=d["category"],
            amount=d["amount"], description=d["description"], document=d.get("document"),
            submission_key=d["submission_key"]))
        if ok:
            messages.success(request, _("The contract was recorded. Give the voucher code to the provider."))
            return redirect("vouchers:contract", pk=contract.pk)
    return render(request, "vouchers/contract_form.html", {"voucher": voucher, "form": form,
                                                           "providers": providers}, status=_status(form))


CONTRACT_ACTIONS = {
    "redeem": RedeemForm, "confirm_delivery": DeliveryForm, "verify": VerificationForm, "refund": RefundForm,
    "cancel": ReasonForm, "withdraw": None,
}


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contract = selectors.contract_for(user, pk)
    forms: dict[str, Any] = {name: cls(prefix=name) for name, cls in CONTRACT_ACTIONS.items() if cls}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in CONTRACT_ACTIONS:
            raise Http404
        cls = CONTRACT_ACTIONS[action]
        form = cls(request.POST, prefix=action) if cls else None
        if form is not None:
            forms[action] = form
        if form is None or form.is_valid():
            d = form.cleaned_data if form is not None else {}
            calls: dict[str, Callable[[], Any]] = {
                "redeem": lambda: s.do_redeem(actor=user, contract_id=contract.pk, voucher_code=d["voucher_code"],
                                              amount=d.get("amount") or None),
                "confirm_delivery": lambda: s.do_confirm_delivery(actor=user, contract_id=contract.pk,
                                                                  report=d["report"]),
                "verify": lambda: s.do_verify_contract(actor=user, contract_id=contract.pk,
                                                       override_reason=d["override_reason"]),
                "refund": lambda: s.do_refund_contract(actor=user, contract_id=contract.pk, amount=d["amount"],
                                                       reason=d["reason"], request_key=d["submission_key"]),
                "cancel": lambda: s.do_cancel_contract(actor=user, contract_id=contract.pk, reason=d["reason"]),
                "withdraw": lambda: s.do_withdraw_contract(actor=user, contract_id=contract.pk),
            }
            ok, _r = _attempt(request, form, calls[action])
            if ok:
                messages.success(request, _("Done: %(action)s.") % {
                    "action": WORKFLOWS["contract"].transition(action).label})
                return redirect("vouchers:contract", pk=contract.pk)
    provider_side = can(user, "vouchers.contract.redeem", contract.provider)
    allowed = {t.name for t in WORKFLOWS["contract"].allowed(s.actor_roles(user), contract.state)}
    visible = set()
    for name in allowed:
        target = contract.provider if name in ("redeem", "confirm_delivery") else contract
        if name == "withdraw":
            if can(user, action_name("contract", name), contract) or provider_side:
                visible.add(name)
        elif can(user, action_name("contract", name), target):
            visible.add(name)
    voucher = contract.voucher
    voucher.account.refresh_from_db(fields=["balance"])
    return render(request, "vouchers/contract.html", {
        "contract": contract, "voucher": voucher, "actions": visible, "forms": forms,
        "allowed": s.allowed_redemption(voucher, contract) if contract.state == ContractState.RECORDED else None,
        "is_enterprise": can(user, "vouchers.contract.record", voucher),
        "problems": criteria.verification_problems(contract) if contract.state == ContractState.DELIVERED else [],
        "overridden": criteria.labels(contract.overridden),
        "may_override": criteria.may_override(user, contract),
    }, status=_status(*forms.values()))


@login_required
def provider_register(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for(request.user, pk)
    orgs = _my_provider_orgs(request.user)
    if not orgs:
        raise PermissionDenied
    organisation = orgs[0]
    form = ProviderForm(request.POST or None, initial={"institution": organisation.name})
    rows = [ServiceRowForm(request.POST or None, prefix=f"s{i}") for i in range(SERVICE_ROWS)]
    if request.method == "POST" and form.is_valid() and all(r.is_valid() for r in rows):
        services = [r.cleaned_data for r in rows if any(r.cleaned_data.values())]
        ok, provider = _attempt(request, form, lambda: s.do_register_provider(
            actor=request.user, organisation_id=organisation.pk, programme_id=programme.pk,
            institution=form.cleaned_data["institution"], accreditation=form.cleaned_data["accreditation"],
            services=services, uscc=form.cleaned_data.get("uscc", "")))
        if ok:
            messages.success(request, _("Your registration was sent to the agency for approval."))
            return redirect("vouchers:provider", pk=provider.pk)
    return render(request, "vouchers/provider_form.html", {
        "programme": programme, "form": form, "rows": rows, "organisation": organisation,
    }, status=_status(form, *rows))


@login_required
def provider_detail(request: HttpRequest, pk: int) -> HttpResponse:
    provider = selectors.provider_for(request.user, pk)
    may_decide = can(request.user, action_name("provider", "approve"), provider)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        approve = request.POST.get("decision") == "approve"
        if form.is_valid():
            ok, _r = _attempt(request, form, lambda: s.do_decide_provider(
                actor=request.user, provider_id=provider.pk, approve=approve, reason=form.cleaned_data["reason"]))
            if ok:
                messages.success(request, _("The provider was approved.") if approve else
                                 _("The registration was rejected."))
                return redirect("vouchers:provider", pk=provider.pk)
    return render(request, "vouchers/provider.html", {
        "provider": provider, "form": form, "services": provider.services.all(),
        "may_edit_services": can(request.user, action_name("provider", "edit_service"), provider)
        and provider.state != ProviderState.REJECTED,
        "may_decide": may_decide and provider.state == ProviderState.PENDING,
    }, status=_status(form))


def verify(request: HttpRequest) -> HttpResponse:
    """Public: anyone can check that a voucher code is genuine (no balance is shown)."""
    form = VerifyForm(request.GET or None)
    result = selectors.verify_code(form.cleaned_data["code"]) if form.is_bound and form.is_valid() else None
    return render(request, "vouchers/verify.html", {"form": form, "result": result})


# --- programme settings, provider catalogue, documents, payment files ------------------------------------------------


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the settings of a programme (managers of its agency; not once it is closed)."""
    programme = selectors.programme_for(request.user, pk)
    if not can(request.user, action_name("programme", "edit"), programme):
        raise PermissionDenied
    initial = {name: getattr(programme, name) for name in s.EDITABLE}
    form = ProgrammeEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        ok, _r = _attempt(request, form, lambda: s.do_edit_programme(
            actor=request.user, programme_id=programme.pk, **form.cleaned_data))
        if ok:
            messages.success(request, _("The programme settings were saved."))
            return redirect("vouchers:programme", pk=programme.pk)
        if not any(form.errors.get(f) for f in form.fields):
            status = 409
    return render(request, "vouchers/programme_edit.html", {"programme": programme, "form": form},
                  status=status if status != 200 else _status(form))


def _catalogue_provider(request: HttpRequest, pk: int) -> Any:
    provider = selectors.provider_for(request.user, pk)
    if not can(request.user, action_name("provider", "edit_service"), provider):
        raise PermissionDenied
    return provider


@login_required
def provider_service_new(request: HttpRequest, pk: int) -> HttpResponse:
    provider = _catalogue_provider(request, pk)
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _r = _attempt(request, form, lambda: catalogue.do_add_service(
            actor=request.user, provider_id=provider.pk, data=form.cleaned_data))
        if ok:
            messages.success(request, _("The service was added."))
            return redirect("vouchers:provider", pk=provider.pk)
    return render(request, "vouchers/service_form.html", {"provider": provider, "form": form, "service": None},
                  status=_status(form))


@login_required
def provider_service_edit(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    provider = _catalogue_provider(request, pk)
    service = ProviderService.objects.filter(pk=service_pk, provider=provider).first()
    if service is None:
        raise Http404
    form = ServiceForm(request.POST or None, initial={f: getattr(service, f) for f in
                                                      ("name", "category", "price", "unit", "description")})
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "withdraw":
            ok, _r = _attempt(request, None, lambda: catalogue.do_withdraw_service(
                actor=request.user, service_id=service.pk))
            if ok:
                messages.success(request, _("The service was withdrawn; it is no longer offered."))
                return redirect("vouchers:provider", pk=provider.pk)
            status = 409
        elif form.is_valid():
            ok, _r = _attempt(request, form, lambda: catalogue.do_edit_service(
                actor=request.user, service_id=service.pk, data=form.cleaned_data))
            if ok:
                messages.success(request, _("The service was saved."))
                return redirect("vouchers:provider", pk=provider.pk)
    return render(request, "vouchers/service_form.html", {"provider": provider, "form": form, "service": service},
                  status=status if status != 200 else _status(form))


@login_required
def contract_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract document, for the contract's enterprise, its provider and agency staff in scope (else 404)."""
    from django.http import FileResponse

    contract = selectors.contract_for(request.user, pk)
    if not contract.document:
        raise Http404
    try:
        handle = contract.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = contract.document.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def batch_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The payment file of a reimbursement batch (``?format=csv`` or ``xlsx``)."""
    batch = selectors.batch_for(request.user, pk)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    return exports.batch_response(batch, fmt)
