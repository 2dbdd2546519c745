"""Verbs of a programme's life after creation: edit its settings, suspend, resume, close.

States follow ``workflows.PROGRAMME_WORKFLOW`` (an illegal transition is a ``Conflict`` → HTTP 409 with the reason).
Only an *open* programme takes applications and issues vouchers (checked in ``services.do_apply`` and
``services.do_decide_application``). Closing moves the unissued budget back to the source account
``world:finance:<region>`` through the ledger (key ``programme:P:close``) — a movement, never an edit. Vouchers
already issued stay valid until their own expiry; when such a voucher later expires or is cancelled, its balance
returns to the budget and from there straight on to the source (key ``<voucher key>:source``).
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core.errors import FieldError, InvalidInput, PermissionDenied
from techsme.core.ledger import do_post_transaction, get_or_create_account
from techsme.vouchers import services as s
from techsme.vouchers.models import Programme, ProgrammeState

EDITABLE = ("cap_per_enterprise_year", "cap_per_application", "max_contract_share", "categories", "valid_until",
            "description")


def _lock(actor: Any, programme_id: int, transition: str) -> Programme:
    programme = (Programme.objects.select_for_update(of=("self",)).select_related("budget_account", "agency")
                 .filter(pk=programme_id).first())
    if programme is None:
        raise PermissionDenied(_("You may not change this programme."))
    s._authorize(actor, "programme", transition, programme, programme.state)
    return programme


def _share(value: Any) -> Decimal | None:
    text = str(value).strip()
    try:
        share = Decimal(text.rstrip("%"))
        if text.endswith("%"):
            share = share / 100
    except (InvalidOperation, ValueError):
        return None
    if not share.is_finite() or not (0 < share <= 1) or share != share.quantize(Decimal("0.001")):
        return None
    return share


@s._retrying
def do_edit_programme(*, actor: Any, programme_id: int, **changes: Any) -> Programme:
    """Change the editable settings (caps, share, categories, validity end, description) of an open or suspended
    programme. Only the keys given are changed; every rule of creation is checked again; the audit event holds the
    before/after of each changed field. Vouchers already issued keep their own validity date."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput([FieldError(k, _("This setting cannot be changed.")) for k in sorted(unknown)])
    with transaction.atomic():
        programme = _lock(actor, programme_id, "edit")
        errors: list[FieldError] = []
        new: dict[str, Any] = {}
        for field in ("cap_per_enterprise_year", "cap_per_application"):
            if field in changes:
                try:
                    new[field] = s.parse_amount(changes[field], field)
                except InvalidInput as exc:
                    errors.extend(exc.errors)
        if "max_contract_share" in changes:
            share = _share(changes["max_contract_share"])
            if share is None:
                errors.append(FieldError("max_contract_share", _(
                    "The share of a contract must be between 0 and 1 (for example 0.5 for 50%).")))
            else:
                new["max_contract_share"] = share
        if "categories" in changes:
            try:
                new["categories"] = s._categories(changes["categories"] or [])
            except InvalidInput as exc:
                errors.extend(exc.errors)
        if "valid_until" in changes:
            value = changes["valid_until"]
            if isinstance(value, str):
                try:
                    value = date.fromisoformat(value)
                except ValueError:
                    value = None
            if not isinstance(value, date) or value.year < programme.year:
                errors.append(FieldError("valid_until", _(
                    "The vouchers must stay valid at least until a day of the year of issue.")))
            else:
                new["valid_until"] = value
        if "description" in changes:
            new["description"] = str(changes["description"] or "").strip()
        cap_year = new.get("cap_per_enterprise_year", programme.cap_per_enterprise_year)
        cap_app = new.get("cap_per_application", programme.cap_per_application)
        if not errors and cap_app > cap_year:
            errors.append(FieldError("cap_per_application",
                                     _("The cap per application cannot exceed the cap per enterprise per year.")))
        if errors:
            raise InvalidInput(errors)
        diff = {k: [getattr(programme, k), v] for k, v in new.items() if getattr(programme, k) != v}
        if not diff:
            return programme
        for k, (_before, after) in diff.items():
            setattr(programme, k, after)
        programme.save(update_fields=list(diff))
        s._record(actor, "vouchers.edit_programme", programme, programme.region_code, programme.agency_id, **diff)
    return programme


def _move(actor: Any, transition: str, programme_id: int, reason: str, require_reason: bool) -> Programme:
    reason = (reason or "").strip()
    with transaction.atomic():
        programme = _lock(actor, programme_id, transition)
        if require_reason and not reason:
            raise InvalidInput([FieldError("reason", _("Give the reason."))])
        before = programme.state
        t = s.WORKFLOWS["programme"].transition(transition)
        programme.state, programme.state_reason = t.target, reason
        fields = ["state", "state_reason"]
        returned = None
        if t.target == ProgrammeState.CLOSED:
            programme.closed_at = timezone.now()
            fields.append("closed_at")
            returned = return_budget_to_source(actor, programme, f"programme:{programme.pk}:close")
        programme.save(update_fields=fields)
        extra = {"returned": returned} if returned is not None else {}
        s._record(actor, f"vouchers.{transition}_programme", programme, programme.region_code, programme.agency_id,
                  state=[before, programme.state], reason=reason, **extra)
    return programme


def return_budget_to_source(actor: Any, programme: Programme, key: str, amount: Decimal | None = None) -> Decimal:
    """Move ``amount`` (default: the whole free budget) from ``programme:P:budget`` to ``world:finance:<region>``."""
    programme.budget_account.refresh_from_db(fields=["balance"])
    amount = programme.budget_account.balance if amount is None else amount
    if amount > 0:
        world = get_or_create_account(
            f"world:finance:{programme.region_code}", name=f"Finance {programme.region_code}", kind="world",
            allow_negative=True, region_code=programme.region_code,
        )
        do_post_transaction(actor=s._user(actor), idempotency_key=key, kind="programme_return",
                            legs=[(programme.budget_account, -amount), (world, amount)],
                            memo=f"Unissued budget returned: {programme.name}"[:300], reference=programme)
    return amount


@s._retrying
def do_suspend_programme(*, actor: Any, programme_id: int, reason: str) -> Programme:
    """No new applications or issuances until resumed (vouchers already issued stay usable)."""
    return _move(actor, "suspend", programme_id, reason, require_reason=True)


@s._retrying
def do_resume_programme(*, actor: Any, programme_id: int, reason: str = "") -> Programme:
    return _move(actor, "resume", programme_id, reason, require_reason=False)


@s._retrying
def do_close_programme(*, actor: Any, programme_id: int, reason: str) -> Programme:
    """Close for good: the free budget returns to the source account (one ledger movement, ``programme:P:close``)."""
    return _move(actor, "close", programme_id, reason, require_reason=True)
