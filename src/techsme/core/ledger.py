"""The double-entry ledger: money that must never be overspent (budgets, vouchers, risk pools). See docs/ledger.md.

- Every movement is one :class:`~techsme.core.models.LedgerTransaction` whose legs sum to exactly zero.
- An account without ``allow_negative`` can never go below zero: checked in Python after locking, and refused by a
  database CHECK constraint whatever code writes the row.
- Accounts are locked (``SELECT … FOR UPDATE``) in ascending id order, so two movements never deadlock; on SQLite the
  ``IMMEDIATE`` transaction mode serialises writers instead.
- Each movement carries an idempotency key: a retried request returns the first result and is applied once; the same
  key with different content is a :class:`~techsme.core.errors.Conflict`.
- Nothing is ever edited: a refund or cancellation is a new (reversing) transaction.

This module knows no domain: callers (vouchers, risk pools, …) check permissions and then post.
"""

import functools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Model, Q, Sum
from django.db.models.functions import Round
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from techsme.core import audit
from techsme.core.errors import Conflict, FieldError, InvalidInput
from techsme.core.models import LedgerAccount, LedgerLeg, LedgerTransaction

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("10") ** 16  # Decimal(18, 2)
AccountRef = int | str | LedgerAccount
T = TypeVar("T")

__all__ = [
    "BalanceMismatch",
    "InsufficientFunds",
    "balance_from_legs",
    "do_post_transaction",
    "do_reverse_transaction",
    "format_amount",
    "get_or_create_account",
    "verify_balances",
]


class InsufficientFunds(Conflict):
    """The movement would take a non-negative account below zero; nothing was written."""

    def __init__(self, account: LedgerAccount, balance: Decimal, amount: Decimal):
        self.account_code = account.code
        self.balance = balance
        self.amount = amount  # the (positive) amount the movement wanted to take out
        self.shortfall = amount - balance
        super().__init__(
            _(
                "Insufficient funds in %(account)s: the balance is %(balance)s but %(amount)s is needed "
                "(%(shortfall)s short)."
            )
            % {
                "account": str(account),
                "balance": format_amount(balance),
                "amount": format_amount(amount),
                "shortfall": format_amount(self.shortfall),
            }
        )


@dataclass(frozen=True)
class BalanceMismatch:
    account_id: int
    code: str
    cached: Decimal
    from_legs: Decimal


def format_amount(amount: Decimal) -> str:
    """An amount with two decimals, formatted for the active language."""
    return number_format(amount, 2, force_grouping=True)


# ---------------------------------------------------------------------------------------------------------------------
# Validation


def _invalid(message: str, field: str = "legs") -> InvalidInput:
    return InvalidInput([FieldError(field, message)])


def _ref_label(ref: AccountRef) -> str:
    return ref.code if isinstance(ref, LedgerAccount) else str(ref)


def _check_amount(amount: Any, label: str, field: str = "legs") -> Decimal:
    """A non-zero Decimal with at most two decimal places (a value like ``Decimal("1.000")`` is accepted)."""
    if not isinstance(amount, Decimal):
        raise _invalid(
            _("The amount for account %(account)s must be a Decimal, not %(type)s.")
            % {"account": label, "type": type(amount).__name__},
            field,
        )
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise _invalid(_("The amount for account %(account)s is out of range.") % {"account": label}, field)
    if amount != amount.quantize(CENT):
        raise _invalid(
            _("The amount %(amount)s for account %(account)s has more than two decimal places.")
            % {"amount": str(amount), "account": label},
            field,
        )
    if amount == 0:
        raise _invalid(_("The amount for account %(account)s must not be zero.") % {"account": label}, field)
    return amount.quantize(CENT)


def _validate_legs(legs: Iterable[tuple[AccountRef, Decimal]]) -> list[tuple[AccountRef, Decimal]]:
    legs = list(legs)
    if len(legs) < 2:
        raise _invalid(_("A transaction needs at least two legs."))
    checked = []
    for leg in legs:
        if not isinstance(leg, tuple | list) or len(leg) != 2:
            raise _invalid(_("Each leg must be a pair of an account and an amount."))
        ref, amount = leg
        if isinstance(ref, bool) or not isinstance(ref, int | str | LedgerAccount):
            raise _invalid(_("Each leg must name an account by its id or its code."))
        checked.append((ref, _check_amount(amount, _ref_label(ref))))
    total = sum((amount for _ref, amount in checked), ZERO)
    if total != 0:
        raise _invalid(_("The legs of a transaction must sum to zero; they sum to %(total)s.") % {"total": str(total)})
    return checked


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > 200:
        raise _invalid(_("An idempotency key of 1 to 200 characters is required."), "idempotency_key")
    return key


