"""Concurrent movements on real, separate database connections never overspend and never lose a movement.

Runs on the configured database: SQLite (file test database, IMMEDIATE transactions) by default, PostgreSQL with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/techsme_ledger_dev``.
"""

import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections, transaction

from techsme.core.errors import Conflict
from techsme.core.ledger import (
    InsufficientFunds,
    balance_from_legs,
    do_post_transaction,
    do_reverse_transaction,
    get_or_create_account,
    verify_balances,
)
from techsme.core.models import AuditEvent, LedgerAccount, LedgerLeg, LedgerTransaction

D = Decimal
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def shared_database() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail(
            "The SQLite test database is in memory (another conftest set up the session first); these tests need "
            "the file test database that tests/conftest.py configures."
        )


def run_threads(n: int, work: Callable[[int], Any]) -> list[tuple[str, Any]]:
    """Run ``work(i)`` in ``n`` threads released together; each thread uses (and closes) its own connection."""
    barrier = threading.Barrier(n)
    results: list[tuple[str, Any]] = [("missing", None)] * n

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", work(i))
        except InsufficientFunds as exc:
            results[i] = ("insufficient", exc)
        except Exception as exc:  # reported by the test
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


@pytest.fixture
def budget() -> LedgerAccount:
    world = get_or_create_account("world:treasury", name="Treasury", kind="world", allow_negative=True)
    budget = get_or_create_account("programme:1:budget", name="Budget", kind="budget")
    get_or_create_account("provider:1", name="Provider", kind="provider")
    do_post_transaction(
        actor=None, idempotency_key="fund", legs=[(world.pk, D("-1000.00")), (budget.pk, D("1000.00"))], kind="fund"
    )
    return budget


def assert_sound() -> None:
    assert verify_balances() == []
    for account in LedgerAccount.objects.all():
        assert account.balance == balance_from_legs(account)
        assert account.allow_negative or account.balance >= 0


def test_twenty_spenders_never_overspend(budget):
    for i in range(20):
        get_or_create_account(f"voucher:{i}", name=f"Voucher {i}", kind="voucher")

    def spend(i: int) -> int:
        txn = do_post_transaction(
            actor=None,
            idempotency_key=f"issue-{i}",
            legs=[("programme:1:budget", D("-100.00")), (f"voucher:{i}", D("100.00"))],
            kind="issue",
        )
        return txn.pk

    results = run_threads(20, spend)
    outcomes = Counter(kind for kind, _value in results)
    assert outcomes == {"ok": 10, "insufficient": 10}, results
    budget.refresh_from_db()
    assert budget.balance == D("0.00") == balance_from_legs(budget)
    assert LedgerTransaction.objects.filter(kind="issue").count() == 10
    assert LedgerLeg.objects.filter(account__code__startswith="voucher:").count() == 10
    assert AuditEvent.objects.filter(verb="ledger.post_transaction").count() == 11  # fund + 10 issues
    assert_sound()


def test_ten_retries_of_one_key_apply_once(budget):
    get_or_create_account("voucher:1", name="Voucher", kind="voucher")

    def retry(_i: int) -> int:
        return do_post_transaction(
            actor=None,
            idempotency_key="issue-once",
            legs=[("programme:1:budget", D("-100.00")), ("voucher:1", D("100.00"))],
            kind="issue",
        ).pk

    results = run_threads(10, retry)
    assert {kind for kind, _value in results} == {"ok"}, results
    assert len({value for _kind, value in results}) == 1
    assert LedgerTransaction.objects.filter(idempotency_key="issue-once").count() == 1
    budget.refresh_from_db()
    assert budget.balance == D("900.00")
    assert_sound()


def test_same_key_different_legs_under_concurrency(budget):
    for i in range(6):
        get_or_create_account(f"voucher:{i}", name=f"Voucher {i}", kind="voucher")

    def post(i: int) -> int:
        return do_post_transaction(
            actor=None,
            idempotency_key="contested",
            legs=[("programme:1:budget", D("-10.00")), (f"voucher:{i}", D("10.00"))],
            kind="issue",
        ).pk

    results = run_threads(6, post)
    outcomes = Counter(kind for kind, _value in results)
    assert outcomes == {"ok": 1, "error": 5}, results
    assert all(isinstance(value, Conflict) for kind, value in results if kind == "error")
    assert LedgerTransaction.objects.filter(idempotency_key="contested").count() == 1
    assert_sound()


