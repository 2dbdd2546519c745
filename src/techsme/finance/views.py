"""Finance pages: the role's overview, the pool dashboard, loans and claims with their actions, exports.

Views only read through ``finance.selectors`` and write through ``finance.services``; a refused action is shown on
the page with its reason and the input kept (the page is rendered again with what was typed, never lost).
"""

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techsme.core.errors import Conflict, InvalidInput
from techsme.core.exports import spreadsheet_response, write_xlsx
from techsme.core.permissions import can
from techsme.finance import eligibility, selectors, vc
from techsme.finance import services as s
from techsme.finance.forms import ClaimForm, DocumentForm, LoanForm
from techsme.finance.models import (
    AgreementState,
    ClaimState,
    DocumentKind,
    LoanState,
)
from techsme.finance.services.claims import payment_problems, review_problems
from techsme.finance.services.common import labels
from techsme.finance.services.loans import acceptance_problems
from techsme.finance.services.pools import admission_problems, leverage, loss_ratio_pct
from techsme.finance.workflows import WORKFLOWS


def _run(request: HttpRequest, func: Callable[[], Any], done: str) -> bool:
    """Run a service verb; on refusal show why (and keep the page's input); on success say so."""
    try:
        func()
    except InvalidInput as exc:
        for error in exc.errors:
            messages.error(request, str(error.message))
        return False
    except Conflict as exc:
        messages.error(request, str(exc))
        return False
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
        return False
    messages.success(request, done)
    return True


def _allowed(user: Any, key: str, obj: Any) -> list[str]:
    from techsme.finance.permissions import action_name

    workflow = WORKFLOWS[key]
    return [t.name for t in workflow.transitions if obj.state in t.source and can(user, action_name(key, t.name), obj)]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (can(user, "finance.view") or can(user, "finance.borrower.view") or can(user, "finance.listing.view")):
        raise PermissionDenied
    pools = list(selectors.visible_pools(user))
    agreements = list(selectors.visible_agreements(user))
    for agreement in agreements:
        agreement.figures = leverage(agreement)
        agreement.loss_ratio = loss_ratio_pct(agreement)
    loans = selectors.visible_loans(user)
    context = {
        "pools": pools, "agreements": agreements,
        "is_bank": bool(selectors.bank_ids(user)),
        "admissions": selectors.visible_admissions(user).order_by("-applied_at")[:50],
        "loan_counts": dict(loans.values_list("state").annotate(n=Count("pk")).order_by()),
        "claim_counts": dict(selectors.visible_claims(user).values_list("state").annotate(n=Count("pk")).order_by()),
        "loan_states": LoanState.choices, "claim_states": ClaimState.choices,
        "my_loans": selectors.borrower_loans(user)[:50],
        "investments": [(i, vc.assess(i)) for i in selectors.own_investments(user)[:20]],
        "listing": selectors.own_listing(user)[:20],
        "may_manage": can(user, "finance.pool.manage"),
    }
    return render(request, "finance/home.html", context)