def _check_kind(kind: Any) -> str:
    if not isinstance(kind, str) or not kind.strip() or len(kind) > 60:
        raise _invalid(_("A transaction kind of 1 to 60 characters is required."), "kind")
    return kind


def _reference(reference: Model | tuple[str, Any] | None) -> tuple[str, str]:
    if reference is None:
        return "", ""
    if isinstance(reference, Model):
        return reference._meta.label_lower, str(reference.pk)
    ref_type, ref_id = reference
    return str(ref_type)[:80], str(ref_id)[:64]


def _resolve(refs: list[AccountRef]) -> dict[AccountRef, LedgerAccount]:
    """Map each reference (id, code or instance) to its account row; unknown or repeated accounts are refused."""
    ids = {r.pk if isinstance(r, LedgerAccount) else r for r in refs if not isinstance(r, str)}
    codes = {r for r in refs if isinstance(r, str)}
    rows = list(LedgerAccount.objects.filter(Q(pk__in=ids) | Q(code__in=codes)))
    by_id = {a.pk: a for a in rows}
    by_code = {a.code: a for a in rows}
    out: dict[AccountRef, LedgerAccount] = {}
    seen: set[int] = set()
    for ref in refs:
        account = by_code.get(ref) if isinstance(ref, str) else by_id.get(getattr(ref, "pk", ref))
        if account is None:
            raise _invalid(_("Ledger account %(account)s does not exist.") % {"account": _ref_label(ref)})
        if account.pk in seen:
            raise _invalid(
                _("Account %(account)s appears more than once in the same transaction.") % {"account": account.code}
            )
        seen.add(account.pk)
        out[ref] = account
    return out


# ---------------------------------------------------------------------------------------------------------------------
# Posting


