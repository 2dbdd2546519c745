"""Contracts: record, redeem the voucher, confirm delivery, verify, withdraw, refund, cancel.

Lock order: voucher → contract → ledger accounts."""

from collections.abc import Callable
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core.errors import Conflict, PermissionDenied
from techsme.core.ledger import (
    InsufficientFunds,
    do_post_transaction,
    do_reverse_transaction,
    get_or_create_account,
)
from techsme.core.models import LedgerTransaction
from techsme.core.permissions import can
from techsme.core.uploads import sniff_type
from techsme.vouchers import codes, notifications
from techsme.vouchers.models import (
    Contract,
    ContractState,
    ProviderState,
    ServiceProvider,
    Voucher,
    VoucherState,
)
from techsme.vouchers.services import criteria
from techsme.vouchers.services.common import (
    CENT,
    DOCUMENT_TYPES,
    MAX_DOCUMENT_BYTES,
    ZERO,
    DuplicateSubmission,
    accepts,
    authorize,
    check_voucher_usable,
    invalid,
    local_today,
    parse_amount,
    record_event,
    retrying,
    user_of,
    yuan,
)
from techsme.vouchers.services.voucher_lifecycle import sweep_if_closed


def _check_document(document: Any) -> None:
    if document is None:
        return
    name = (getattr(document, "name", "") or "").lower()
    if not any(name.endswith(ext) for ext in DOCUMENT_TYPES) or sniff_type(document) is None:
        raise invalid("document", _("The contract document must be a PDF, JPEG or PNG file."))
    if getattr(document, "size", 0) > MAX_DOCUMENT_BYTES:
        raise invalid("document", _("The contract document is larger than 10 MB."))


@retrying
def do_record_contract(
    *, actor: Any, voucher_id: int, provider_id: int, category: str, amount: Any, description: str,
    submission_key: str, document: Any = None, today: date | None = None,
) -> Contract:
    """The enterprise records a service contract with an approved provider, to be paid in part by a voucher."""
    today = today or local_today()
    key = (submission_key or "").strip()[:150]
    if not key:
        raise invalid("submission_key", _("This form has expired; reload the page and submit it again."))
    voucher = Voucher.objects.select_related("programme", "enterprise").filter(pk=voucher_id).first()
    if voucher is None or not can(actor, "vouchers.contract.record", voucher):
        raise PermissionDenied(_("You may not record contracts for this voucher."))
    existing = Contract.objects.filter(submission_key=f"contract:{key}").first()
    if existing is not None:
        raise DuplicateSubmission(existing, _("This contract was already recorded; it was not recorded again."))
    amount = parse_amount(amount)
    description = (description or "").strip()
    if not description:
        raise invalid("description", _("Describe the service contracted."))
    _check_document(document)
    check_voucher_usable(voucher, today)
    provider = ServiceProvider.objects.select_related("programme").filter(pk=provider_id).first()
    if provider is None or provider.state != ProviderState.APPROVED:
        raise invalid("provider", _("Choose a service provider approved by the agency."))
    if not accepts(provider, voucher):
        raise invalid("provider", _(
            "%(provider)s is registered with programme “%(programme)s”, which does not recognise vouchers of "
            "“%(voucher_programme)s”."
        ) % {"provider": provider.institution, "programme": provider.programme.name,
             "voucher_programme": voucher.programme.name})
    if category not in voucher.programme.categories:
        raise invalid("category", _("This programme's vouchers do not pay for services of this category."))
    if category not in provider.categories():
        raise invalid("category", _("%(provider)s offers no service of this category.")
                       % {"provider": provider.institution})
    with transaction.atomic():
        try:
            with transaction.atomic():
                contract = Contract.objects.create(
                    voucher=voucher, enterprise=voucher.enterprise, provider=provider, category=category,
                    amount=amount, description=description, submission_key=f"contract:{key}",
                    document=document or "",
                )
        except IntegrityError:
            existing = Contract.objects.filter(submission_key=f"contract:{key}").first()
            if existing is None:
                raise
            raise DuplicateSubmission(
                existing, _("This contract was already recorded; it was not recorded again.")) from None
        record_event(actor, "vouchers.record_contract", contract, voucher.programme.region_code,
                voucher.enterprise.organisation_id, voucher=voucher.pk, provider=provider.pk, category=category,
                amount=amount, description=description, document=contract.document.name if document else "")
    return contract