@login_required
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    pool = selectors.pool_for(user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        post = request.POST
        ok = False
        if action == "fund":
            ok = _run(request, lambda: s.do_fund_pool(actor=user, pool_id=pool.pk, amount=post.get("amount"),
                                                      request_key=post.get("request_key", "")),
                      _("The pool was funded."))
        elif action == "apply":
            ok = _run(request, lambda: s.do_apply_admission(
                actor=user, pool_id=pool.pk,
                local_branch_address=post.get("local_branch_address", ""),
                tech_branch_name=post.get("tech_branch_name", ""),
                tech_credit_staff=post.get("tech_credit_staff") or 0),
                _("The application was sent to the agency."))
        elif action in ("admit", "refuse"):
            admission = selectors.visible_admissions(user).filter(pk=post.get("admission_id") or 0).first()
            if admission is None:
                raise Http404
            verb = s.do_admit_bank if action == "admit" else s.do_refuse_admission
            kwargs = {"override_reason": post.get("override_reason", "")} if action == "admit" else {}
            ok = _run(request, lambda: verb(actor=user, admission_id=admission.pk, note=post.get("note", ""),
                                            **kwargs), _("The decision was recorded."))
        if ok:
            return redirect("finance:pool", pk=pool.pk)
    figures = selectors.pool_dashboard(pool, user)
    admissions = list(selectors.visible_admissions(user).filter(pool=pool))
    for admission in admissions:
        admission.problems = admission_problems(admission) if admission.state == "applied" else []
        admission.overridden_labels = labels(admission.overridden)
    agreements = list(selectors.visible_agreements(user).filter(pool=pool))
    for agreement in agreements:
        agreement.figures = leverage(agreement)
        agreement.loss_ratio = loss_ratio_pct(agreement)
        agreement.rule_lines = eligibility.describe_rule(agreement.eligibility)
    return render(request, "finance/pool.html", {
        "pool": pool, "figures": figures, "admissions": admissions, "agreements": agreements,
        "may_manage": can(user, "finance.pool.manage", pool), "may_override": can(user, "finance.override", pool),
        "may_apply": bool(selectors.bank_ids(user)) and not any(a.bank_id in selectors.bank_ids(user)
                                                                  for a in admissions if a.state in ("applied",
                                                                                                     "admitted")),
        "charts": _charts(figures), "post": request.POST, "suspended": AgreementState.SUSPENDED,
    })


def _bars(rows: list[Any], value: Callable[[Any], Any]) -> list[dict[str, Any]]:
    values = [value(r) for r in rows]
    top = max([v for v in values if v] or [1])
    return [{"label": r.label, "value": v, "pct": int(100 * v / top) if top else 0} for r, v in zip(rows, values,
                                                                                                    strict=True)]


def _charts(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        "enrolled_by_bank": _bars(figures["by_bank"], lambda r: r.enrolled),
        "enrolled_by_year": _bars(figures["by_year"], lambda r: r.enrolled),
        "default_by_bank": _bars(figures["by_bank"], lambda r: r.default_rate),
        "default_by_year": _bars(figures["by_year"], lambda r: r.default_rate),
        "comp_by_bank": _bars(figures["by_bank"], lambda r: r.compensation_rate),
        "comp_by_year": _bars(figures["by_year"], lambda r: r.compensation_rate),
    }


LOAN_COLUMNS = [
    ("contract_number", gettext_lazy("Loan contract number")), ("bank", gettext_lazy("Bank")),
    ("pool", gettext_lazy("Pool")), ("enterprise", gettext_lazy("Borrower")), ("amount", gettext_lazy("Loan amount")),
    ("outstanding", gettext_lazy("Principal outstanding")), ("granted_on", gettext_lazy("Granted on")),
    ("state", gettext_lazy("State")), ("eligible", gettext_lazy("Eligible when filed")),
]


@login_required
def loans(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = selectors.visible_loans(user)
    borrower = not can(user, "finance.view")
    if borrower:
        qs = selectors.borrower_loans(user)
    state = request.GET.get("state", "")
    if state in LoanState.values:
        qs = qs.filter(state=state)
    if request.GET.get("format") == "xlsx" and can(user, "finance.export"):
        rows = ({"contract_number": loan.contract_number, "bank": loan.agreement.bank.name,
                 "pool": loan.agreement.pool.name, "enterprise": loan.enterprise.name, "amount": loan.amount,
                 "outstanding": loan.outstanding, "granted_on": loan.granted_on, "state": loan.get_state_display(),
                 "eligible": _("yes") if loan.eligible else _("no")} for loan in qs.iterator(2000))
        return spreadsheet_response(write_xlsx(rows, [(k, str(v)) for k, v in LOAN_COLUMNS], _("Loans")),
                                    "loans.xlsx", "xlsx")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "finance/loans.html", {"page": page, "state": state, "states": LoanState.choices,
                                                  "borrower": borrower,
                                                  "agreements": selectors.visible_agreements(user).filter(
                                                      state=AgreementState.ACTIVE) if selectors.bank_ids(user)
                                                  else []})


@login_required
def loan_new(request: HttpRequest, agreement_pk: int) -> HttpResponse:
    agreement = selectors.visible_agreements(request.user).filter(pk=agreement_pk).first()
    if agreement is None or not can(request.user, "finance.loan.create", agreement):
        raise Http404
    form = LoanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        ids = [x.strip() for x in (data.pop("pledged_asset_ids") or "").replace("，", ",").split(",") if x.strip()]
        save_only = data.pop("save_only")
        from techsme.registry.models import IPAsset

        asset_ids = list(IPAsset.objects.filter(number__in=ids, enterprise__uscc=data["enterprise_uscc"].upper())
                         .values_list("pk", flat=True))
        if len(asset_ids) != len(ids):
            form.add_error("pledged_asset_ids", _("A pledged patent must be one of the borrower's own IP records."))
        else:
            try:
                loan = s.do_create_loan(actor=request.user, agreement_id=agreement.pk, pledged_asset_ids=asset_ids,
                                        file=not save_only, **data)
            except InvalidInput as exc:
                for error in exc.errors:
                    form.add_error(error.field if error.field in form.fields else None, str(error.message))
            except Conflict as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The loan was filed; the eligibility check is recorded on it.")
                                 if not save_only else _("The loan was saved; file it when it is complete."))
                return redirect("finance:loan", pk=loan.pk)
    return render(request, "finance/loan_form.html", {"form": form, "agreement": agreement,
                                                      "rule_lines": eligibility.describe_rule(agreement.eligibility)})


