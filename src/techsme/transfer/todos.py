"""Each role's transfer to-dos on its home page (registered from ``TransferConfig.ready()``)."""

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techsme.core.hooks import Todo
from techsme.core.permissions import can, scope
from techsme.transfer import selectors
from techsme.transfer.matching import GOOD_MATCH
from techsme.transfer.models import Challenge, ChallengeState, Match, Need, Outcome

GROUP = _("Technology transfer")


def _match_todos(user: Any) -> list[Todo]:
    out = []
    needs = scope(user, "transfer.match.need_side", Need.objects.filter(state="open")).values("pk")
    waiting = Match.objects.filter(need__in=needs, need_interest_at__isnull=True, score__gte=GOOD_MATCH,
                                   outcome__state="published").count()
    if waiting:
        out.append(Todo(_("Good matches for your needs to answer"), reverse("transfer:mine"), waiting, False, GROUP))
    outcomes = scope(user, "transfer.match.outcome_side", Outcome.objects.filter(state="published")).values("pk")
    asked = Match.objects.filter(outcome__in=outcomes, need_interest_at__isnull=False,
                                 outcome_interest_at__isnull=True).count()
    if asked:
        out.append(Todo(_("Enterprises interested in your outcomes"), reverse("transfer:mine"), asked, True, GROUP))
    return out


def transfer_todos(user: Any) -> list[Todo]:
    out = _match_todos(user)
    if can(user, "transfer.outcome.moderate"):
        count = selectors.moderation_queue(user).count()
        if count:
            out.append(Todo(_("Outcomes to moderate"), reverse("transfer:moderation"), count, False, GROUP))
    if can(user, "transfer.contract.register") or can(user, "transfer.contract.second_review"):
        queue = selectors.registration_queue(user)
        count = queue.count()
        if count:
            soon = timezone.localdate() + timedelta(days=3)
            urgent = queue.filter(due_on__lte=soon).exists()
            out.append(Todo(_("Technology contracts to register"), reverse("transfer:contracts"), count, urgent,
                            GROUP))
    if can(user, "transfer.challenge.decide"):
        today = timezone.localdate()
        due = scope(user, "transfer.challenge.decide", Challenge.objects.filter(
            Q(state=ChallengeState.JUDGING) | Q(state=ChallengeState.OPEN, deadline__lt=today))).count()
        if due:
            out.append(Todo(_("Challenges to judge"), reverse("transfer:challenges"), due, False, GROUP))
    if can(user, "transfer.product.decide"):
        count = selectors.products_in_scope(user, "transfer.product.decide").filter(state="submitted").count()
        if count:
            out.append(Todo(_("Innovative products to admit"), reverse("transfer:products"), count, False, GROUP))
    return out
