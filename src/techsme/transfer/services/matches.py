"""Technology needs, their matches with outcomes, interest from both sides and the brokered first contact.

Matches are refreshed when a need is saved and when an outcome is published (after the commit, in a transaction
of their own); a new good match (``matching.is_good``) is mailed to both sides once. The batch job
(``jobs.py``) ranks every open need at once.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core import audit
from techsme.core.errors import Conflict, FieldError, InvalidInput
from techsme.core.permissions import can
from techsme.transfer import corpus, notifications
from techsme.transfer.matching import is_good, rank, score_pair
from techsme.transfer.models import ContactMessage, Match, Need, NeedState, Outcome, OutcomeState
from techsme.transfer.services.common import a_date, industry, money, require, text

NEED_FIELDS = ("title", "summary", "details", "keywords", "industry_code", "budget", "deadline", "min_trl", "state")
TOP_MATCHES = 10


def _clean_need(data: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, limit, required in (("title", 200, True), ("summary", 2000, True), ("details", 8000, False),
                                  ("keywords", 300, False)):
        out[name], problems = text(data, name, limit=limit, required=required)
        errors += problems
    out["industry_code"], problems = industry(data)
    errors += problems
    out["budget"], problems = money(data, "budget")
    errors += problems
    out["deadline"], problems = a_date(data, "deadline", required=False)
    errors += problems
    if out["deadline"] and out["deadline"] < timezone.localdate():
        errors.append(FieldError("deadline", _("The deadline has already passed.")))
    raw = data.get("min_trl")
    out["min_trl"] = None
    if raw not in (None, ""):
        try:
            out["min_trl"] = int(raw)
        except (TypeError, ValueError):
            out["min_trl"] = 0
        if not 1 <= out["min_trl"] <= 9:
            errors.append(FieldError("min_trl", _("The technology readiness level is a whole number from 1 to 9.")))
    return out, errors


def do_save_need(*, actor: Any, enterprise: Any, data: dict[str, Any], need_id: int | None = None) -> Need:
    values, errors = _clean_need(data)
    with transaction.atomic():
        if need_id:
            need = Need.objects.select_for_update().filter(pk=need_id, enterprise=enterprise).first()
            if need is None:
                raise Need.DoesNotExist
        else:
            need = Need(enterprise=enterprise, region_code=enterprise.region_code, created_by=actor)
        require(actor, "transfer.need.edit", need, _("You may not publish needs for this enterprise."))
        if need.pk and need.state != NeedState.OPEN:
            raise Conflict(_("A closed need cannot be edited."))
        if errors:
            raise InvalidInput(errors)
        before = {k: getattr(need, k) for k in NEED_FIELDS} if need.pk else {}
        for key, value in values.items():
            setattr(need, key, value)
        need.save()
        # the details are confidential: the audit trail records that they changed, not what they say
        after = {k: getattr(need, k) for k in NEED_FIELDS}
        changes = audit.diff(before, after)
        if "details" in changes:
            changes["details"] = ["…", "…"]
        audit.record(actor=actor, verb="transfer.save_need", obj=need, organisation_id=enterprise.organisation_id,
                     changes=changes)
        need_id = need.pk
        transaction.on_commit(lambda: match_need(need_id))
    return need


def do_close_need(*, actor: Any, need_id: int) -> Need:
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need_id)
        require(actor, "transfer.need.edit", need, _("You may not close this need."))
        if need.state != NeedState.OPEN:
            raise Conflict(_("The need is already closed."))
        need.state = NeedState.CLOSED
        need.save(update_fields=["state", "updated_at"])
        audit.record(actor=actor, verb="transfer.close_need", obj=need, changes={"state": ["open", "closed"]})
    return need


# ---- matching
def _store(pairs: list[tuple[Need, Outcome, float, dict[str, Any]]]) -> list[Match]:
    """Create or update the matches; returns the good ones nobody was told about yet."""
    fresh = []
    for need, outcome, score, reasons in pairs:
        match, _created = Match.objects.update_or_create(need=need, outcome=outcome,
                                                         defaults={"score": score, "reasons": reasons})
        if is_good(score, reasons) and match.notified_at is None:
            fresh.append(match)
    return fresh


def tell_new_matches(fresh: list[Match]) -> None:
    now = timezone.now()
    for match in fresh:
        url = reverse("transfer:match", args=[match.pk])
        for organisation_id in (match.need.enterprise.organisation_id, match.outcome.owner_id):
            notifications.new_match(organisation_id, need_title=match.need.title,
                                    outcome_title=match.outcome.title_zh, score=match.score, url=url)
    Match.objects.filter(pk__in=[m.pk for m in fresh]).update(notified_at=now)


def match_need(need_id: int) -> int:
    """Rank the published outcomes for one open need, keep the best ``TOP_MATCHES``; returns how many."""
    with transaction.atomic():
        need = Need.objects.select_related("enterprise").filter(pk=need_id, state=NeedState.OPEN).first()
        if need is None:
            return 0
        side = corpus.need_side(need)
        total, average = corpus.corpus_size(Outcome.objects.filter(state=OutcomeState.PUBLISHED))
        idfs = corpus.idfs(Outcome, side.terms, total)
        ids = corpus.candidate_ids(Outcome, side.terms, idfs)
        outcomes = Outcome.objects.filter(pk__in=ids, state=OutcomeState.PUBLISHED).select_related("owner")
        ranked = rank(side, ((o.pk, corpus.outcome_side(o)) for o in outcomes), idfs, average, TOP_MATCHES)
        by_id = {o.pk: o for o in outcomes}
        fresh = _store([(need, by_id[key], score, reasons) for key, score, reasons in ranked])
        tell_new_matches(fresh)
        audit.record(actor=None, verb="transfer.match_need", obj=need, organisation_id=need.enterprise.organisation_id,
                     changes={"matches": len(ranked), "new_good": len(fresh)})
        return len(ranked)


def match_outcome(outcome_id: int) -> int:
    """Find the open needs a newly published outcome fits (the same score, seen from the outcome's side)."""
    with transaction.atomic():
        outcome = Outcome.objects.filter(pk=outcome_id, state=OutcomeState.PUBLISHED).first()
        if outcome is None:
            return 0
        side = corpus.outcome_side(outcome)
        total, average = corpus.corpus_size(Outcome.objects.filter(state=OutcomeState.PUBLISHED))
        need_total, _avg = corpus.corpus_size(Need.objects.filter(state=NeedState.OPEN))
        ids = corpus.candidate_ids(Need, side.terms, corpus.idfs(Need, side.terms, need_total))
        pairs = []
        for need in Need.objects.filter(pk__in=ids, state=NeedState.OPEN).select_related("enterprise"):
            need_side = corpus.need_side(need)
            score, reasons = score_pair(need_side, side, corpus.idfs(Outcome, need_side.terms, total), average)
            if score > 0:
                pairs.append((need, outcome, score, reasons))
        fresh = _store(pairs)
        tell_new_matches(fresh)
        audit.record(actor=None, verb="transfer.match_outcome", obj=outcome, organisation_id=outcome.owner_id,
                     changes={"matches": len(pairs), "new_good": len(fresh)})
        return len(pairs)


def match_outcome_later(outcome_id: int) -> None:
    corpus.forget_stats(Outcome)
    transaction.on_commit(lambda: match_outcome(outcome_id))


# ---- interest and contact
def do_express_interest(*, actor: Any, match_id: int) -> Match:
    """The actor's side says it is interested. From the enterprise's side this also opens the need's confidential
    details to the outcome's owner; when both sides are interested the conversation opens."""
    with transaction.atomic():
        match = Match.objects.select_for_update().select_related("need", "need__enterprise", "outcome").get(pk=match_id)
        now = timezone.now()
        if can(actor, "transfer.match.need_side", match.need):
            field, other = "need_interest_at", match.outcome.owner_id
        elif can(actor, "transfer.match.outcome_side", match.outcome):
            field, other = "outcome_interest_at", match.need.enterprise.organisation_id
        else:
            raise PermissionDenied(_("Only the two sides of a match take part in it."))
        if getattr(match, field) is not None:
            raise Conflict(_("Your side has already said it is interested."))
        setattr(match, field, now)
        match.save(update_fields=[field])
        audit.record(actor=actor, verb="transfer.express_interest", obj=match,
                     organisation_id=match.need.enterprise.organisation_id, changes={field: [None, now]})
        notifications.interest(other, need_title=match.need.title, outcome_title=match.outcome.title_zh,
                               url=reverse("transfer:match", args=[match.pk]))
    return match


def do_send_message(*, actor: Any, match_id: int, body: str) -> ContactMessage:
    body = (body or "").strip()
    with transaction.atomic():
        match = Match.objects.select_related("need__enterprise", "outcome").get(pk=match_id)
        if can(actor, "transfer.match.need_side", match.need):
            sender_org, other = match.need.enterprise.organisation, match.outcome.owner_id
        elif can(actor, "transfer.match.outcome_side", match.outcome):
            sender_org, other = match.outcome.owner, match.need.enterprise.organisation_id
        else:
            raise PermissionDenied(_("Only the two sides of a match take part in it."))
        if not body or len(body) > 4000:
            raise InvalidInput([FieldError("text", _("Write a message of at most 4,000 characters."))])
        if not match.contact_open:
            raise Conflict(_("Messages open once both sides have said they are interested."))
        message = ContactMessage.objects.create(match=match, sender=actor, sender_org=sender_org, text=body)
        audit.record(actor=actor, verb="transfer.send_message", obj=match,
                     organisation_id=match.need.enterprise.organisation_id, changes={"message": message.pk})
        title, url = match.outcome.title_zh, reverse("transfer:match", args=[match.pk])
        notifications.tell(other, lambda: (_("New message about “%(outcome)s”") % {"outcome": title},
                                           _("You have a new message on the platform: %(url)s") % {"url": url}))
    return message