def lock_contract(contract_id: int) -> tuple[Voucher, Contract]:
    """Lock the voucher, then the contract (the fixed order of every verb)."""
    voucher_id = Contract.objects.filter(pk=contract_id).values_list("voucher_id", flat=True).first()
    if voucher_id is None:
        raise PermissionDenied(_("You may not act on this contract."))
    voucher = Voucher.objects.select_for_update(of=("self",)).select_related("account", "programme", "enterprise").get(
        pk=voucher_id)
    contract = (Contract.objects.select_for_update(of=("self",)).select_related("provider__programme")
                .get(pk=contract_id))
    # The joined account row was not locked (and on PostgreSQL may be from before we waited for the voucher lock):
    # re-read its balance now that the voucher lock serialises every movement of this voucher.
    voucher.account.refresh_from_db(fields=["balance"])
    return voucher, contract


def allowed_redemption(voucher: Voucher, contract: Contract) -> Decimal:
    """What the voucher may pay for the contract: min(balance, share × contract amount, rounded down to the fen)."""
    share = (contract.amount * voucher.programme.max_contract_share).quantize(CENT, rounding=ROUND_DOWN)
    return max(ZERO, min(voucher.account.balance, share))


def receivable_account(provider: ServiceProvider) -> Any:
    return get_or_create_account(
        f"provider:{provider.pk}:receivable", name=f"{provider.institution} receivable"[:200],
        kind="provider_receivable", region_code=provider.organisation.region_code,
        organisation=provider.organisation,
    )


@retrying
def do_redeem(
    *, actor: Any, contract_id: int, voucher_code: str, amount: Any = None, today: date | None = None
) -> Contract:
    """The provider redeems the voucher for a contract: ``voucher:V`` → ``provider:R:receivable``.

    The provider must present the voucher's code (the enterprise hands it over), so a provider cannot redeem a voucher
    that is not the one of its own contract. The voucher pays min(its balance, share × contract); an explicit
    ``amount`` may be lower, never higher.
    """
    today = today or local_today()
    with transaction.atomic():
        voucher, contract = lock_contract(contract_id)
        authorize(actor, "contract", "redeem", contract, contract.state, scope_obj=contract.provider)
        code = codes.normalise(voucher_code)
        if not codes.check_code(code):
            raise invalid("voucher_code", _("This is not a valid voucher code."))
        if code != voucher.code:
            raise invalid("voucher_code", _("This voucher belongs to another enterprise or contract; only the "
                                             "voucher named in the contract can be redeemed for it."))
        check_voucher_usable(voucher, today)
        if not accepts(contract.provider, voucher):
            raise Conflict(_("Your programme does not recognise vouchers of “%(programme)s”.")
                           % {"programme": voucher.programme.name})
        share = (contract.amount * voucher.programme.max_contract_share).quantize(CENT, rounding=ROUND_DOWN)
        balance = voucher.account.balance
        if amount in (None, ""):
            pay = min(balance, share)
            if pay <= 0:
                raise Conflict(_("Voucher %(code)s has no balance left.") % {"code": voucher.code})
        else:
            pay = parse_amount(amount)
            if pay > share:
                raise invalid("amount", _(
                    "A voucher may pay at most %(share)s%% of the contract, i.e. %(max)s; %(amount)s is more."
                ) % {"share": format(voucher.programme.max_contract_share * 100, "f").rstrip("0").rstrip("."),
                     "max": yuan(share), "amount": yuan(pay)})
            if pay > balance:
                raise invalid("amount", _("The voucher's balance is %(balance)s, less than %(amount)s.")
                               % {"balance": yuan(balance), "amount": yuan(pay)})
        try:
            txn = do_post_transaction(
                actor=user_of(actor), idempotency_key=f"contract:{contract.pk}:redeem", kind="voucher_redeem",
                legs=[(voucher.account, -pay), (receivable_account(contract.provider), pay)],
                memo=f"Voucher {voucher.code} redeemed", reference=contract,
            )
        except InsufficientFunds as exc:  # cannot happen under the voucher lock; kept as the last line of defence
            raise Conflict(_("The voucher's balance is %(balance)s, less than %(amount)s.")
                           % {"balance": yuan(exc.balance), "amount": yuan(pay)}) from None
        contract.state, contract.redeemed_amount, contract.redeem_transaction = ContractState.REDEEMED, pay, txn
        contract.redeemed_at = timezone.now()
        contract.save(update_fields=["state", "redeemed_amount", "redeem_transaction", "redeemed_at"])
        record_event(actor, "vouchers.redeem", contract, voucher.programme.region_code,
                     contract.provider.organisation_id,
                voucher=voucher.pk, amount=pay, contract_amount=contract.amount, transaction=txn.pk,
                state=[ContractState.RECORDED, contract.state])
        notifications.redemption_confirmed(contract)
    return contract


