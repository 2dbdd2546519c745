"""Research outcomes: write, submit for moderation, approve (publish) or return, withdraw."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core import audit
from techsme.core.errors import Conflict, FieldError, InvalidInput
from techsme.core.permissions import can
from techsme.transfer import patents
from techsme.transfer.models import Outcome, OutcomeState, TransferMode
from techsme.transfer.services.common import industry, money, refuse_if, require, text

FIELDS = ("title_zh", "title_en", "summary_zh", "summary_en", "keywords", "industry_code", "discipline", "trl",
          "patent_numbers", "modes", "price_min", "price_max", "negotiable", "belt_and_road")
EDITABLE = (OutcomeState.DRAFT, OutcomeState.REJECTED)


def _clean(data: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, limit, required in (("title_zh", 200, True), ("title_en", 300, False), ("summary_zh", 4000, True),
                                  ("summary_en", 6000, False), ("keywords", 300, False), ("discipline", 3, False)):
        out[name], problems = text(data, name, limit=limit, required=required)
        errors += problems
    out["industry_code"], problems = industry(data)
    errors += problems
    try:
        out["trl"] = int(data.get("trl") or 0)
    except (TypeError, ValueError):
        out["trl"] = 0
    if not 1 <= out["trl"] <= 9:
        errors.append(FieldError("trl", _("The technology readiness level is a whole number from 1 to 9.")))
    raw = data.get("patent_numbers") or ""
    numbers, problems_text = patents.parse_list("\n".join(raw) if isinstance(raw, list | tuple) else str(raw))
    out["patent_numbers"] = numbers
    errors += [FieldError("patent_numbers", m) for m in problems_text]
    modes = data.get("modes") or []
    modes = [modes] if isinstance(modes, str) else list(modes)
    unknown = [m for m in modes if m not in TransferMode.values]
    if unknown or not modes:
        errors.append(FieldError("modes", _("Choose at least one transfer mode from the list.")))
    out["modes"] = [m for m in TransferMode.values if m in modes]
    for name in ("price_min", "price_max"):
        out[name], problems = money(data, name)
        errors += problems
    if out["price_min"] is not None and out["price_max"] is not None and out["price_max"] < out["price_min"]:
        errors.append(FieldError("price_max", _("The upper price is below the lower price.")))
    out["negotiable"] = bool(data.get("negotiable"))
    out["belt_and_road"] = bool(data.get("belt_and_road"))
    if out["price_min"] is None and out["price_max"] is None and not out["negotiable"]:
        errors.append(FieldError("price_min", _("Give a price range or mark the price as negotiable.")))
    if out["belt_and_road"] and not (out["title_en"] and out["summary_en"]):
        errors.append(FieldError("title_en", _("An outcome open to Belt and Road partners is listed in English: "
                                               "give the English title and summary.")))
    return out, errors


def do_save_outcome(*, actor: Any, organisation: Any, data: dict[str, Any], outcome_id: int | None = None) -> Outcome:
    """Create (as a draft) or edit a draft or returned outcome of ``organisation``."""
    values, errors = _clean(data)
    with transaction.atomic():
        if outcome_id:
            outcome = Outcome.objects.select_for_update().filter(pk=outcome_id, owner=organisation).first()
            if outcome is None:
                raise Outcome.DoesNotExist
        else:
            outcome = Outcome(owner=organisation, region_code=organisation.region_code, created_by=actor)
        require(actor, "transfer.outcome.edit", outcome, _("You may not publish outcomes for this organisation."))
        if outcome.pk and outcome.state not in EDITABLE:
            raise Conflict(_("Only a draft or a returned outcome can be edited; withdraw it first."))
        if errors:
            raise InvalidInput(errors)
        before = {k: getattr(outcome, k) for k in FIELDS} if outcome.pk else {}
        for key, value in values.items():
            setattr(outcome, key, value)
        outcome.save()
        audit.record(actor=actor, verb="transfer.save_outcome", obj=outcome, organisation_id=organisation.pk,
                     changes=audit.diff(before, {k: getattr(outcome, k) for k in FIELDS}))
    return outcome


def _transition(actor: Any, outcome_id: int, action: str, sources: tuple[str, ...], target: str,
                verb: str, **changes: Any) -> Outcome:
    outcome = Outcome.objects.select_for_update().get(pk=outcome_id)
    require(actor, action, outcome, _("You may not do this with this outcome."))
    if outcome.state not in sources:
        raise Conflict(_("Not possible while the outcome is “%(state)s”.") % {"state": outcome.get_state_display()})
    before = outcome.state
    outcome.state = target
    for key, value in changes.items():
        setattr(outcome, key, value)
    outcome.save()
    audit.record(actor=actor, verb=verb, obj=outcome, organisation_id=outcome.owner_id,
                 changes={"state": [before, target], **{k: [None, v] for k, v in changes.items()}})
    return outcome


def do_submit_outcome(*, actor: Any, outcome_id: int) -> Outcome:
    with transaction.atomic():
        return _transition(actor, outcome_id, "transfer.outcome.edit", EDITABLE, OutcomeState.SUBMITTED,
                           "transfer.submit_outcome", submitted_at=timezone.now())


def do_withdraw_outcome(*, actor: Any, outcome_id: int) -> Outcome:
    with transaction.atomic():
        return _transition(actor, outcome_id, "transfer.outcome.edit",
                           (OutcomeState.SUBMITTED, OutcomeState.PUBLISHED), OutcomeState.WITHDRAWN,
                           "transfer.withdraw_outcome")


def publication_problems(outcome: Outcome, actor: Any) -> list[str]:
    """Why this outcome cannot be published (empty: it can). Re-checks what the form checked, and more."""
    problems = []
    _values, errors = _clean({k: getattr(outcome, k) for k in FIELDS})
    problems += [str(e.message) for e in errors]
    if not outcome.patent_numbers and not outcome.summary_zh.strip():
        problems.append(_("The outcome names no patent and has no summary."))
    if len(outcome.summary_zh.strip()) < 30:
        problems.append(_("The Chinese summary is too short for a buyer to judge the outcome (30 characters at "
                          "least)."))
    if can(actor, "transfer.outcome.edit", outcome) and not actor.is_superuser:
        problems.append(_("A moderator cannot approve an outcome of an organisation they belong to."))
    return problems


def do_approve_outcome(*, actor: Any, outcome_id: int, note: str = "") -> Outcome:
    """Publish a submitted outcome after checking every publication criterion (refused with the list)."""
    with transaction.atomic():
        outcome = Outcome.objects.select_for_update().get(pk=outcome_id)
        require(actor, "transfer.outcome.moderate", outcome, _("You may not moderate outcomes of this region."))
        if outcome.state == OutcomeState.SUBMITTED:
            refuse_if(publication_problems(outcome, actor))
        now = timezone.now()
        outcome = _transition(actor, outcome_id, "transfer.outcome.moderate", (OutcomeState.SUBMITTED,),
                              OutcomeState.PUBLISHED, "transfer.approve_outcome", decided_by=actor, decided_at=now,
                              published_at=now, decision_note=note[:2000])
        from techsme.transfer.services.matches import match_outcome_later

        match_outcome_later(outcome.pk)
    return outcome


def do_return_outcome(*, actor: Any, outcome_id: int, note: str) -> Outcome:
    """Send a submitted outcome back to its owner with the moderator's reason."""
    with transaction.atomic():
        outcome = Outcome.objects.select_for_update().get(pk=outcome_id)
        require(actor, "transfer.outcome.moderate", outcome, _("You may not moderate outcomes of this region."))
        if not (note or "").strip():
            raise InvalidInput([FieldError("note", _("Say what the owner should change."))])
        return _transition(actor, outcome_id, "transfer.outcome.moderate", (OutcomeState.SUBMITTED,),
                           OutcomeState.REJECTED, "transfer.return_outcome", decided_by=actor,
                           decided_at=timezone.now(), decision_note=note.strip()[:2000])
