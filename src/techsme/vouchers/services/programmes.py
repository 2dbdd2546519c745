"""Programme verbs: create and fund a programme, set its recognition of other programmes, edit its settings,
suspend, resume and close it (closing returns the unissued budget to ``world:finance:<region>``).

States follow ``workflows.PROGRAMME_WORKFLOW`` (an illegal transition is a ``Conflict`` → HTTP 409 with the reason).
Only an *open* programme takes applications and issues vouchers. Vouchers already issued stay valid until their own
expiry; when such a voucher later expires or is cancelled, its balance returns to the budget and from there straight on
to the source (key ``<voucher key>:source``)."""

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.accounts.models import Organisation
from techsme.accounts.roles import OrgKind
from techsme.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from techsme.core.ledger import (
    do_post_transaction,
    get_or_create_account,
)
from techsme.core.models import LedgerTransaction
from techsme.core.permissions import can
from techsme.vouchers import eligibility
from techsme.vouchers.models import (
    Programme,
    ProgrammeState,
    ServiceCategory,
)
from techsme.vouchers.services.common import (
    DuplicateSubmission,
    authorize,
    invalid,
    parse_amount,
    record_event,
    retrying,
    user_of,
)
from techsme.vouchers.workflows import WORKFLOWS


def parse_categories(values: Iterable[str]) -> list[str]:
    values = [str(v).strip() for v in values if str(v).strip()]
    unknown = [v for v in values if v not in ServiceCategory.values]
    if unknown:
        raise invalid("categories", _("Unknown service category: %(name)s.") % {"name": ", ".join(unknown)})
    if not values:
        raise invalid("categories", _("Choose at least one eligible service category."))
    return sorted(set(values), key=ServiceCategory.values.index)


@retrying
def do_create_programme(
    *,
    actor: Any,
    agency: Organisation,
    name: str,
    year: int,
    budget: Any,
    cap_per_enterprise_year: Any,
    cap_per_application: Any,
    max_contract_share: Any,
    categories: Iterable[str],
    valid_until: date,
    eligibility_rule: Any = None,
    recognised: Iterable[int] = (),
) -> Programme:
    """Create a programme of ``agency`` and fund its budget (``world:finance:<region>`` → ``programme:P:budget``)."""
    if agency.kind != OrgKind.AGENCY or not can(actor, "vouchers.programme.manage", agency):
        raise PermissionDenied(_("You may not run voucher programmes for this agency."))
    errors: list[FieldError] = []

    def collect(func: Callable[[], Any]) -> Any:
        try:
            return func()
        except InvalidInput as exc:
            errors.extend(exc.errors)
            return None

    name = (name or "").strip()
    if not name:
        errors.append(FieldError("name", _("Enter the name of the programme.")))
    budget_amount = collect(lambda: parse_amount(budget, "budget"))
    cap_year = collect(lambda: parse_amount(cap_per_enterprise_year, "cap_per_enterprise_year"))
    cap_app = collect(lambda: parse_amount(cap_per_application, "cap_per_application"))
    try:
        share = Decimal(str(max_contract_share).strip().rstrip("%"))
        if str(max_contract_share).strip().endswith("%"):
            share = share / 100
    except (InvalidOperation, ValueError):
        share = None
    if share is None or not share.is_finite() or not (0 < share <= 1) or share != share.quantize(Decimal("0.001")):
        errors.append(FieldError("max_contract_share",
                                 _("The share of a contract must be between 0 and 1 (for example 0.5 for 50%).")))
    if cap_year is not None and cap_app is not None and cap_app > cap_year:
        errors.append(FieldError("cap_per_application",
                                 _("The cap per application cannot exceed the cap per enterprise per year.")))
    cats = collect(lambda: parse_categories(categories))
    rule = collect(lambda: eligibility.normalise(eligibility_rule))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.append(FieldError("year", _("Enter the year of issue, for example 2026.")))
    elif not isinstance(valid_until, date) or valid_until.year < year:
        errors.append(FieldError("valid_until", _("The vouchers must stay valid at least until a day of the year of "
                                                  "issue.")))
    recognised_ids = sorted({int(r) for r in recognised})
    others = list(Programme.objects.filter(pk__in=recognised_ids))
    if len(others) != len(recognised_ids):
        errors.append(FieldError("recognised", _("A recognised programme does not exist.")))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        programme = Programme.objects.create(
            agency=agency, name=name, region_code=agency.region_code, year=year, eligibility=rule,
            cap_per_enterprise_year=cap_year, cap_per_application=cap_app, max_contract_share=share,
            categories=cats, valid_until=valid_until,
        )
        programme.recognised.set(others)
        programme.budget_account = get_or_create_account(
            f"programme:{programme.pk}:budget", name=name[:200], kind="voucher_budget",
            region_code=agency.region_code, organisation=agency,
        )
        programme.save(update_fields=["budget_account"])
        record_event(actor, "vouchers.create_programme", programme, programme.region_code, agency.pk,
                name=name, year=year, budget=budget_amount, cap_per_enterprise_year=cap_year,
                cap_per_application=cap_app, max_contract_share=share, categories=cats, eligibility=rule,
                valid_until=valid_until, recognised=recognised_ids)
        _fund(actor, programme, budget_amount, f"programme:{programme.pk}:fund:initial")
        programme.budget_account.refresh_from_db(fields=["balance"])
    return programme


