"""Challenge pages (揭榜挂帅): the public list and page, posting, answering, closing, awarding."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techsme.core.errors import InvalidInput
from techsme.core.permissions import can
from techsme.transfer import selectors, services
from techsme.transfer.forms import ChallengeForm, service_data
from techsme.transfer.models import ChallengeState
from techsme.transfer.permissions import SOLVER_ROLES, TRANSFER_ACTIONS
from techsme.transfer.views.common import acting_org, industry_label
from techsme.transfer.views.workspace import _act, _problems


def challenges(request: HttpRequest) -> HttpResponse:
    return render(request, "transfer/challenges.html", {
        "rows": selectors.public_challenges()[:200], "may_post": can(request.user, "transfer.challenge.post"),
    })


def challenge_page(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = selectors.challenge_for(pk)
    user = request.user
    return render(request, "transfer/challenge.html", {
        "ch": challenge, "industry": industry_label(challenge.industry_code),
        "entries": selectors.entries_visible(user, challenge), "decider": can(user, "transfer.challenge.decide",
                                                                              challenge),
        "may_enter": challenge.state == ChallengeState.OPEN and can(user, "transfer.challenge.enter"),
        "open": challenge.state == ChallengeState.OPEN, "judging": challenge.state == ChallengeState.JUDGING,
    })


@login_required
def challenge_form(request: HttpRequest) -> HttpResponse:
    poster = acting_org(request.user, TRANSFER_ACTIONS["transfer.challenge.post"])
    form = ChallengeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                challenge = services.do_post_challenge(actor=request.user, poster=poster, data=service_data(form))
            except InvalidInput as exc:
                form.show_errors(exc)
            else:
                messages.success(request, _("The challenge is posted and its prize is held in escrow."))
                return redirect("transfer:challenge", pk=challenge.pk)
        status = 422
    return render(request, "transfer/challenge_form.html", {"form": form, "poster": poster}, status=status)


@login_required
@require_POST
def challenge_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    selectors.challenge_for(pk)
    user, post = request.user, request.POST
    if action == "enter":
        solver = acting_org(user, SOLVER_ROLES)
        problems = _act(request, lambda: services.do_enter_challenge(
            actor=user, challenge_id=pk, solver=solver, proposal=post.get("proposal", "")[:9000]),
            _("Your solution was submitted."))
    elif action == "close":
        problems = _act(request, lambda: services.do_close_entries(actor=user, challenge_id=pk),
                        _("The challenge is closed for solutions; judge them now."))
    elif action == "award":
        entry = post.get("entry", "")
        if not entry.isdigit():
            raise Http404
        problems = _act(request, lambda: services.do_award_challenge(
            actor=user, entry_id=int(entry), acceptance=post.get("acceptance", "")[:2000]),
            _("The prize is released to the winner."))
    elif action == "no-winner":
        problems = _act(request, lambda: services.do_close_without_winner(
            actor=user, challenge_id=pk, reason=post.get("reason", "")[:2000]),
            _("The challenge is closed without a winner; the prize went back to the sponsor."))
    else:
        raise Http404
    _problems(request, problems)
    return redirect("transfer:challenge", pk=pk)
