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


def _rows(loans: QuerySet[Loan], claims: QuerySet[Claim], key: Any, loan_key: str, claim_key: str,
          label: Any) -> list[Row]:
    rows: dict[Any, Row] = {}
    for r in loans.filter(state__in=ENROLLED_EVER).annotate(k=key(loan_key)).values("k").annotate(
            n=Count("pk"), amount=Sum("amount"), left=Sum("outstanding", filter=Q(state=LoanState.ENROLLED)),
            lost=Sum("outstanding", filter=Q(state__in=IN_DEFAULT)), nd=Count("pk", filter=Q(state__in=IN_DEFAULT)),
    ).order_by("k"):
        rows[r["k"]] = Row(label(r["k"]), r["n"], r["amount"] or ZERO, r["left"] or ZERO, r["lost"] or ZERO, r["nd"])
    for r in claims.filter(state=ClaimState.PAID).annotate(k=key(claim_key)).values("k").annotate(
            paid=Sum("approved_amount")).order_by("k"):
        rows.setdefault(r["k"], Row(label(r["k"]))).compensated = r["paid"] or ZERO
    return [rows[k] for k in sorted(rows, key=lambda k: (k is None, k))]


def _field(name: str) -> Any:
    from django.db.models import F

    return F(name)


def pool_dashboard(pool: Pool, user: Any) -> dict[str, Any]:
    """Balance, loans outstanding, leverage achieved, default and compensation rates by bank and by year — of the
    loans the user may see (a bank officer sees the pool's figures for its own bank only)."""
    loans = visible_loans(user).filter(agreement__pool=pool)
    claims = visible_claims(user).filter(loan__agreement__pool=pool)
    agreements = visible_agreements(user).filter(pool=pool)
    banks = {a.bank_id: a.bank.name for a in agreements}
    by_bank = _rows(loans, claims, _field, "agreement__bank_id", "loan__agreement__bank_id",
                    lambda k: banks.get(k, str(k)))
    by_year = _rows(loans, claims, ExtractYear, "granted_on", "loan__granted_on", lambda k: str(k))
    allocation = agreements.aggregate(total=Sum("allocation"))["total"] or ZERO
    committed = sum((a.allocation * a.leverage_multiple for a in agreements), ZERO)
    enrolled = sum((r.enrolled for r in by_bank), ZERO)
    whole_pool = can(user, "finance.view", pool)
    balances = dict(LedgerAccount.objects.filter(code=accounts.pool_code(pool.pk)).values_list("code", "balance"))
    funded = ZERO
    if whole_pool:
        funded = sum(LedgerLeg.objects.filter(account__code=accounts.pool_code(pool.pk), transaction__kind="fund")
                     .values_list("amount", flat=True), ZERO)
    totals = Row("", sum(r.loans for r in by_bank), enrolled, sum((r.outstanding for r in by_bank), ZERO),
                 sum((r.defaulted for r in by_bank), ZERO), sum(r.defaults for r in by_bank),
                 sum((r.compensated for r in by_bank), ZERO))
    return {
        "whole_pool": whole_pool,
        "balance": balances.get(accounts.pool_code(pool.pk), ZERO) if whole_pool else None,
        "funded": funded,
        "allocation": allocation,
        "committed": committed.quantize(Decimal("0.01")) if committed else ZERO,
        "leverage": (enrolled / allocation).quantize(Decimal("0.01")) if allocation else ZERO,
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
