"""The ledger accounts of the finance module, and caps as ledger accounts.

Money (see docs/finance.md):

| account | holds |
|---|---|
| ``world:finance:<region>`` | the region's treasury (source, may go negative) |
| ``riskpool:P:available`` | the pool's free balance |
| ``riskpool:P:bank:B:reserve`` | capital-access variant: the bank's reserve (premiums + the agency's match) |
| ``riskpool:P:bank:B:payable`` | compensation approved, not yet paid to bank B |
| ``riskpool:P:bank:B:compensated`` | compensation paid to bank B, net of the recoveries returned |
| ``world:finance:premiums:<region>`` | capital-access premiums paid by borrowers and banks (source) |
| ``finsubsidy:S:budget`` / ``finsubsidy:S:paid`` | a subsidy programme's budget and what it paid out |

Caps: the headroom left under a cap is itself a non-negative ledger account, opened once with the cap amount from
``riskpool:P:caps:limits`` (the only negative source of the cap sub-ledger). A compensation approval is *one*
ledger transaction that takes the amount out of the pool (or reserve) *and* out of the loan, enterprise and year
headroom accounts at once: the ledger locks every account in id order and refuses the whole movement if any of them
would go below zero — so concurrent approvals can never pass a cap or the pool's balance, whatever the interleaving.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from techsme.core.ledger import do_post_transaction, get_or_create_account
from techsme.core.models import LedgerAccount

ZERO = Decimal("0.00")


def treasury(region_code: str) -> LedgerAccount:
    return get_or_create_account(f"world:finance:{region_code}", name=f"Finance {region_code}", kind="world",
                                 allow_negative=True, region_code=region_code)


def premiums_source(region_code: str) -> LedgerAccount:
    return get_or_create_account(f"world:finance:premiums:{region_code}", name=f"Premiums {region_code}",
                                 kind="world", allow_negative=True, region_code=region_code)


def pool_code(pool_id: int) -> str:
    return f"riskpool:{pool_id}:available"


def pool_account(pool: Any) -> LedgerAccount:
    return get_or_create_account(pool_code(pool.pk), name=pool.name, kind="riskpool", region_code=pool.region_code,
                                 organisation=pool.agency)


def _bank_account(pool: Any, bank: Any, purpose: str) -> LedgerAccount:
    return get_or_create_account(f"riskpool:{pool.pk}:bank:{bank.pk}:{purpose}", name=f"{bank.name} · {purpose}",
                                 kind=f"riskpool_{purpose}", region_code=pool.region_code, organisation=bank)


def reserve(pool: Any, bank: Any) -> LedgerAccount:
    return _bank_account(pool, bank, "reserve")


def payable(pool: Any, bank: Any) -> LedgerAccount:
    return _bank_account(pool, bank, "payable")


def compensated(pool: Any, bank: Any) -> LedgerAccount:
    return _bank_account(pool, bank, "compensated")


def compensation_source(agreement: Any) -> LedgerAccount:
    """Where a compensation comes from: the pool, or in the capital-access variant the bank's own reserve."""
    from techsme.finance.models import PoolKind

    pool = agreement.pool
    return reserve(pool, agreement.bank) if pool.kind == PoolKind.CAPITAL_ACCESS else pool_account(pool)


# ---------------------------------------------------------------------------------------------------------------------
# caps


@dataclass(frozen=True)
class Cap:
    key: str  # "loan", "enterprise", "year": the criterion code
    code: str
    amount: Decimal


def caps_for(agreement: Any, loan: Any, year: int) -> list[Cap]:
    p, a = agreement.pool_id, agreement.pk
    return [
        Cap("loan", f"riskpool:{p}:cap:loan:{loan.pk}", agreement.cap_per_loan),
        Cap("enterprise", f"riskpool:{p}:cap:agreement:{a}:enterprise:{loan.enterprise_id}",
            agreement.cap_per_enterprise),
        Cap("year", f"riskpool:{p}:cap:agreement:{a}:year:{year}", agreement.cap_per_year),
    ]


def caps_used(pool: Any) -> LedgerAccount:
    return get_or_create_account(f"riskpool:{pool.pk}:caps:used", name=f"{pool.name} · caps used", kind="cap_used",
                                 region_code=pool.region_code, organisation=pool.agency)


def open_cap(pool: Any, cap: Cap) -> LedgerAccount:
    """The headroom account of a cap, opened (once — the key names the cap) with the cap's amount.

    An account that exists was opened in the same transaction that created it, so it is returned as it is."""
    existing = LedgerAccount.objects.filter(code=cap.code).first()
    if existing is not None:
        return existing
    account = get_or_create_account(cap.code, name=cap.code, kind="cap", region_code=pool.region_code,
                                    organisation=pool.agency)
    limits = get_or_create_account(f"riskpool:{pool.pk}:caps:limits", name=f"{pool.name} · caps", kind="world",
                                   allow_negative=True, region_code=pool.region_code, organisation=pool.agency)
    if cap.amount > 0:
        do_post_transaction(actor=None, idempotency_key=f"open:{cap.code}", legs=[(limits, -cap.amount),
                            (account, cap.amount)], kind="cap_open", memo="cap opened")
    return account


def balance(code: str) -> Decimal:
    value = LedgerAccount.objects.filter(code=code).values_list("balance", flat=True).first()
    return ZERO if value is None else value