Prepare = Callable[[Contract], dict[str, Any]]


def _simple_move(actor: Any, contract_id: int, name: str, stamp: str, provider_side: bool,
                 prepare: Prepare | None = None) -> Contract:
    """Move a contract along its state table; ``prepare`` checks the criteria of the step, sets its own fields on
    the locked contract and returns them (with their values, for the audit event)."""
    with transaction.atomic():
        voucher, contract = lock_contract(contract_id)
        t = authorize(actor, "contract", name, contract, contract.state,
                      scope_obj=contract.provider if provider_side else None)
        extra = prepare(contract) if prepare is not None else {}
        before = contract.state
        contract.state = t.target
        fields = ["state", *extra]
        if stamp:
            setattr(contract, stamp, timezone.now())
            fields.append(stamp)
        contract.save(update_fields=fields)
        changes = {k: (v.pk if hasattr(v, "pk") else v) for k, v in extra.items()}
        record_event(actor, f"vouchers.{name}", contract, voucher.programme.region_code,
                     voucher.enterprise.organisation_id, state=[before, contract.state], **changes)
    return contract


@retrying
def do_confirm_delivery(*, actor: Any, contract_id: int, report: str = "") -> Contract:
    """The provider confirms delivery and reports what was delivered (the evidence the agency verifies). For an
    instrument use paid by voucher the owner's usage record is the report, so none needs to be typed."""

    def prepare(contract: Contract) -> dict[str, Any]:
        text = (report or "").strip()
        if not text and hasattr(contract, "instrument_usage"):
            text = contract.description
        if not text:
            raise invalid("report", _("Report what was delivered (results, report numbers, dates): the agency checks "
                                      "it before the provider is paid."))
        contract.delivery_report = text[:5000]
        return {"delivery_report": contract.delivery_report}

    return _simple_move(actor, contract_id, "confirm_delivery", "delivered_at", provider_side=True, prepare=prepare)


@retrying
def do_verify_contract(*, actor: Any, contract_id: int, override_reason: str = "") -> Contract:
    """The agency verifies a delivery, which makes the redeemed amount payable. Refused when nothing is still
    redeemed, when the provider reported no delivery, or when there is no contract document to check the delivery
    against — the last one an agency administrator may override with ``override_reason``
    (``criteria.verification_problems``)."""

    def prepare(contract: Contract) -> dict[str, Any]:
        codes_, reason = criteria.enforce(criteria.verification_problems(contract), actor=actor,
                                          override_reason=override_reason, scope_obj=contract)
        if not codes_:
            return {}
        contract.overridden, contract.override_reason, contract.overridden_by = codes_, reason, user_of(actor)
        return {"overridden": codes_, "override_reason": reason, "overridden_by": contract.overridden_by}

    return _simple_move(actor, contract_id, "verify", "verified_at", provider_side=False, prepare=prepare)


