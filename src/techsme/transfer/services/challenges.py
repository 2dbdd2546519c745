"""Challenges (揭榜挂帅, R&D crowdsourcing): the prize is escrowed on the ledger when the challenge is posted,
released to the winner when the poster accepts the milestones, returned to the sponsor when nobody wins.

Ledger accounts: ``world:transfer:sponsor:<org>`` (where the sponsor's money enters; may go negative),
``transfer:challenge:<id>:escrow`` (never negative), ``transfer:solver:<org>`` (owed to the winner).
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core import audit, ledger
from techsme.core.errors import Conflict, FieldError, InvalidInput
from techsme.transfer import notifications
from techsme.transfer.models import Challenge, ChallengeEntry, ChallengeState, EntryState
from techsme.transfer.services.common import a_date, industry, money, refuse_if, require, text


def _sponsor(org: Any) -> Any:
    return ledger.get_or_create_account(f"world:transfer:sponsor:{org.pk}", name=f"{org.name} · sponsor",
                                        kind="world", allow_negative=True, region_code=org.region_code,
                                        organisation=org)


def do_post_challenge(*, actor: Any, poster: Any, data: dict[str, Any]) -> Challenge:
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, limit in (("title", 200), ("problem", 8000), ("milestones", 4000), ("criteria", 4000)):
        values[name], e = text(data, name, limit=limit)
        errors += e
    values["industry_code"], e = industry(data)
    errors += e
    values["prize"], e = money(data, "prize", required=True, positive=True)
    errors += e
    values["deadline"], e = a_date(data, "deadline")
    errors += e
    if values["deadline"] and values["deadline"] <= timezone.localdate():
        errors.append(FieldError("deadline", _("The deadline must be in the future.")))
    with transaction.atomic():
        challenge = Challenge(poster=poster, region_code=poster.region_code, created_by=actor)
        require(actor, "transfer.challenge.post", challenge, _("You may not post challenges for this organisation."))
        if errors:
            raise InvalidInput(errors)
        for key, value in values.items():
            setattr(challenge, key, value)
        challenge.save()
        escrow = ledger.get_or_create_account(f"transfer:challenge:{challenge.pk}:escrow",
                                              name=f"{challenge.title} · escrow", kind="escrow",
                                              region_code=poster.region_code, organisation=poster)
        ledger.do_post_transaction(actor=actor, idempotency_key=f"transfer:challenge:{challenge.pk}:escrow",
                                   legs=[(_sponsor(poster), -challenge.prize), (escrow, challenge.prize)],
                                   kind="challenge_escrow", memo=challenge.title, reference=challenge)
        escrow.refresh_from_db()  # the ledger updated the cached balance in the database
        challenge.escrow = escrow
        challenge.save(update_fields=["escrow"])
        audit.record(actor=actor, verb="transfer.post_challenge", obj=challenge, organisation_id=poster.pk,
                     changes=audit.diff({}, values))
    return challenge


def do_enter_challenge(*, actor: Any, challenge_id: int, solver: Any, proposal: str) -> ChallengeEntry:
    proposal = (proposal or "").strip()
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().get(pk=challenge_id)
        entry = ChallengeEntry(challenge=challenge, solver=solver, proposal=proposal, submitted_by=actor)
        require(actor, "transfer.challenge.enter", entry, _("You may not answer challenges for this organisation."))
        if not proposal or len(proposal) > 8000:
            raise InvalidInput([FieldError("proposal", _("Describe your solution (at most 8,000 characters)."))])
        if challenge.state != ChallengeState.OPEN or challenge.deadline < timezone.localdate():
            raise Conflict(_("The challenge no longer takes solutions."))
        if solver.pk == challenge.poster_id:
            raise Conflict(_("The poster cannot answer its own challenge."))
        if challenge.entries.filter(solver=solver).exists():
            raise Conflict(_("Your organisation has already answered this challenge."))
        entry.save()
        audit.record(actor=actor, verb="transfer.enter_challenge", obj=entry, organisation_id=solver.pk,
                     region_code=challenge.region_code, changes={"challenge": challenge.pk})
    return entry


def do_close_entries(*, actor: Any, challenge_id: int) -> Challenge:
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().get(pk=challenge_id)
        require(actor, "transfer.challenge.decide", challenge, _("You may not decide this challenge."))
        if challenge.state != ChallengeState.OPEN:
            raise Conflict(_("The challenge is not open."))
        challenge.state = ChallengeState.JUDGING
        challenge.save(update_fields=["state"])
        audit.record(actor=actor, verb="transfer.close_entries", obj=challenge, organisation_id=challenge.poster_id,
                     changes={"state": [ChallengeState.OPEN, ChallengeState.JUDGING]})
    return challenge


def award_problems(challenge: Challenge, entry: ChallengeEntry, acceptance: str) -> list[str]:
    problems = []
    if challenge.state != ChallengeState.JUDGING:
        problems.append(_("Close the challenge for solutions before awarding it."))
    if entry.challenge_id != challenge.pk or entry.state != EntryState.SUBMITTED:
        problems.append(_("The entry is not a pending solution of this challenge."))
    if entry.submitted_at.date() > challenge.deadline:
        problems.append(_("The solution came after the deadline."))
    if entry.solver_id == challenge.poster_id:
        problems.append(_("The poster cannot award its own organisation."))
    if not acceptance.strip():
        problems.append(_("Record the acceptance of the milestones: the prize is released on acceptance."))
    if challenge.escrow is None or challenge.escrow.balance < challenge.prize:
        problems.append(_("The escrow does not hold the prize."))
    return problems


def do_award_challenge(*, actor: Any, entry_id: int, acceptance: str) -> ChallengeEntry:
    """Release the escrowed prize to the winning solver after the milestones were accepted."""
    with transaction.atomic():
        entry = ChallengeEntry.objects.select_related("solver").get(pk=entry_id)
        locked = Challenge.objects.select_for_update(of=("self",))  # the escrow join is nullable: lock the row only
        challenge = locked.select_related("escrow").get(pk=entry.challenge_id)
        entry = ChallengeEntry.objects.select_for_update().get(pk=entry_id)
        require(actor, "transfer.challenge.decide", challenge, _("You may not decide this challenge."))
        refuse_if(award_problems(challenge, entry, acceptance))
        payee = ledger.get_or_create_account(f"transfer:solver:{entry.solver_id}", name=f"{entry.solver} · prizes",
                                             kind="payable", region_code=entry.solver.region_code,
                                             organisation=entry.solver)
        txn = ledger.do_post_transaction(actor=actor, idempotency_key=f"transfer:challenge:{challenge.pk}:award",
                                         legs=[(challenge.escrow, -challenge.prize), (payee, challenge.prize)],
                                         kind="challenge_award", memo=challenge.title, reference=challenge)
        entry.state, entry.acceptance_note, entry.payout = EntryState.WON, acceptance.strip()[:2000], txn
        entry.save(update_fields=["state", "acceptance_note", "payout"])
        challenge.entries.exclude(pk=entry.pk).update(state=EntryState.NOT_WON)
        challenge.state, challenge.closed_at = ChallengeState.AWARDED, timezone.now()
        challenge.save(update_fields=["state", "closed_at"])
        audit.record(actor=actor, verb="transfer.award_challenge", obj=challenge, organisation_id=challenge.poster_id,
                     changes={"winner": entry.solver_id, "prize": challenge.prize, "ledger": txn.pk})
        title, prize = challenge.title, challenge.prize
        notifications.tell(entry.solver_id, lambda: (
            _("You won the challenge “%(title)s”") % {"title": title},
            _("Your solution was accepted; the prize of %(prize)s yuan is released to your organisation.")
            % {"prize": f"{prize:,.2f}"}))
    return entry


def do_close_without_winner(*, actor: Any, challenge_id: int, reason: str) -> Challenge:
    """Nobody wins: the escrowed prize goes back to the sponsor."""
    with transaction.atomic():
        locked = Challenge.objects.select_for_update(of=("self",))
        challenge = locked.select_related("escrow").get(pk=challenge_id)
        require(actor, "transfer.challenge.decide", challenge, _("You may not decide this challenge."))
        if not (reason or "").strip():
            raise InvalidInput([FieldError("reason", _("Say why no solution is awarded."))])
        if challenge.state not in (ChallengeState.OPEN, ChallengeState.JUDGING):
            raise Conflict(_("The challenge is already closed."))
        if challenge.state == ChallengeState.OPEN and challenge.deadline >= timezone.localdate() \
                and challenge.entries.exists():
            raise Conflict(_("Solutions were submitted and the deadline has not passed: close the challenge for "
                             "solutions and judge them first."))
        ledger.do_post_transaction(actor=actor, idempotency_key=f"transfer:challenge:{challenge.pk}:return",
                                   legs=[(challenge.escrow, -challenge.escrow.balance),
                                         (_sponsor(challenge.poster), challenge.escrow.balance)],
                                   kind="challenge_return", memo=reason.strip()[:300], reference=challenge)
        before = challenge.state
        challenge.entries.update(state=EntryState.NOT_WON)
        challenge.state, challenge.closed_at = ChallengeState.NO_WINNER, timezone.now()
        challenge.close_note = reason.strip()[:2000]
        challenge.save(update_fields=["state", "closed_at", "close_note"])
        audit.record(actor=actor, verb="transfer.close_without_winner", obj=challenge,
                     organisation_id=challenge.poster_id, changes={"state": [before, challenge.state],
                                                                   "reason": reason.strip()})
    return challenge
