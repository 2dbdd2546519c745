"""Pages where outcomes and needs are written, moderated and matched, and where the two sides meet."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techsme.core.errors import Conflict, InvalidInput
from techsme.core.permissions import can, organisations
from techsme.transfer import selectors, services
from techsme.transfer.forms import NeedForm, OutcomeForm, service_data
from techsme.transfer.models import Match, Need, Outcome, OutcomeState
from techsme.transfer.permissions import PUBLISHER_ROLES
from techsme.transfer.services.outcomes import EDITABLE, publication_problems
from techsme.transfer.views.common import acting_enterprise, acting_org, explain, industry_label, outcome_row


def _act(request: HttpRequest, verb: Callable[[], Any], done: str) -> list[str]:
    """Run a verb for a POST button: a message on success, the problems on refusal."""
    try:
        verb()
    except services.Refused as exc:
        return exc.problems
    except Conflict as exc:
        return [str(exc)]
    except InvalidInput as exc:
        return [str(e.message) for e in exc.errors]
    except (Outcome.DoesNotExist, Need.DoesNotExist, Match.DoesNotExist):
        raise Http404 from None
    messages.success(request, done)
    return []


def _problems(request: HttpRequest, problems: list[str]) -> None:
    for problem in problems:
        messages.error(request, problem)


# ---- outcomes
def outcome_page(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = selectors.outcome_for(request.user, pk)
    user = request.user
    manages = can(user, "transfer.outcome.view", outcome)
    matches = selectors.matches_of_outcome(user, outcome)[:20] if manages else []
    moderator = can(user, "transfer.outcome.moderate", outcome) and outcome.state == OutcomeState.SUBMITTED
    return render(request, "transfer/outcome.html", {
        **outcome_row(outcome), "manages": manages, "may_edit": can(user, "transfer.outcome.edit", outcome),
        "editable": outcome.state in EDITABLE, "matches": matches, "moderator": moderator,
        "problems": publication_problems(outcome, user) if moderator else [],
        "may_contract": can(user, "transfer.contract.submit", outcome.owner),
    })


@login_required
def outcome_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    outcome = None
    if pk:
        outcome = selectors.managed_outcomes(request.user).filter(pk=pk).first()
        if outcome is None or not can(request.user, "transfer.outcome.edit", outcome):
            raise Http404
    organisation = outcome.owner if outcome else acting_org(request.user, PUBLISHER_ROLES)
    initial = {}
    if outcome:
        initial = {f: getattr(outcome, f) for f in OutcomeForm.base_fields if hasattr(outcome, f)}
        initial["patent_numbers"] = "\n".join(outcome.patent_numbers)
    form = OutcomeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.do_save_outcome(actor=request.user, organisation=organisation,
                                                 data=service_data(form), outcome_id=outcome.pk if outcome else None)
            except InvalidInput as exc:
                form.show_errors(exc)
            except Conflict as exc:
                form.add_error(None, str(exc))
            else:
                if request.POST.get("submit") == "1":
                    services.do_submit_outcome(actor=request.user, outcome_id=saved.pk)
                    messages.success(request, _("The outcome was sent to the moderator."))
                else:
                    messages.success(request, _("The outcome was saved as a draft."))
                return redirect("transfer:outcome", pk=saved.pk)
        status = 422
    return render(request, "transfer/outcome_form.html", {"form": form, "outcome": outcome,
                                                          "organisation": organisation}, status=status)


@login_required
@require_POST
def outcome_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    verbs = {
        "submit": (lambda: services.do_submit_outcome(actor=request.user, outcome_id=pk),
                   _("The outcome was sent to the moderator.")),
        "withdraw": (lambda: services.do_withdraw_outcome(actor=request.user, outcome_id=pk),
                     _("The outcome was withdrawn.")),
        "approve": (lambda: services.do_approve_outcome(actor=request.user, outcome_id=pk,
                                                        note=request.POST.get("note", "")[:2000]),
                    _("The outcome is published.")),
        "return": (lambda: services.do_return_outcome(actor=request.user, outcome_id=pk,
                                                      note=request.POST.get("note", "")[:2000]),
                   _("The outcome was returned to its owner.")),
    }
    if action not in verbs:
        raise Http404
    selectors.outcome_for(request.user, pk)  # 404 outside what the user may see
    verb, done = verbs[action]
    _problems(request, _act(request, verb, done))
    return redirect("transfer:outcome", pk=pk)


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "transfer.outcome.moderate"):
        raise PermissionDenied
    queue = [outcome_row(o) | {"problems": publication_problems(o, request.user)}
             for o in selectors.moderation_queue(request.user)[:200]]
    return render(request, "transfer/moderation.html", {"queue": queue,
                                                        "may_rank": can(request.user, "transfer.match.run")})


@login_required
@require_POST
def rank_all(request: HttpRequest) -> HttpResponse:
    """Start the background ranking of every open need; the job page shows its progress."""
    from techsme.transfer.jobs import do_start_ranking

    job = do_start_ranking(actor=request.user)
    return redirect("web:job", job_id=job.pk)


# ---- needs
def need_page(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_for(request.user, pk)
    user = request.user
    owner = can(user, "transfer.need.view", need)
    rows = []
    if owner:
        for match in selectors.matches_of_need(user, need)[:10]:
            rows.append({"m": match, "row": outcome_row(match.outcome), "parts": explain(match.reasons,
                                                                                         show_budget=True)})
    return render(request, "transfer/need.html", {
        "need": need, "industry": industry_label(need.industry_code), "owner": owner,
        "details_visible": selectors.may_see_details(user, need), "rows": rows,
        "may_edit": can(user, "transfer.need.edit", need),
    })


@login_required
def need_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    need = None
    if pk:
        need = selectors.own_needs(request.user).filter(pk=pk).first()
        if need is None or not can(request.user, "transfer.need.edit", need):
            raise Http404
    enterprise = need.enterprise if need else acting_enterprise(request.user)
    initial = {f: getattr(need, f) for f in NeedForm.base_fields} if need else {}
    form = NeedForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.do_save_need(actor=request.user, enterprise=enterprise, data=service_data(form),
                                              need_id=need.pk if need else None)
            except InvalidInput as exc:
                form.show_errors(exc)
            except Conflict as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The need is published; matching outcomes are listed below."))
                return redirect("transfer:need", pk=saved.pk)
        status = 422
    return render(request, "transfer/need_form.html", {"form": form, "need": need, "enterprise": enterprise},
                  status=status)


@login_required
@require_POST
def need_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    need = selectors.need_for(request.user, pk)
    if not can(request.user, "transfer.need.edit", need):
        raise Http404
    if action == "close":
        _problems(request, _act(request, lambda: services.do_close_need(actor=request.user, need_id=pk),
                                _("The need is closed.")))
    elif action == "rematch":
        count = services.match_need(pk)
        messages.success(request, _("Matching ran again: %(n)d outcomes ranked.") % {"n": count})
    else:
        raise Http404
    return redirect("transfer:need", pk=pk)


# ---- matches
def _side(user: Any, match: Match) -> str:
    if can(user, "transfer.match.need_side", match.need):
        return "need"
    if can(user, "transfer.match.outcome_side", match.outcome):
        return "outcome"
    return "agency"


@login_required
def match_page(request: HttpRequest, pk: int) -> HttpResponse:
    match = selectors.match_for(request.user, pk)
    side = _side(request.user, match)
    own_interest = match.need_interest_at if side == "need" else match.outcome_interest_at if side == "outcome" \
        else None
    return render(request, "transfer/match.html", {
        "m": match, "side": side, "parts": explain(match.reasons, show_budget=side != "outcome"),
        "row": outcome_row(match.outcome), "own_interest": own_interest,
        "details_visible": selectors.may_see_details(request.user, match.need),
        "messages_list": match.messages.select_related("sender_org") if match.contact_open else [],
        "may_contract": side == "outcome" and match.contact_open,
    })


@login_required
@require_POST
def match_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    selectors.match_for(request.user, pk)
    if action == "interest":
        problems = _act(request, lambda: services.do_express_interest(actor=request.user, match_id=pk),
                        _("The other side is told that you are interested."))
    elif action == "message":
        problems = _act(request, lambda: services.do_send_message(actor=request.user, match_id=pk,
                                                                  body=request.POST.get("text", "")[:5000]),
                        _("Message sent."))
    else:
        raise Http404
    _problems(request, problems)
    return redirect("transfer:match", pk=pk)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The user's workspace: own outcomes, needs, matches and contracts."""
    user = request.user
    own_orgs = organisations(user, PUBLISHER_ROLES)
    return render(request, "transfer/mine.html", {
        "outcomes": selectors.managed_outcomes(user).filter(owner_id__in=own_orgs)[:100],
        "needs": selectors.own_needs(user).filter(enterprise__organisation_id__in=own_orgs)[:100],
        "matches": selectors.matches_for_user(user).order_by("-score")[:30],
        "contracts": selectors.visible_contracts(user)[:50],
        "may_publish": can(user, "transfer.outcome.edit"), "may_need": can(user, "transfer.need.edit"),
        "may_contract": can(user, "transfer.contract.submit"),
    })