def _fund(actor: Any, programme: Programme, amount: Decimal, key: str) -> None:
    world = get_or_create_account(
        f"world:finance:{programme.region_code}", name=f"Finance {programme.region_code}", kind="world",
        allow_negative=True, region_code=programme.region_code,
    )
    do_post_transaction(actor=user_of(actor), idempotency_key=key, kind="fund",
                        legs=[(world, -amount), (programme.budget_account, amount)],
                        memo=f"Voucher programme budget: {programme.name}"[:300], reference=programme)


@retrying
def do_fund_programme(*, actor: Any, programme_id: int, amount: Any, request_key: str) -> Programme:
    """Add ``amount`` to a programme's budget (the key comes from the request: a re-submitted form funds once)."""
    amount = parse_amount(amount)
    programme = Programme.objects.select_related("budget_account").filter(pk=programme_id).first()
    if programme is None or not can(actor, "vouchers.programme.manage", programme):
        raise PermissionDenied(_("You may not fund this programme."))
    if programme.state == ProgrammeState.CLOSED:
        raise Conflict(_("Programme “%(programme)s” has closed; its budget cannot be topped up.")
                       % {"programme": programme.name})
    if not (request_key or "").strip():
        raise invalid("request_key", _("This form has expired; reload the page and submit it again."))
    ledger_key = f"programme:{programme.pk}:fund:{request_key.strip()[:100]}"
    if LedgerTransaction.objects.filter(idempotency_key=ledger_key).exists():
        raise DuplicateSubmission(programme, _("This top-up was already made; it was not made again."))
    with transaction.atomic():
        _fund(actor, programme, amount, ledger_key)
        record_event(actor, "vouchers.fund_programme", programme, programme.region_code, programme.agency_id,
                amount=amount)
    return programme


def do_set_recognition(*, actor: Any, programme_id: int, recognised: Iterable[int]) -> Programme:
    """Which other programmes' vouchers this programme's providers accept (cross-region recognition)."""
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None or not can(actor, "vouchers.programme.manage", programme):
        raise PermissionDenied(_("You may not change this programme."))
    ids = sorted({int(r) for r in recognised} - {programme.pk})
    others = list(Programme.objects.filter(pk__in=ids))
    if len(others) != len(ids):
        raise invalid("recognised", _("A recognised programme does not exist."))
    with transaction.atomic():
        before = sorted(programme.recognised.values_list("pk", flat=True))
        programme.recognised.set(others)
        record_event(actor, "vouchers.set_recognition", programme, programme.region_code, programme.agency_id,
                recognised=[before, ids])
    return programme



EDITABLE = ("cap_per_enterprise_year", "cap_per_application", "max_contract_share", "categories", "valid_until",
            "description")


def _lock(actor: Any, programme_id: int, transition: str) -> Programme:
    programme = (Programme.objects.select_for_update(of=("self",)).select_related("budget_account", "agency")
                 .filter(pk=programme_id).first())
    if programme is None:
        raise PermissionDenied(_("You may not change this programme."))
    authorize(actor, "programme", transition, programme, programme.state)
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


@retrying
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
                    new[field] = parse_amount(changes[field], field)
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
                new["categories"] = parse_categories(changes["categories"] or [])
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
        record_event(actor, "vouchers.edit_programme", programme, programme.region_code, programme.agency_id, **diff)
    return programme


def _move(actor: Any, transition: str, programme_id: int, reason: str, require_reason: bool) -> Programme:
    reason = (reason or "").strip()
    with transaction.atomic():
        programme = _lock(actor, programme_id, transition)
        if require_reason and not reason:
            raise InvalidInput([FieldError("reason", _("Give the reason."))])
        before = programme.state
        t = WORKFLOWS["programme"].transition(transition)
        programme.state, programme.state_reason = t.target, reason
        fields = ["state", "state_reason"]
        returned = None
        if t.target == ProgrammeState.CLOSED:
            programme.closed_at = timezone.now()
            fields.append("closed_at")
            returned = return_budget_to_source(actor, programme, f"programme:{programme.pk}:close")
        programme.save(update_fields=fields)
        extra = {"returned": returned} if returned is not None else {}
        record_event(actor, f"vouchers.{transition}_programme", programme, programme.region_code, programme.agency_id,
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
        do_post_transaction(actor=user_of(actor), idempotency_key=key, kind="programme_return",
                            legs=[(programme.budget_account, -amount), (world, amount)],
                            memo=f"Unissued budget returned: {programme.name}"[:300], reference=programme)
    return amount


@retrying
def do_suspend_programme(*, actor: Any, programme_id: int, reason: str) -> Programme:
    """No new applications or issuances until resumed (vouchers already issued stay usable)."""
    return _move(actor, "suspend", programme_id, reason, require_reason=True)


@retrying
def do_resume_programme(*, actor: Any, programme_id: int, reason: str = "") -> Programme:
    return _move(actor, "resume", programme_id, reason, require_reason=False)


@retrying
def do_close_programme(*, actor: Any, programme_id: int, reason: str) -> Programme:
    """Close for good: the free budget returns to the source account (one ledger movement, ``programme:P:close``)."""
    return _move(actor, "close", programme_id, reason, require_reason=True)