def _retrying(func: Callable[..., T]) -> Callable[..., T]:
    """Retry a whole movement a few times on a transient lock error, but only when we own the transaction.

    SQLite waits up to the configured timeout for the write lock; PostgreSQL never deadlocks on ledger rows because of
    the lock order. This is the last safety net for "database is locked" / "deadlock detected" under heavy load.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        if connection.in_atomic_block:
            return func(*args, **kwargs)
        attempt = 0
        while True:
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                message = str(exc).lower()
                attempt += 1
                if attempt >= 5 or not ("locked" in message or "deadlock" in message):
                    raise
                time.sleep(0.05 * attempt)

    return wrapper


def _same_content(existing: LedgerTransaction, wanted: dict[int, Decimal], kind: str) -> bool:
    have: dict[int, Decimal] = {}
    for account_id, amount in existing.legs.values_list("account_id", "amount"):
        have[account_id] = have.get(account_id, ZERO) + amount
    return existing.kind == kind and have == wanted


def _key_conflict(key: str) -> Conflict:
    return Conflict(_("The idempotency key %(key)s was already used for a different transaction.") % {"key": key})


def _existing(key: str, wanted: dict[int, Decimal], kind: str) -> LedgerTransaction | None:
    existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
    if existing is not None and not _same_content(existing, wanted, kind):
        raise _key_conflict(key)
    return existing


def _post(
    *,
    actor: Any,
    idempotency_key: str,
    legs: list[tuple[AccountRef, Decimal]],
    kind: str,
    memo: str,
    reference: tuple[str, str],
    reverses: LedgerTransaction | None,
    verb: str,
) -> LedgerTransaction:
    try:
        with transaction.atomic():
            accounts = _resolve([ref for ref, _amount in legs])
            wanted = {accounts[ref].pk: amount for ref, amount in legs}
            existing = _existing(idempotency_key, wanted, kind)
            if existing is not None:
                return existing
            # Lock every involved account in ascending id order (PostgreSQL applies FOR UPDATE after ORDER BY), then
            # re-read: the balances below are the committed ones that nobody else can change until we commit.
            locked = list(LedgerAccount.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
            existing = _existing(idempotency_key, wanted, kind)  # a concurrent retry may have committed meanwhile
            if existing is not None:
                return existing
            for account in locked:
                delta = wanted[account.pk]
                if not account.allow_negative and account.balance + delta < 0:
                    raise InsufficientFunds(account, account.balance, -delta)
            txn = LedgerTransaction.objects.create(
                idempotency_key=idempotency_key,
                kind=kind,
                memo=memo[:300],
                actor=actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None,
                reference_type=reference[0],
                reference_id=reference[1],
                reverses=reverses,
            )
            LedgerLeg.objects.bulk_create(
                [LedgerLeg(transaction=txn, account=accounts[ref], amount=amount) for ref, amount in legs]
            )
            for account in locked:
                # Round() keeps SQLite's binary arithmetic on whole fen; on PostgreSQL numeric it changes nothing.
                LedgerAccount.objects.filter(pk=account.pk).update(
                    balance=Round(F("balance") + wanted[account.pk], 2)
                )
            first = [accounts[ref] for ref, _amount in legs]
            audit.record(
                actor=actor,
                verb=verb,
                obj=txn,
                changes={
                    "kind": kind,
                    "legs": [[accounts[ref].code, str(amount)] for ref, amount in legs],
                    "memo": memo,
                    "reference": f"{reference[0]}:{reference[1]}" if reference[0] else "",
                    "reverses": reverses.pk if reverses else None,
                },
                region_code=next((a.region_code for a in first if a.region_code), ""),
                organisation_id=next((a.organisation_id for a in first if a.organisation_id), None),
            )
            return txn
    except IntegrityError:
        # Two requests with the same key raced past the checks: the unique key let one in; answer with that one.
        existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        accounts = _resolve([ref for ref, _amount in legs])
        if not _same_content(existing, {accounts[ref].pk: amount for ref, amount in legs}, kind):
            raise _key_conflict(idempotency_key) from None
        return existing


@_retrying
def do_post_transaction(
    *,
    actor: Any,
    idempotency_key: str,
    legs: list[tuple[AccountRef, Decimal]],
    kind: str,
    memo: str = "",
    reference: Model | tuple[str, Any] | None = None,
) -> LedgerTransaction:
    """Post one movement: ``legs`` are ``(account id, code or instance, signed Decimal amount)``, summing to zero.

    Positive amounts go into an account, negative ones come out. Returns the transaction — the existing one when the
    key was used before with the same legs. Raises ``InvalidInput`` (malformed legs), ``InsufficientFunds`` (a
    non-negative account would go below zero) or ``Conflict`` (key reused with different content); in every error
    case nothing is written. Permission checks are the caller's job.
    """
    return _post(
        actor=actor,
        idempotency_key=_check_key(idempotency_key),
        legs=_validate_legs(legs),
        kind=_check_kind(kind),
        memo=memo or "",
        reference=_reference(reference),
        reverses=None,
        verb="ledger.post_transaction",
    )


def _remaining(original: LedgerTransaction) -> dict[int, Decimal]:
    """Per account, the part of the original movement not yet reversed (original legs plus all reversal legs)."""
    remaining: dict[int, Decimal] = {}
    for account_id, amount in original.legs.values_list("account_id", "amount"):
        remaining[account_id] = remaining.get(account_id, ZERO) + amount
    for account_id, amount in LedgerLeg.objects.filter(transaction__reverses=original).values_list(
        "account_id", "amount"
    ):
        remaining[account_id] = remaining.get(account_id, ZERO) + amount
    return remaining


@_retrying
def do_reverse_transaction(
    *,
    actor: Any,
    transaction_id: int,
    idempotency_key: str,
    amount: Decimal | None = None,
    kind: str = "reversal",
    memo: str = "",
) -> LedgerTransaction:
    """Post the opposite of an earlier movement (a refund or cancellation); the original is never edited.

    Without ``amount`` the whole not-yet-reversed remainder is reversed. With ``amount`` (only for a two-leg
    transaction) that much is moved back. Several partial reversals may follow each other up to the original amount.
    """
    idempotency_key = _check_key(idempotency_key)
    kind = _check_kind(kind)
    if amount is not None:
        if (
            not isinstance(amount, Decimal)
            or not amount.is_finite()
            or amount <= 0
            or amount >= MAX_AMOUNT
            or amount != amount.quantize(CENT)
        ):
            raise _invalid(
                _("The amount to reverse must be a positive Decimal with at most two decimal places."), "amount"
            )
        amount = amount.quantize(CENT)
    with transaction.atomic():
        original = LedgerTransaction.objects.select_for_update().filter(pk=transaction_id).first()
        if original is None:
            raise _invalid(_("Ledger transaction %(id)s does not exist.") % {"id": transaction_id}, "transaction_id")
        existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            same = existing.reverses_id == original.pk and (
                amount is None
                or sum((a for a in existing.legs.values_list("amount", flat=True) if a > 0), ZERO) == amount
            )
            if not same:
                raise _key_conflict(idempotency_key)
            return existing
        if original.reverses_id is not None:
            raise Conflict(_("A reversal cannot itself be reversed; post a new transaction instead."))
        remaining = _remaining(original)
        if all(value == 0 for value in remaining.values()):
            raise Conflict(_("Transaction %(id)s has already been fully reversed.") % {"id": original.pk})
        if amount is None:
            legs: list[tuple[AccountRef, Decimal]] = [(aid, -value) for aid, value in remaining.items() if value != 0]
        else:
            if len(remaining) != 2:
                raise _invalid(_("Only a transaction with two legs can be reversed in part."), "amount")
            (credit_id, credit_left), (debit_id, _debit_left) = sorted(remaining.items(), key=lambda kv: -kv[1])
            if amount > credit_left:
                raise Conflict(
                    _("At most %(remaining)s of this transaction can still be reversed.")
                    % {"remaining": format_amount(credit_left)}
                )
            legs = [(credit_id, -amount), (debit_id, amount)]
        return _post(
            actor=actor,
            idempotency_key=idempotency_key,
            legs=legs,
            kind=kind,
            memo=memo or "",
            reference=(original.reference_type, original.reference_id),
            reverses=original,
            verb="ledger.reverse_transaction",
        )


# ---------------------------------------------------------------------------------------------------------------------
# Accounts and proofs


def get_or_create_account(
    code: str,
    *,
    name: str,
    kind: str,
    allow_negative: bool = False,
    region_code: str = "",
    organisation: Any = None,
) -> LedgerAccount:
    """The account with this code, created on first use. An existing account keeps its settings.

    Codes are hierarchical by convention, e.g. ``programme:12:budget``, ``voucher:345``, ``world:treasury:440300``.
    Only an account that money *enters the ledger from* (a "world" source) may have ``allow_negative=True``.
    """
    account, _created = LedgerAccount.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": kind,
            "allow_negative": allow_negative,
            "region_code": region_code,
            "organisation": organisation,
        },
    )
    if account.allow_negative != allow_negative:
        raise Conflict(
            _("Ledger account %(account)s already exists with a different negative-balance setting.")
            % {"account": code}
        )
    return account


def _account_id(account: AccountRef) -> int:
    if isinstance(account, LedgerAccount):
        return account.pk
    if isinstance(account, str):
        return LedgerAccount.objects.values_list("pk", flat=True).get(code=account)
    return account


def balance_from_legs(account: AccountRef) -> Decimal:
    """The balance of an account recomputed exactly from its legs (ignores the cached ``balance``)."""
    amounts = LedgerLeg.objects.filter(account_id=_account_id(account)).values_list("amount", flat=True)
    return sum(amounts, ZERO)


def _leg_sums() -> dict[int, Decimal]:
    if connection.vendor == "postgresql":  # exact numeric sum in the database
        rows = LedgerLeg.objects.values("account_id").annotate(total=Sum("amount")).order_by()
        return {row["account_id"]: row["total"] for row in rows}
    # SQLite sums in binary floating point; sum the (exact, per-row) Decimals in Python instead.
    sums: dict[int, Decimal] = {}
    for account_id, amount in LedgerLeg.objects.order_by().values_list("account_id", "amount").iterator(5000):
        sums[account_id] = sums.get(account_id, ZERO) + amount
    return sums


def verify_balances() -> list[BalanceMismatch]:
    """Every account whose cached balance differs from the sum of its legs (an empty list means the ledger is sound).

    Also a proof of conservation: all legs of all transactions sum to zero, so the cached balances must too; a
    violation shows up as a mismatch of the pseudo-account ``code="*"`` (id 0).
    """
    sums = _leg_sums()
    out = []
    total_cached = ZERO
    for pk, code, cached in LedgerAccount.objects.order_by("pk").values_list("pk", "code", "balance").iterator(5000):
        total_cached += cached
        from_legs = sums.get(pk, ZERO)
        if cached != from_legs:
            out.append(BalanceMismatch(pk, code, cached, from_legs))
    total_legs = sum(sums.values(), ZERO)
    if total_legs != 0 or total_cached != 0:
        out.append(BalanceMismatch(0, "*", total_cached, total_legs))
    return out
