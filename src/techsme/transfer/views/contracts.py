"""Technology-contract pages: the seller's entry, the registrar's queue and decision, amendments, the certificate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techsme.core.errors import InvalidInput
from techsme.core.permissions import can, organisations
from techsme.transfer import selectors, services
from techsme.transfer.forms import ContractForm, RegisterForm, service_data
from techsme.transfer.models import ContractState, Match
from techsme.transfer.pdf import certificate_pdf
from techsme.transfer.permissions import PUBLISHER_ROLES, SELLER_ROLES
from techsme.transfer.views.common import acting_org, contract_labels
from techsme.transfer.views.workspace import _act, _problems


@login_required
def contracts(request: HttpRequest) -> HttpResponse:
    user = request.user
    rows = [{"c": c, **contract_labels(c)} for c in selectors.visible_contracts(user)[:200]]
    queue = [{"c": c, **contract_labels(c)} for c in selectors.registration_queue(user)[:200]]
    return render(request, "transfer/contracts.html", {
        "rows": rows, "queue": queue, "may_submit": can(user, "transfer.contract.submit"),
    })


def _initial_from_match(request: HttpRequest) -> dict:
    match_id = request.GET.get("match", "")
    if not match_id.isdigit():
        return {}
    match = Match.objects.select_related("need__enterprise", "outcome").filter(pk=int(match_id)).first()
    if match is None or not can(request.user, "transfer.match.outcome_side", match.outcome) or not match.contact_open:
        return {}
    enterprise = match.need.enterprise
    return {"title": match.outcome.title_zh, "buyer_name": enterprise.name, "industry_code":
            match.outcome.industry_code, "patent_numbers": "\n".join(match.outcome.patent_numbers),
            "outcome_id": match.outcome.pk, "buyer_id": enterprise.organisation_id}


@login_required
def contract_form(request: HttpRequest) -> HttpResponse:
    seller = acting_org(request.user, SELLER_ROLES)
    form = ContractForm(request.POST or None, initial=_initial_from_match(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                contract = services.do_submit_contract(actor=request.user, seller=seller, data=service_data(form))
            except InvalidInput as exc:
                form.show_errors(exc)
            else:
                messages.success(request, _("The contract was sent to the registration office; the decision is due "
                                            "by %(date)s.") % {"date": contract.due_on.isoformat()})
                return redirect("transfer:contract", pk=contract.pk)
        status = 422
    return render(request, "transfer/contract_form.html", {"form": form, "seller": seller}, status=status)


@login_required
def contract_page(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_for(request.user, pk)
    user = request.user
    register_form = RegisterForm(initial={"category": f"{contract.category}:{contract.subtype}",
                                          "tech_amount": contract.contract_amount})
    own = set(organisations(user, PUBLISHER_ROLES))
    rater = next((o for o in (contract.seller_id, contract.buyer_id) if o in own), None)
    return render(request, "transfer/contract.html", {
        "c": contract, **contract_labels(contract), "register_form": register_form,
        "may_register": contract.state == ContractState.SUBMITTED and can(user, "transfer.contract.register", contract),
        "may_second": contract.state == ContractState.SECOND_REVIEW
        and can(user, "transfer.contract.second_review", contract),
        "may_amend": contract.state == ContractState.REGISTERED and can(user, "transfer.contract.amend", contract),
        "may_rate": rater is not None and contract.broker_id and contract.state == ContractState.REGISTERED
        and not contract.ratings.filter(rater_org_id=rater).exists(),
        "amendments": contract.amendments.select_related("amended_by"),
    })


@login_required
@require_POST
def contract_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    contract = selectors.contract_for(request.user, pk)
    user, post = request.user, request.POST
    if action == "register":
        classification = post.get("category", "")
        category, _sep, subtype = classification.partition(":")
        problems = _act(request, lambda: services.do_register_contract(
            actor=user, contract_id=pk, tech_amount=post.get("tech_amount", "")[:20], category=category,
            subtype=subtype, expert_opinion=post.get("expert_opinion", "")[:4000]), _("Decision recorded."))
    elif action == "refuse":
        problems = _act(request, lambda: services.do_refuse_contract(actor=user, contract_id=pk,
                                                                     reason=post.get("reason", "")[:2000]),
                        _("The contract is not registered; the seller is told why."))
    elif action in ("second-approve", "second-refuse"):
        problems = _act(request, lambda: services.do_second_review(
            actor=user, contract_id=pk, approve=action == "second-approve", note=post.get("note", "")[:2000]),
            _("Second review recorded."))
    elif action == "amend":
        problems = _act(request, lambda: services.do_amend_contract(
            actor=user, contract_id=pk, field=post.get("field", ""), value=post.get("value", "")[:20],
            reason=post.get("reason", "")[:2000]), _("The amendment is recorded."))
    elif action == "rate":
        own = set(organisations(user, PUBLISHER_ROLES))
        rater = next((o for o in (contract.seller, contract.buyer) if o is not None and o.pk in own), None)
        if rater is None:
            raise PermissionDenied
        stars = post.get("stars", "")
        problems = _act(request, lambda: services.do_rate_broker(
            actor=user, contract_id=pk, organisation=rater, stars=int(stars) if stars.isdigit() else 0,
            comment=post.get("comment", "")[:500]), _("Thank you for rating the broker."))
    else:
        raise Http404
    _problems(request, problems)
    return redirect("transfer:contract", pk=pk)


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_for(request.user, pk)
    if contract.state != ContractState.REGISTERED:
        raise Http404
    url = request.build_absolute_uri(reverse("transfer:verify", args=[contract.registration_number]))
    response = HttpResponse(certificate_pdf(contract, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="contract-{contract.registration_number}.pdf"'
    return response