@login_required
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    loan = selectors.loan_for(user, pk)
    post = request.POST
    if request.method == "POST":
        action = post.get("action", "")
        verbs: dict[str, Callable[[], Any]] = {
            "file": lambda: s.do_file_loan(actor=user, loan_id=loan.pk),
            "withdraw": lambda: s.do_withdraw_loan(actor=user, loan_id=loan.pk),
            "accept": lambda: s.do_accept_loan(actor=user, loan_id=loan.pk, note=post.get("note", ""),
                                               override_reason=post.get("override_reason", "")),
            "refuse": lambda: s.do_refuse_loan(actor=user, loan_id=loan.pk, note=post.get("note", "")),
            "return": lambda: s.do_return_loan(actor=user, loan_id=loan.pk, note=post.get("note", "")),
            "repay": lambda: s.do_record_repayment(actor=user, loan_id=loan.pk, amount=post.get("amount"),
                                                   paid_on=post.get("paid_on")),
            "default": lambda: s.do_report_default(actor=user, loan_id=loan.pk, defaulted_on=post.get("defaulted_on")),
        }
        if action in verbs and _run(request, verbs[action], _("Done.")):
            return redirect("finance:loan", pk=loan.pk)
        loan = selectors.loan_for(user, pk)
    actions = _allowed(user, "loan", loan)
    claim = loan.claims.exclude(state__in=[ClaimState.REJECTED, ClaimState.WITHDRAWN]).first()
    return render(request, "finance/loan.html", {
        "loan": loan, "actions": actions, "checks": [eligibility.describe(c) for c in loan.eligibility_checks],
        "problems": acceptance_problems(loan) if "accept" in actions else [],
        "may_override": can(user, "finance.override", loan), "overridden": labels(loan.overridden),
        "claim": claim if claim and can(user, "finance.view", claim) else None,
        "may_claim": loan.state == LoanState.DEFAULTED and claim is None and can(user, "finance.claim.create", loan),
        "repayments": loan.repayments.all(), "pledged": loan.pledged_assets.all(), "post": post,
        "today": date.today().isoformat(),
    })


CLAIM_COLUMNS = [
    ("id", gettext_lazy("Claim")), ("bank", gettext_lazy("Bank")), ("enterprise", gettext_lazy("Borrower")),
    ("contract_number", gettext_lazy("Loan contract number")), ("loss", gettext_lazy("Principal lost")),
    ("requested", gettext_lazy("Compensation requested")), ("approved", gettext_lazy("Compensation approved")),
    ("state", gettext_lazy("State")),
]


@login_required
def claims(request: HttpRequest) -> HttpResponse:
    qs = selectors.visible_claims(request.user)
    state = request.GET.get("state", "")
    if state == "open_bank":
        qs = qs.filter(state__in=[ClaimState.DRAFT, ClaimState.RETURNED])
    elif state in ClaimState.values:
        qs = qs.filter(state=state)
    if request.GET.get("format") == "xlsx" and can(request.user, "finance.export"):
        rows = ({"id": c.pk, "bank": c.loan.agreement.bank.name, "enterprise": c.loan.enterprise.name,
                 "contract_number": c.loan.contract_number, "loss": c.loss, "requested": c.requested_amount,
                 "approved": c.approved_amount, "state": c.get_state_display()} for c in qs.iterator(2000))
        return spreadsheet_response(write_xlsx(rows, [(k, str(v)) for k, v in CLAIM_COLUMNS], _("Claims")),
                                    "claims.xlsx", "xlsx")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "finance/claims.html", {"page": page, "state": state, "states": ClaimState.choices})


