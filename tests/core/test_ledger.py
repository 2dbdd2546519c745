"""The double-entry ledger: legs sum to zero, no overspend, idempotency, reversals, cache equals legs, DB checks."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from techsme.core.audit import verify_chain
from techsme.core.errors import Conflict, InvalidInput
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


@pytest.fixture
def books(db) -> dict[str, LedgerAccount]:
    """A world source (may go negative), a budget funded with 1,000.00, a voucher and a provider account."""
    world = get_or_create_account("world:treasury", name="Treasury", kind="world", allow_negative=True)
    budget = get_or_create_account("programme:1:budget", name="Programme 1 budget", kind="budget", region_code="440300")
    voucher = get_or_create_account("voucher:1", name="Voucher 1", kind="voucher", region_code="440305")
    provider = get_or_create_account("provider:1", name="Provider 1", kind="provider")
    do_post_transaction(
        actor=None, idempotency_key="fund-1", legs=[(world.pk, D("-1000.00")), (budget.pk, D("1000.00"))], kind="fund"
    )
    return {"world": world, "budget": budget, "voucher": voucher, "provider": provider}


def bal(account: LedgerAccount) -> Decimal:
    account.refresh_from_db()
    return account.balance


def snapshot() -> tuple:
    return (
        LedgerTransaction.objects.count(),
        LedgerLeg.objects.count(),
        AuditEvent.objects.count(),
        tuple(LedgerAccount.objects.order_by("pk").values_list("balance", flat=True)),
    )


def move(books, key: str, amount: str, src: str = "budget", dst: str = "voucher", **kw) -> LedgerTransaction:
    return do_post_transaction(
        actor=None,
        idempotency_key=key,
        legs=[(books[src].code, -D(amount)), (books[dst].code, D(amount))],
        kind=kw.pop("kind", "issue"),
        **kw,
    )


def test_post_moves_money_and_cache_equals_legs(books):
    txn = move(books, "k1", "250.50", memo="first voucher")
    assert txn.legs.count() == 2
    assert bal(books["budget"]) == D("749.50")
    assert bal(books["voucher"]) == D("250.50")
    assert bal(books["world"]) == D("-1000.00")
    for account in books.values():
        assert balance_from_legs(account) == bal(account)
    assert balance_from_legs(books["voucher"].code) == D("250.50")
    assert verify_balances() == []


def test_accounts_by_id_code_or_instance(books):
    do_post_transaction(
        actor=None,
        idempotency_key="mixed",
        legs=[(books["budget"], D("-3")), (books["voucher"].pk, D("1")), (books["provider"].code, D("2"))],
        kind="split",
    )
    assert (bal(books["budget"]), bal(books["voucher"]), bal(books["provider"])) == (D("997"), D("1"), D("2"))


@pytest.mark.parametrize(
    "legs",
    [
        [("programme:1:budget", D("-10.00")), ("voucher:1", D("9.99"))],  # does not sum to zero
        [("programme:1:budget", D("-10.00"))],  # one leg
        [],
        [("programme:1:budget", D("0")), ("voucher:1", D("0"))],  # zero amounts
        [("programme:1:budget", -10.0), ("voucher:1", 10.0)],  # floats
        [("programme:1:budget", -10), ("voucher:1", 10)],  # ints are not money either
        [("programme:1:budget", "-10"), ("voucher:1", "10")],
        [("programme:1:budget", D("-0.001")), ("voucher:1", D("0.001"))],  # more than two decimals
        [("programme:1:budget", D("-NaN")), ("voucher:1", D("NaN"))],
        [("programme:1:budget", D("-1e16")), ("voucher:1", D("1e16"))],  # beyond Decimal(18, 2)
        [("programme:1:budget", D("-1")), ("no:such:account", D("1"))],
        [("programme:1:budget", D("-2")), ("voucher:1", D("1")), ("voucher:1", D("1"))],  # repeated account
        [(None, D("-1")), ("voucher:1", D("1"))],
    ],
)
def test_malformed_legs_refused_and_nothing_written(books, legs):
    before = snapshot()
    with pytest.raises(InvalidInput) as info:
        do_post_transaction(actor=None, idempotency_key="bad", legs=legs, kind="issue")
    assert info.value.errors[0].field == "legs"
    assert snapshot() == before


@pytest.mark.parametrize("key", ["", "   ", None, "x" * 201])
def test_idempotency_key_required(books, key):
    with pytest.raises(InvalidInput):
        do_post_transaction(actor=None, idempotency_key=key, legs=[("programme:1:budget", D("-1")),
                                                                    ("voucher:1", D("1"))], kind="issue")


def test_trailing_zero_decimals_are_fine(books):
    move(books, "k", "1.000")
    assert bal(books["voucher"]) == D("1.00")


def test_overspend_refused_with_nothing_written(books):
    move(books, "k1", "900.00")
    before = snapshot()
    with translation.override("en"), pytest.raises(InsufficientFunds) as info:
        move(books, "k2", "100.01")
    assert isinstance(info.value, Conflict)
    assert info.value.shortfall == D("0.01")
    assert info.value.account_code == "programme:1:budget"
    message = str(info.value)
    assert "programme:1:budget" in message and "0.01" in message and "100.01" in message
    assert snapshot() == before
    assert not LedgerTransaction.objects.filter(idempotency_key="k2").exists()
    move(books, "k3", "100.00")  # exactly the rest is fine
    assert bal(books["budget"]) == D("0.00")


def test_overspend_message_is_translated(books):
    with translation.override("zh-hans"), pytest.raises(InsufficientFunds) as info:
        move(books, "k", "1000.01")
    assert "programme:1:budget" in str(info.value)


def test_only_source_accounts_go_negative(books):
    with pytest.raises(InsufficientFunds):
        move(books, "k", "0.01", src="voucher", dst="provider")
    move(books, "k2", "5000.00", src="world", dst="budget")
    assert bal(books["world"]) == D("-6000.00")


def test_fen_arithmetic_is_exact(books):
    """0.30 - 0.10 - 0.20 must be exactly zero (SQLite computes in binary floating point without rounding)."""
    move(books, "a", "0.30")
    move(books, "b", "0.10", src="voucher", dst="provider")
    move(books, "c", "0.20", src="voucher", dst="provider")
    assert bal(books["voucher"]) == D("0.00")
    for i in range(30):
        move(books, f"d{i}", "0.10", src="budget", dst="provider")
    assert bal(books["provider"]) == D("3.30")
    assert bal(books["budget"]) == D("996.70")
    assert verify_balances() == []


def test_idempotent_retry_is_applied_once(books):
    first = move(books, "same", "100.00")
    events = AuditEvent.objects.count()
    again = move(books, "same", "100.00")
    assert again.pk == first.pk
    assert bal(books["budget"]) == D("900.00")
    assert LedgerTransaction.objects.filter(idempotency_key="same").count() == 1
    assert AuditEvent.objects.count() == events


def test_retry_succeeds_even_when_the_money_is_gone(books):
    first = move(books, "all", "1000.00")
    assert move(books, "all", "1000.00").pk == first.pk  # no InsufficientFunds on a retry


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "100.01"},
        {"dst": "provider"},
        {"kind": "other"},
    ],
)
def test_same_key_different_content_is_a_conflict(books, change):
    move(books, "same", "100.00")
    before = snapshot()
    args = {"amount": "100.00", **change}
    with pytest.raises(Conflict) as info:
        move(books, "same", args.pop("amount"), **args)
    assert not isinstance(info.value, InsufficientFunds)
    assert snapshot() == before


def test_audit_event_per_transaction(books):
    txn = move(books, "k", "12.00", memo="memo", reference=("vouchers.voucher", 7))
    event = AuditEvent.objects.get(object_type="core.ledgertransaction", object_id=str(txn.pk))
    assert event.verb == "ledger.post_transaction"
    assert event.changes["legs"] == [["programme:1:budget", "-12.00"], ["voucher:1", "12.00"]]
    assert event.changes["reference"] == "vouchers.voucher:7"
    assert event.region_code == "440300"
    assert (txn.reference_type, txn.reference_id) == ("vouchers.voucher", "7")
    assert verify_chain().ok


def test_reference_from_model_instance_and_actor(books, make_org, make_user):
    user = make_user("agency_admin", make_org("agency"))
    txn = move(books, "k", "1.00", reference=books["voucher"])
    assert (txn.reference_type, txn.reference_id) == ("core.ledgeraccount", str(books["voucher"].pk))
    txn = do_post_transaction(actor=user, idempotency_key="k2",
                              legs=[("programme:1:budget", D("-1")), ("voucher:1", D("1"))], kind="issue")
    assert txn.actor == user
    assert AuditEvent.objects.get(object_id=str(txn.pk), object_type="core.ledgertransaction").actor == user


def test_full_reversal(books):
    txn = move(books, "issue", "300.00")
    rev = do_reverse_transaction(actor=None, transaction_id=txn.pk, idempotency_key="rev")
    assert rev.reverses == txn
    assert sorted(rev.legs.values_list("amount", flat=True)) == [D("-300.00"), D("300.00")]
    assert bal(books["budget"]) == D("1000.00") and bal(books["voucher"]) == D("0.00")
    assert txn.legs.count() == 2  # the original is untouched
    assert do_reverse_transaction(actor=None, transaction_id=txn.pk, idempotency_key="rev").pk == rev.pk
    with pytest.raises(Conflict):
        do_reverse_transaction(actor=None, transaction_id=txn.pk, idempotency_key="rev-again")
    with pytest.raises(Conflict):
        do_reverse_transaction(actor=None, transaction_id=rev.pk, idempotency_key="rev-of-rev")
    assert verify_balances() == []
    assert AuditEvent.objects.filter(verb="ledger.reverse_transaction").count() == 1


def test_partial_reversals_up_to_the_original(books):
    txn = move(books, "issue", "300.00")
    do_reverse_transaction(actor=None, transaction_id=txn.pk, idempotency_key="r1", amount=D("100.00"))
    assert bal(books["voucher"]) == D("200.00")
    again = do_reverse_transaction(actor=None, transaction_id=txn.pk, idempotency_key="r1", amount=D("100.00"))
    assert bal(books["voucher"]) == D("200.00") and again.reverses_id == txn.pk
    with pytest.raises(Conflict):  # same key, other amount
        do_reverse_transaction(actor=None, transaction_id=txn.pk, idempotency_key="r1", amount=D("50.00"))
    with pytest.raises(Conflict):
        do_reverse_transaction(actor=None, transaction_id=txn.pk, idempotency_key="r2", amount=D("200.01"))
    rest = do_reverse_transaction(actor=None, transaction_id=txn.pk, idempotency_key="r3")  # the remaining 200
    assert sorted(rest.legs.values_list("amount", flat=True)) == [D("-200.00"), D("200.00")]
    assert bal(books["voucher"]) == D("0.00") and bal(books["budget"]) == D("1000.00")
    assert verify_balances() == []


@pytest.mark.parametrize("amount", [D("0"), D("-1"), D("0.001"), 1.0, 1])
def test_reversal_amount_must_be_positive_money(books, amount):
    txn = move(books, "issue", "300.00")
    with pytest.raises(InvalidInput):
        do_reverse_transaction(actor=None, transaction_id=txn.pk, idempotency_key="r", amount=amount)


def test_reversal_of_spent_money_is_refused(books):
    txn = move(books, "issue", "300.00")
    move(books, "redeem", "250.00", src="voucher", dst="provider")
    with pytest.raises(InsufficientFunds):
        do_reverse_transaction(actor=None, transaction_id=txn.pk, idempotency_key="r")
    do_reverse_transaction(actor=None, transaction_id=txn.pk, idempotency_key="r2", amount=D("50.00"))
    assert bal(books["voucher"]) == D("0.00")


def test_partial_reversal_only_for_two_legs(books):
    txn = do_post_transaction(
        actor=None,
        idempotency_key="split",
        legs=[("programme:1:budget", D("-3")), ("voucher:1", D("1")), ("provider:1", D("2"))],
        kind="split",
    )
    with pytest.raises(InvalidInput):
        do_reverse_transaction(actor=None, transaction_id=txn.pk, idempotency_key="r", amount=D("1"))
    do_reverse_transaction(actor=None, transaction_id=txn.pk, idempotency_key="r")
    assert bal(books["budget"]) == D("1000.00")


def test_reversing_unknown_transaction(books):
    with pytest.raises(InvalidInput):
        do_reverse_transaction(actor=None, transaction_id=999999, idempotency_key="r")


def test_database_refuses_negative_balance(books):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=books["budget"].pk).update(balance=-1)
    assert bal(books["budget"]) == D("1000.00")
    LedgerAccount.objects.filter(pk=books["world"].pk).update(balance=D("-5"))  # a source account may
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.create(code="x", name="x", kind="x", balance=D("-0.01"))


def test_database_refuses_zero_leg(books):
    txn = move(books, "k", "1.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerLeg.objects.create(transaction=txn, account=books["voucher"], amount=D("0"))


def test_verify_balances_finds_a_tampered_cache(books):
    move(books, "k", "10.00")
    assert verify_balances() == []
    LedgerAccount.objects.filter(pk=books["voucher"].pk).update(balance=D("11.00"))
    mismatches = verify_balances()
    assert [(m.code, m.cached, m.from_legs) for m in mismatches if m.account_id] == [
        ("voucher:1", D("11.00"), D("10.00"))
    ]
    assert any(m.code == "*" for m in mismatches)  # the cached balances no longer sum to zero either


def test_get_or_create_account(db):
    a = get_or_create_account("programme:9:budget", name="B", kind="budget", region_code="440300")
    b = get_or_create_account("programme:9:budget", name="other name", kind="budget")
    assert a.pk == b.pk and b.name == "B" and b.balance == 0
    with pytest.raises(Conflict):
        get_or_create_account("programme:9:budget", name="B", kind="budget", allow_negative=True)


def test_random_walk_keeps_every_invariant(books):
    """300 random movements (some overspending, some retried): the ledger agrees with a plain Decimal model."""
    import random

    rng = random.Random(20261126)
    codes = ["programme:1:budget", "voucher:1", "provider:1"]
    expected = {code: bal(LedgerAccount.objects.get(code=code)) for code in codes}
    posted: dict[str, tuple] = {}
    for i in range(300):
        if posted and rng.random() < 0.2:  # a retry of an earlier request, exactly as it was sent
            key = rng.choice(sorted(posted))
            src, dst, amount = posted[key]
        else:
            key = f"walk-{i}"
            src, dst = rng.sample(codes, 2)
            amount = D(rng.randint(1, 40000)) / 100
        try:
            do_post_transaction(actor=None, idempotency_key=key, legs=[(src, -amount), (dst, amount)], kind="walk")
        except InsufficientFunds:
            assert key not in posted and expected[src] < amount
            continue
        if key not in posted:
            assert expected[src] >= amount
            posted[key] = (src, dst, amount)
            expected[src] -= amount
            expected[dst] += amount
    assert LedgerTransaction.objects.filter(kind="walk").count() == len(posted)
    for code in codes:
        assert bal(LedgerAccount.objects.get(code=code)) == expected[code] >= 0
    assert verify_balances() == []
