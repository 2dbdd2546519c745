"""Reimbursement: pay the providers, in one batch per provider, for verified contracts up to a period's end."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from techsme.core.errors import PermissionDenied
from techsme.core.ledger import (
    do_post_transaction,
    get_or_create_account,
)
from techsme.core.permissions import can
from techsme.vouchers import notifications
from techsme.vouchers.models import (
    Contract,
    ContractState,
    Programme,
    ReimbursementBatch,
    ServiceProvider,
)
from techsme.vouchers.permissions import action_name
from techsme.vouchers.services import criteria
from techsme.vouchers.services.common import (
    ZERO,
    actor_roles,
    invalid,
    local_today,
    record_event,
    retrying,
    user_of,
)
from techsme.vouchers.services.contracts import receivable_account
from techsme.vouchers.workflows import WORKFLOWS


def parse_period(period: str) -> tuple[str, date]:
    """``2026Q3`` → (``"2026Q3"``, last day of the quarter); ``2026-07`` → that month; refused otherwise."""
    import calendar
    import re

    text = (period or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})Q([1-4])", text):
        year, quarter = int(m.group(1)), int(m.group(2))
        month = quarter * 3
    elif m := re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", text):
        year, month = int(m.group(1)), int(m.group(2))
    else:
        raise invalid("period", _("Enter a period as a quarter (2026Q3) or a month (2026-07)."))
    return text, date(year, month, calendar.monthrange(year, month)[1])


def current_period(today: date | None = None) -> str:
    today = today or local_today()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


@dataclass
class ReimbursementPlan:
    """The verified contracts of a period: those that will be paid, and those held with the criteria they fail."""

    payable: list[Contract] = field(default_factory=list)
    held: list[tuple[Contract, list[criteria.Problem]]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((c.net_amount for c in self.payable), ZERO)


def _due(programme: Programme, end: date) -> Any:
    return Contract.objects.filter(voucher__programme=programme, state=ContractState.VERIFIED,
                                   verified_at__date__lte=end).select_related("provider").order_by("pk")


def plan_reimbursement(programme: Programme, contracts: Iterable[Contract]) -> ReimbursementPlan:
    plan = ReimbursementPlan()
    for contract in contracts:
        problems = criteria.reimbursement_problems(contract)
        if problems:
            plan.held.append((contract, problems))
        else:
            plan.payable.append(contract)
    return plan


def reimbursement_preview(programme: Programme, period: str) -> ReimbursementPlan:
    """What ``do_reimburse`` would pay and hold for ``period`` now (read only; shown before the manager confirms)."""
    _label, end = parse_period(period)
    return plan_reimbursement(programme, _due(programme, end))


@retrying
def do_reimburse(*, actor: Any, programme_id: int, period: str) -> list[ReimbursementBatch]:
    """Pay the providers for the verified contracts of a programme up to the end of ``period``: one batch (and one
    ledger movement ``provider:R:receivable`` → ``provider:R:paid``) per provider. Running it again finds nothing
    left to pay and returns an empty list.

    Every contract is checked again at payment (``criteria.reimbursement_problems``): verified after a reported
    delivery, with evidence (or a recorded override), something still redeemed, not in a batch yet. A contract that
    fails is held — not paid, left verified — and listed in the audit event of the run with its reasons. A batch pays
    the contracts' net redeemed amounts, never more than what was redeemed (and the ledger refuses to overdraw the
    provider's receivable)."""
    label, end = parse_period(period)
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None or not can(actor, action_name("contract", "reimburse"), programme):
        raise PermissionDenied(_("You may not reimburse the providers of this programme."))
    if end > local_today() + timedelta(days=92):
        raise invalid("period", _("This period lies in the future."))
    batches: list[ReimbursementBatch] = []
    with transaction.atomic():
        plan = plan_reimbursement(programme, _due(programme, end).select_for_update(of=("self",)))
        if plan.held:
            record_event(actor, "vouchers.reimbursement_held", programme, programme.region_code, programme.agency_id,
                         period=label, held={c.pk: [p.code for p in problems] for c, problems in plan.held})
        by_provider: dict[int, list[Contract]] = defaultdict(list)
        for contract in plan.payable:
            WORKFLOWS["contract"].check("reimburse", contract.state, actor_roles(actor))
            by_provider[contract.provider_id].append(contract)
        for provider_id, rows in sorted(by_provider.items()):
            provider = ServiceProvider.objects.select_related("organisation").get(pk=provider_id)
            total = sum((c.net_amount for c in rows), ZERO)
            batch = ReimbursementBatch.objects.create(programme=programme, provider=provider, period=label,
                                                      amount=total, created_by=user_of(actor))
            if total > 0:
                paid = get_or_create_account(
                    f"provider:{provider.pk}:paid", name=f"{provider.institution} paid"[:200], kind="provider_paid",
                    region_code=provider.organisation.region_code, organisation=provider.organisation,
                )
                batch.transaction = do_post_transaction(
                    actor=user_of(actor), idempotency_key=f"reimbursement:{batch.pk}", kind="voucher_reimburse",
                    legs=[(receivable_account(provider), -total), (paid, total)],
                    memo=f"Reimbursement {label} programme {programme.pk}", reference=batch,
                )
                batch.save(update_fields=["transaction"])
            Contract.objects.filter(pk__in=[c.pk for c in rows]).update(state=ContractState.REIMBURSED, batch=batch)
            record_event(actor, "vouchers.reimburse", batch, programme.region_code, provider.organisation_id,
                         period=label, amount=total, contracts=[c.pk for c in rows])
            if total > 0:
                notifications.reimbursement_paid(batch, len(rows))
            batches.append(batch)
    return batches
