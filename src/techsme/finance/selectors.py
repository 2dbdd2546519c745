"""Every read of the finance module, already narrowed to what the caller may see.

- agency staff: the pools, admissions, agreements, loans and claims of their region (a pool's region);
- bank officers: their bank's admissions, agreements, loans and claims, and the open pools they may apply to;
- enterprise staff: their own loans (``BorrowerLoan``), never the bank's claims;
- ``finance.monitor``: figures by region and period for the monitoring app (``loans_by_region``,
  ``compensation_by_region``).
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear, Substr
from django.http import Http404

from techsme.accounts.roles import Role
from techsme.core.models import LedgerAccount, LedgerLeg
from techsme.core.permissions import can, organisations, scope
from techsme.finance import accounts
from techsme.finance.models import (
    Agreement,
    BankAdmission,
    BorrowerLoan,
    Claim,
    ClaimState,
    Investment,
    ListingTrack,
    Loan,
    LoanState,
    Pool,
    PoolState,
    Subsidy,
)

ZERO = Decimal("0.00")
SHANGHAI = ZoneInfo("Asia/Shanghai")
LIVE = [LoanState.ENROLLED, LoanState.DEFAULTED]
ENROLLED_EVER = [LoanState.ENROLLED, LoanState.REPAID, LoanState.DEFAULTED, LoanState.WRITTEN_OFF]
IN_DEFAULT = [LoanState.DEFAULTED, LoanState.WRITTEN_OFF]


def bank_ids(user: Any) -> list[int]:
    return organisations(user, {Role.BANK_OFFICER})


def visible_pools(user: Any) -> QuerySet[Pool]:
    """The pools of the user's region; for a bank, the pools it is in and the open pools it may apply to."""
    qs = scope(user, "finance.view", Pool.objects.select_related("agency"))
    banks = bank_ids(user)
    if banks:
        qs = Pool.objects.select_related("agency").filter(
            Q(pk__in=qs.values("pk")) | Q(admissions__bank_id__in=banks) | Q(state=PoolState.OPEN)).distinct()
    return qs.order_by("region_code", "name")


def managed_pools(user: Any) -> QuerySet[Pool]:
    return scope(user, "finance.pool.manage", Pool.objects.select_related("agency"))


def pool_for(user: Any, pk: int) -> Pool:
    pool = visible_pools(user).filter(pk=pk).first()
    if pool is None:
        raise Http404
    return pool


def visible_admissions(user: Any) -> QuerySet[BankAdmission]:
    return scope(user, "finance.view", BankAdmission.objects.select_related("pool", "bank", "pool__agency"))


def visible_agreements(user: Any) -> QuerySet[Agreement]:
    return scope(user, "finance.view", Agreement.objects.select_related("pool", "bank"))


def visible_loans(user: Any) -> QuerySet[Loan]:
    """Loans in the agency's region or of the officer's bank (not the borrower's view: see ``borrower_loans``)."""
    return scope(user, "finance.view", Loan.objects.select_related("agreement__pool", "agreement__bank",
                                                                   "enterprise"))


def borrower_loans(user: Any) -> QuerySet[BorrowerLoan]:
    return scope(user, "finance.borrower.view", BorrowerLoan.objects.select_related(
        "agreement__pool", "agreement__bank", "enterprise"))


def loan_for(user: Any, pk: int) -> Loan:
    loan = visible_loans(user).filter(pk=pk).first() or borrower_loans(user).filter(pk=pk).first()
    if loan is None:
        raise Http404
    return loan


def visible_claims(user: Any) -> QuerySet[Claim]:
    return scope(user, "finance.view", Claim.objects.select_related(
        "loan__agreement__pool", "loan__agreement__bank", "loan__enterprise"))


def claim_for(user: Any, pk: int) -> Claim:
    claim = visible_claims(user).filter(pk=pk).first()
    if claim is None:
        raise Http404
    return claim


def visible_subsidies(user: Any) -> QuerySet[Subsidy]:
    return scope(user, "finance.subsidy.view", Subsidy.objects.select_related("programme", "loan__enterprise"))


def visible_investments(user: Any) -> QuerySet[Investment]:
    return scope(user, "finance.investment.view", Investment.objects.select_related("fund", "enterprise"))


def visible_listing(user: Any) -> QuerySet[ListingTrack]:
    return scope(user, "finance.listing.view", ListingTrack.objects.select_related("enterprise"))


def own_investments(user: Any) -> QuerySet[Investment]:
    """Investments the user may see as agency or investor staff, and those in the user's own enterprise."""
    own = Investment.objects.filter(enterprise__organisation_id__in=organisations(user))
    return (visible_investments(user) | own.select_related("fund", "enterprise")).distinct()


def own_listing(user: Any) -> QuerySet[ListingTrack]:
    return visible_listing(user)


# ---------------------------------------------------------------------------------------------------------------------
# the pool dashboard


@dataclass
class Row:
    label: str
    loans: int = 0
    enrolled: Decimal = ZERO
    outstanding: Decimal = ZERO
    defaulted: Decimal = ZERO
    defaults: int = 0
    compensated: Decimal = ZERO

    @property
    def default_rate(self) -> Decimal:
        return (self.defaulted * 100 / self.enrolled).quantize(Decimal("0.01")) if self.enrolled else ZERO

    @property
    def compensation_rate(self) -> Decimal:
        return (self.compensated * 100 / self.enrolled).quantize(Decimal("0.01")) if self.enrolled else ZERO