@login_required
def claim_new(request: HttpRequest, loan_pk: int) -> HttpResponse:
    loan = selectors.loan_for(request.user, loan_pk)
    if not can(request.user, "finance.claim.create", loan):
        raise Http404
    form = ClaimForm(request.POST or None, request.FILES or None,
                     initial={"loss": loan.outstanding, "recovered_before": "0"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                claim = s.do_create_claim(actor=request.user, loan_id=loan.pk, loss=data["loss"],
                                          recovered_before=data["recovered_before"] or "0",
                                          explanation=data["explanation"])
                if data["document"]:
                    s.do_add_claim_document(actor=request.user, claim_id=claim.pk,
                                            kind=data["document_kind"] or DocumentKind.OTHER, upload=data["document"])
                if data["submit_now"]:
                    s.do_submit_claim(actor=request.user, claim_id=claim.pk)
        except InvalidInput as exc:
            for error in exc.errors:
                field = {"file": "document"}.get(error.field, error.field)
                form.add_error(field if field in form.fields else None, str(error.message))
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The claim was saved."))
            return redirect("finance:claim", pk=claim.pk)
    return render(request, "finance/claim_form.html", {"form": form, "loan": loan})


@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    claim = selectors.claim_for(user, pk)
    post = request.POST
    document_form = DocumentForm()
    if request.method == "POST":
        action = post.get("action", "")
        if action == "document":
            document_form = DocumentForm(post, request.FILES)
            if document_form.is_valid():
                if _run(request, lambda: s.do_add_claim_document(actor=user, claim_id=claim.pk,
                                                                 kind=document_form.cleaned_data["kind"],
                                                                 upload=document_form.cleaned_data["file"]),
                        _("The document was attached.")):
                    return redirect("finance:claim", pk=claim.pk)
        else:
            note, reason = post.get("note", ""), post.get("override_reason", "")
            verbs: dict[str, Callable[[], Any]] = {
                "submit": lambda: s.do_submit_claim(actor=user, claim_id=claim.pk),
                "withdraw": lambda: s.do_withdraw_claim(actor=user, claim_id=claim.pk),
                "first_review": lambda: s.do_first_review(actor=user, claim_id=claim.pk, note=note),
                "return": lambda: s.do_return_claim(actor=user, claim_id=claim.pk, note=note),
                "reject": lambda: s.do_reject_claim(actor=user, claim_id=claim.pk, note=note),
                "approve": lambda: s.do_approve_claim(actor=user, claim_id=claim.pk, note=note, override_reason=reason),
                "pay": lambda: s.do_pay_claim(actor=user, claim_id=claim.pk, override_reason=reason),
                "recover": lambda: s.do_record_recovery(actor=user, claim_id=claim.pk, amount=post.get("amount"),
                                                        recovered_on=post.get("recovered_on"),
                                                        request_key=post.get("request_key", "")),
            }
            if action in verbs and _run(request, verbs[action], _("Done.")):
                return redirect("finance:claim", pk=claim.pk)
        claim = selectors.claim_for(user, pk)
    actions = _allowed(user, "claim", claim)
    return render(request, "finance/claim.html", {
        "claim": claim, "loan": claim.loan, "actions": actions, "documents": claim.documents.all(),
        "problems": review_problems(claim) if "approve" in actions else
        payment_problems(claim, user) if "pay" in actions else [],
        "may_override": can(user, "finance.override", claim), "overridden": labels(claim.overridden),
        "pay_overridden": labels(claim.pay_overridden), "recoveries": claim.recoveries.all(),
        "document_form": document_form, "post": post, "request_key": uuid.uuid4().hex,
        "today": date.today().isoformat(), "capped": [str(c) for c in claim.capped_by],
    })


@login_required
def claim_document(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    claim = selectors.claim_for(request.user, pk)
    document = claim.documents.filter(pk=document_pk).first()
    if document is None:
        raise Http404
    return FileResponse(document.file.open("rb"), content_type=document.content_type, as_attachment=True,
                        filename=document.file.name.rsplit("/", 1)[-1])