def test_same_key_race_on_the_unique_index(budget):
    """A holds its transaction open with key K; B posts K on other accounts (no shared row lock) and must get Conflict.

    On PostgreSQL B passes both key checks, blocks on the unique index and gets an IntegrityError when A commits,
    which the ledger turns into Conflict; on SQLite B waits for A's write lock and then sees the key.
    """
    for i in range(2):
        get_or_create_account(f"source:{i}", name=f"Source {i}", kind="world", allow_negative=True)
        get_or_create_account(f"voucher:{i}", name=f"Voucher {i}", kind="voucher")
    inserted, release = threading.Event(), threading.Event()

    def post(i: int) -> int:
        return do_post_transaction(
            actor=None,
            idempotency_key="contested-key",
            legs=[(f"source:{i}", D("-10.00")), (f"voucher:{i}", D("10.00"))],
            kind="issue",
        ).pk

    def work(i: int) -> int:
        if i == 0:
            with transaction.atomic():
                pk = post(0)
                inserted.set()
                release.wait(10)
            return pk
        inserted.wait(10)
        threading.Timer(0.3, release.set).start()
        return post(1)

    results = run_threads(2, work)
    assert results[0][0] == "ok", results
    assert results[1][0] == "error" and isinstance(results[1][1], Conflict), results
    assert LedgerLeg.objects.filter(account__code__startswith="voucher:").count() == 1
    assert_sound()


def test_mixed_issuance_redemption_and_refunds(budget):
    """Issue 100 into each of 12 vouchers (only 10 fit), redeem 60 and refund the rest of each, all at once."""
    for i in range(12):
        get_or_create_account(f"voucher:{i}", name=f"Voucher {i}", kind="voucher")

    def work(i: int) -> str:
        voucher = f"voucher:{i % 12}"
        if i < 12:
            do_post_transaction(
                actor=None,
                idempotency_key=f"issue-{i}",
                legs=[("programme:1:budget", D("-100.00")), (voucher, D("100.00"))],
                kind="issue",
            )
            return "issued"
        if i < 24:
            do_post_transaction(
                actor=None,
                idempotency_key=f"redeem-{i % 12}",
                legs=[(voucher, D("-60.00")), ("provider:1", D("60.00"))],
                kind="redeem",
            )
            return "redeemed"
        issue = LedgerTransaction.objects.filter(idempotency_key=f"issue-{i % 12}").first()
        if issue is None:
            return "nothing to refund"
        do_reverse_transaction(actor=None, transaction_id=issue.pk, idempotency_key=f"refund-{i % 12}",
                               amount=D("40.00"))
        return "refunded"

    results = run_threads(36, work)
    assert not [r for r in results if r[0] in ("error", "missing")], results
    issued = LedgerTransaction.objects.filter(kind="issue").count()
    redeemed = LedgerTransaction.objects.filter(kind="redeem").count()
    refunded = LedgerTransaction.objects.filter(kind="reversal").count()
    assert issued == 10  # 1,000.00 / 100.00
    assert redeemed <= issued and refunded <= issued
    budget.refresh_from_db()
    provider = LedgerAccount.objects.get(code="provider:1")
    vouchers = sum(LedgerAccount.objects.filter(code__startswith="voucher:").values_list("balance", flat=True), D(0))
    assert provider.balance == redeemed * D("60.00")
    assert budget.balance == D("1000.00") - issued * D("100.00") + refunded * D("40.00")
    assert budget.balance + provider.balance + vouchers == D("1000.00")  # nothing created, nothing lost
    assert_sound()


def test_concurrent_partial_refunds_never_exceed_the_original(budget):
    """Ten refunds of 50.00 against one 300.00 issue at once: exactly six fit (the original row lock serialises)."""
    get_or_create_account("voucher:1", name="Voucher", kind="voucher")
    issue = do_post_transaction(
        actor=None,
        idempotency_key="issue",
        legs=[("programme:1:budget", D("-300.00")), ("voucher:1", D("300.00"))],
        kind="issue",
    )

    def refund(i: int) -> int:
        return do_reverse_transaction(
            actor=None, transaction_id=issue.pk, idempotency_key=f"refund-{i}", amount=D("50.00")
        ).pk

    results = run_threads(10, refund)
    assert Counter(kind for kind, _value in results) == {"ok": 6, "error": 4}, results
    assert all(isinstance(value, Conflict) for kind, value in results if kind == "error")
    assert LedgerAccount.objects.get(code="voucher:1").balance == D("0.00")
    budget.refresh_from_db()
    assert budget.balance == D("1000.00")
    assert_sound()