def _add(row: Row, other: Row) -> None:
    row.loans += other.loans
    row.enrolled += other.enrolled
    row.outstanding += other.outstanding
    row.defaulted += other.defaulted
    row.defaults += other.defaults
    row.compensated += other.compensated


def _cells(agreement_ids: list[int]) -> dict[tuple[int, int], Row]:
    """One pass over the loans (and one over the paid claims) grouped by (agreement, year granted).

    The loans are selected by the ids of the agreements the user may see — the same scope rule as the loans' own
    (a loan is scoped by its agreement) — so the query touches the loan table alone, not its joins."""
    cells: dict[tuple[int, int], Row] = {}
    loans = Loan.objects.filter(agreement_id__in=agreement_ids, state__in=ENROLLED_EVER)
    for r in loans.annotate(year=ExtractYear("granted_on")).values("agreement_id", "year").annotate(
            n=Count("pk"), amount=Sum("amount"), left=Sum("outstanding", filter=Q(state=LoanState.ENROLLED)),
            lost=Sum("outstanding", filter=Q(state__in=IN_DEFAULT)), nd=Count("pk", filter=Q(state__in=IN_DEFAULT)),
    ).order_by():
        cells[(r["agreement_id"], r["year"])] = Row("", r["n"], r["amount"] or ZERO, r["left"] or ZERO,
                                                   r["lost"] or ZERO, r["nd"])
    paid = Claim.objects.filter(loan__agreement_id__in=agreement_ids, state=ClaimState.PAID)
    for r in paid.annotate(year=ExtractYear("loan__granted_on")).values("loan__agreement_id", "year").annotate(
            paid=Sum("approved_amount")).order_by():
        key = (r["loan__agreement_id"], r["year"])
        cells.setdefault(key, Row("")).compensated += r["paid"] or ZERO
    return cells


def _group(cells: dict[tuple[int, int], Row], key: Any, label: Any) -> list[Row]:
    rows: dict[Any, Row] = {}
    for cell_key, cell in cells.items():
        k = key(cell_key)
        _add(rows.setdefault(k, Row(label(k))), cell)
    return [rows[k] for k in sorted(rows, key=str)]


def pool_dashboard(pool: Pool, user: Any) -> dict[str, Any]:
    """Balance, loans outstanding, leverage achieved, default and compensation rates by bank and by year — of the
    loans the user may see (a bank officer sees the pool's figures for its own bank only)."""
    agreements = list(visible_agreements(user).filter(pool=pool))
    bank_of = {a.pk: a.bank_id for a in agreements}
    banks = {a.bank_id: a.bank.name for a in agreements}
    cells = _cells(list(bank_of))
    by_bank = _group(cells, lambda k: bank_of[k[0]], lambda k: banks.get(k, str(k)))
    by_year = _group(cells, lambda k: k[1], str)
    totals = Row("")
    for cell in cells.values():
        _add(totals, cell)
    allocation = sum((a.allocation for a in agreements), ZERO)
    committed = sum((a.allocation * a.leverage_multiple for a in agreements), ZERO)
    whole_pool = can(user, "finance.view", pool)
    code = accounts.pool_code(pool.pk)
    balance = LedgerAccount.objects.filter(code=code).values_list("balance", flat=True).first()
    funded = ZERO
    if whole_pool:
        funded = sum(LedgerLeg.objects.filter(account__code=code, transaction__kind="fund")
                     .values_list("amount", flat=True), ZERO)
    return {
        "whole_pool": whole_pool,
        "balance": (balance if balance is not None else ZERO) if whole_pool else None,
        "funded": funded,
        "allocation": allocation,
        "committed": committed.quantize(Decimal("0.01")) if committed else ZERO,
        "leverage": (totals.enrolled / allocation).quantize(Decimal("0.01")) if allocation else ZERO,
        "totals": totals,
        "by_bank": by_bank,
        "by_year": by_year,
    }


# ---------------------------------------------------------------------------------------------------------------------
# for the monitoring app


def _period(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time.min, SHANGHAI), datetime.combine(end, time.max, SHANGHAI))


def loans_by_region(user: Any, start: date, end: date, digits: int = 4) -> list[dict[str, Any]]:
    """Loans enrolled in pools and granted in ``[start, end]``, by the borrower's region (first ``digits`` digits of
    its GB/T 2260 code): count and amount. Empty for a user without ``finance.monitor``."""
    qs = scope(user, "finance.monitor", Loan.objects.filter(state__in=ENROLLED_EVER, granted_on__range=(start, end)))
    return list(qs.annotate(region=Substr("enterprise__region_code", 1, digits)).values("region").annotate(
        loans=Count("pk"), amount=Sum("amount")).order_by("region"))


def compensation_by_region(user: Any, start: date, end: date, digits: int = 4) -> list[dict[str, Any]]:
    """Compensation paid in ``[start, end]`` (Asia/Shanghai days), by the borrower's region: claims and amount."""
    qs = scope(user, "finance.monitor", Claim.objects.filter(state=ClaimState.PAID, paid_at__range=_period(start, end)))
    return list(qs.annotate(region=Substr("loan__enterprise__region_code", 1, digits)).values("region").annotate(
        claims=Count("pk"), amount=Sum("approved_amount")).order_by("region"))