@retrying
def do_withdraw_contract(*, actor: Any, contract_id: int) -> Contract:
    """Withdraw a contract before any money moved (the enterprise or the provider)."""
    contract = Contract.objects.select_related("provider").filter(pk=contract_id).first()
    provider_side = contract is not None and not can(actor, "vouchers.contract.withdraw", contract)
    return _simple_move(actor, contract_id, "withdraw", "", provider_side=provider_side)


def _refund(actor: Any, voucher: Voucher, contract: Contract, amount: Decimal, key: str) -> None:
    do_reverse_transaction(actor=user_of(actor), transaction_id=contract.redeem_transaction_id, amount=amount,
                           idempotency_key=f"{key}", kind="voucher_refund",
                           memo=f"Refund to voucher {voucher.code}")
    if voucher.state != VoucherState.ACTIVE:
        # The voucher is closed: the refunded value goes straight on to the programme budget.
        do_reverse_transaction(actor=user_of(actor), transaction_id=voucher.issue_transaction_id, amount=amount,
                               idempotency_key=f"{key}:return", kind="voucher_expire",
                               memo=f"Refund of closed voucher {voucher.code} returned to the budget")
        sweep_if_closed(actor, voucher, amount, f"{key}:return")


@retrying
def do_refund_contract(*, actor: Any, contract_id: int, amount: Any, reason: str, request_key: str) -> Contract:
    """Refund part of a redemption to the voucher (a partial reversal); a re-submitted form refunds once."""
    reason = (reason or "").strip()
    key = (request_key or "").strip()[:100]
    with transaction.atomic():
        voucher, contract = lock_contract(contract_id)
        authorize(actor, "contract", "refund", contract, contract.state)
        amount = parse_amount(amount)
        if not reason:
            raise invalid("reason", _("Give the reason for the refund."))
        if not key:
            raise invalid("request_key", _("This form has expired; reload the page and submit it again."))
        ledger_key = f"contract:{contract.pk}:refund:{key}"
        if LedgerTransaction.objects.filter(idempotency_key=ledger_key).exists():
            raise DuplicateSubmission(contract, _("This refund was already made; it was not made again."))
        left = contract.net_amount
        if amount > left:
            raise invalid("amount", _("At most %(left)s of this redemption can still be refunded.")
                           % {"left": yuan(left)})
        _refund(actor, voucher, contract, amount, ledger_key)
        contract.refunded_amount += amount
        contract.save(update_fields=["refunded_amount"])
        record_event(actor, "vouchers.refund", contract, voucher.programme.region_code,
                     voucher.enterprise.organisation_id,
                amount=amount, reason=reason, to_budget=voucher.state != VoucherState.ACTIVE)
    return contract


@retrying
def do_cancel_contract(*, actor: Any, contract_id: int, reason: str) -> Contract:
    """Cancel a redeemed contract before verification: the whole remaining redemption goes back to the voucher."""
    reason = (reason or "").strip()
    with transaction.atomic():
        voucher, contract = lock_contract(contract_id)
        authorize(actor, "contract", "cancel", contract, contract.state)
        if not reason:
            raise invalid("reason", _("Give the reason for the cancellation."))
        left = contract.net_amount
        if left > 0:
            _refund(actor, voucher, contract, left, f"contract:{contract.pk}:cancel")
        before = contract.state
        contract.state, contract.refunded_amount = ContractState.CANCELLED, contract.redeemed_amount
        contract.save(update_fields=["state", "refunded_amount"])
        record_event(actor, "vouchers.cancel_contract", contract, voucher.programme.region_code,
                voucher.enterprise.organisation_id, state=[before, contract.state], refunded=left, reason=reason)
    return contract

