"""Reads of the voucher process, always through the caller's scope; public reads expose public fields only."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from techsme.accounts.roles import Role
from techsme.core.models import LedgerLeg, LedgerTransaction
from techsme.core.permissions import organisations, scope
from techsme.refdata import region_name
from techsme.vouchers import codes
from techsme.vouchers.models import (
    Application,
    Contract,
    ContractState,
    Programme,
    ProviderState,
    ReimbursementBatch,
    ServiceCategory,
    ServiceProvider,
    Voucher,
    VoucherState,
)

ZERO = Decimal("0.00")
VIEW = "vouchers.view"


def _provider_orgs(user: Any) -> list[int]:
    return organisations(user, {Role.PROVIDER_STAFF})


# --- programmes ---------------------------------------------------------------------------------------------------


def managed_programmes(user: Any) -> QuerySet[Programme]:
    """Programmes the user runs (agency staff in whose region the programme lies)."""
    return scope(user, VIEW, Programme.objects.select_related("agency", "budget_account")).filter(
        agency__kind="agency")


def open_programmes(today: date | None = None) -> QuerySet[Programme]:
    """Programmes still issuing or honouring vouchers — public information (name, rules, caps)."""
    today = today or timezone.localdate()
    return Programme.objects.select_related("agency", "budget_account").filter(valid_until__gte=today)


def programmes_for(user: Any) -> QuerySet[Programme]:
    return Programme.objects.select_related("agency", "budget_account").filter(
        Q(pk__in=managed_programmes(user).values("pk")) | Q(pk__in=open_programmes().values("pk"))
    ).order_by("-year", "name")


def programme_for(user: Any, pk: int) -> Programme:
    programme = programmes_for(user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def manages(user: Any, programme: Programme) -> bool:
    return managed_programmes(user).filter(pk=programme.pk).exists()


# --- applications, vouchers ---------------------------------------------------------------------------------------


def visible_applications(user: Any) -> QuerySet[Application]:
    return scope(user, VIEW, Application.objects.select_related("programme", "enterprise", "voucher"))


def application_for(user: Any, pk: int) -> Application:
    application = visible_applications(user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def visible_vouchers(user: Any) -> QuerySet[Voucher]:
    return scope(user, VIEW, Voucher.objects.select_related("programme", "enterprise", "account"))


def voucher_for(user: Any, pk: int) -> Voucher:
    voucher = visible_vouchers(user).filter(pk=pk).first()
    if voucher is None:
        raise Http404
    return voucher


MOVEMENT_LABELS = {
    "voucher_issue": gettext_lazy("Voucher issued"),
    "voucher_redeem": gettext_lazy("Redeemed for a service contract"),
    "voucher_refund": gettext_lazy("Refund from a service contract"),
    "voucher_cancel": gettext_lazy("Cancelled: balance returned to the budget"),
    "voucher_expire": gettext_lazy("Expired: balance returned to the budget"),
}


def voucher_history(voucher: Voucher) -> list[dict[str, Any]]:
    """Every ledger movement of the voucher's account, oldest first, with the running balance."""
    legs = (LedgerLeg.objects.filter(account_id=voucher.account_id).select_related("transaction")
            .order_by("transaction__created_at", "transaction_id"))
    out, running = [], ZERO
    for leg in legs:
        running += leg.amount
        kind = leg.transaction.kind
        out.append({"at": leg.transaction.created_at, "kind": kind, "label": MOVEMENT_LABELS.get(kind, kind),
                    "amount": leg.amount,
                    "balance": running, "memo": leg.transaction.memo, "transaction": leg.transaction_id})
    return out


@dataclass
class Verification:
    valid: bool
    code: str
    programme: str = ""
    agency: str = ""
    enterprise: str = ""
    amount: Decimal | None = None
    valid_until: date | None = None
    state: str = ""
    state_label: str = ""


def verify_code(code: str) -> Verification:
    """What the public verification page shows: whether the code is genuine and issued, and to whom."""
    code = codes.normalise(code)
    if not codes.check_code(code):
        return Verification(False, code)
    voucher = Voucher.objects.select_related("programme__agency", "enterprise").filter(code=code).first()
    if voucher is None:
        return Verification(False, code)
    return Verification(
        True, code, programme=voucher.programme.name, agency=voucher.programme.agency.name,
        enterprise=voucher.enterprise.name, amount=voucher.amount, valid_until=voucher.valid_until,
        state=voucher.state, state_label=str(voucher.get_state_display()),
    )


# --- providers, contracts, batches --------------------------------------------------------------------------------


def visible_providers(user: Any) -> QuerySet[ServiceProvider]:
    return scope(user, VIEW, ServiceProvider.objects.select_related("programme", "organisation"))


def provider_for(user: Any, pk: int) -> ServiceProvider:
    provider = visible_providers(user).filter(pk=pk).first()
    if provider is None:
        raise Http404
    return provider


def providers_accepting(voucher: Voucher) -> QuerySet[ServiceProvider]:
    """Approved providers whose programme is the voucher's or recognises it (public list for the contract form)."""
    return ServiceProvider.objects.filter(state=ProviderState.APPROVED).filter(
        Q(programme_id=voucher.programme_id) | Q(programme__recognised=voucher.programme_id)
    ).select_related("programme").prefetch_related("services").distinct().order_by("institution")


def visible_contracts(user: Any) -> QuerySet[Contract]:
    """Contracts of the user's enterprise, of the user's provider institution, or in the agency's region."""
    base = Contract.objects.select_related("voucher__programme", "enterprise", "provider", "voucher__account")
    scoped = scope(user, VIEW, Contract.objects.all()).values("pk")
    return base.filter(Q(pk__in=scoped) | Q(provider__organisation_id__in=_provider_orgs(user)))


def contract_for(user: Any, pk: int) -> Contract:
    contract = visible_contracts(user).filter(pk=pk).first()
    if contract is None:
        raise Http404
    return contract


def visible_batches(user: Any) -> QuerySet[ReimbursementBatch]:
    return scope(user, VIEW, ReimbursementBatch.objects.select_related("programme", "provider"))


# --- dashboards ---------------------------------------------------------------------------------------------------


@dataclass
class ProgrammeFigures:
    funded: Decimal = ZERO
    returned: Decimal = ZERO  # given back to the source account when the programme closed (not counted in funded)
    free: Decimal = ZERO
    committed: Decimal = ZERO
    used: Decimal = ZERO
    paid: Decimal = ZERO
    receivable: Decimal = ZERO
    vouchers: int = 0
    applications_waiting: int = 0
    by_category: list[dict[str, Any]] = field(default_factory=list)
    by_region: list[dict[str, Any]] = field(default_factory=list)

    def bars(self) -> list[dict[str, Any]]:
        """Used / committed / free as shares of the funded budget (for the stacked bar)."""
        total = self.funded or Decimal(1)
        out, offset = [], 0.0
        for key, value in (("used", self.used), ("committed", self.committed), ("free", self.free)):
            pct = max(0.0, float(value / total * 100))
            out.append({"key": key, "value": value, "pct": pct, "offset": offset})
            offset += pct
        return out


def _with_pct(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    top = max((r[key] for r in rows), default=ZERO) or Decimal(1)
    for r in rows:
        r["pct"] = float(r[key] / top * 100)
    return rows


def programme_figures(programme: Programme) -> ProgrammeFigures:
    """Budget used / committed / free (all derived from the ledger), and use by category and by region.

    funded = every ``fund`` movement into the budget; free = the budget's balance; committed = the open voucher
    balances; used = funded − free − committed = redeemed net of refunds (paid out + still receivable).
    """
    f = ProgrammeFigures()
    budget_id = programme.budget_account_id
    f.funded = sum(LedgerLeg.objects.filter(account_id=budget_id, transaction__kind="fund")
                   .values_list("amount", flat=True), ZERO)
    f.returned = -sum(LedgerLeg.objects.filter(account_id=budget_id, transaction__kind="programme_return")
                      .values_list("amount", flat=True), ZERO)
    f.funded -= f.returned
    programme.budget_account.refresh_from_db(fields=["balance"])
    f.free = programme.budget_account.balance
    vouchers = list(programme.vouchers.select_related("account", "enterprise"))
    f.vouchers = len(vouchers)
    f.committed = sum((v.account.balance for v in vouchers if v.account_id), ZERO)
    f.used = f.funded - f.free - f.committed
    f.paid = sum(programme.batches.values_list("amount", flat=True), ZERO)
    f.receivable = f.used - f.paid
    f.applications_waiting = programme.applications.filter(state="submitted").count()
    categories: dict[str, Decimal] = defaultdict(lambda: ZERO)
    region_used: dict[str, Decimal] = defaultdict(lambda: ZERO)
    region_committed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for c in Contract.objects.filter(voucher__programme=programme).exclude(state=ContractState.RECORDED) \
            .select_related("enterprise"):
        if c.net_amount:
            categories[c.category] += c.net_amount
            region_used[c.enterprise.region_code] += c.net_amount
    for v in vouchers:
        if v.account_id and v.account.balance:
            region_committed[v.enterprise.region_code] += v.account.balance
    labels = dict(ServiceCategory.choices)
    f.by_category = _with_pct(sorted(
        ({"key": k, "label": str(labels.get(k, k)), "amount": a} for k, a in categories.items()),
        key=lambda r: -r["amount"]), "amount")
    regions = sorted(set(region_used) | set(region_committed))
    f.by_region = _with_pct(sorted(
        ({"code": r, "label": region_name(r) or r, "used": region_used[r], "committed": region_committed[r],
          "total": region_used[r] + region_committed[r]} for r in regions),
        key=lambda r: -r["total"]), "total")
    for r in f.by_region:
        total = r["total"] or Decimal(1)
        r["used_pct"] = r["pct"] * float(r["used"] / total)
        r["committed_pct"] = r["pct"] - r["used_pct"]
    return f


def enterprise_summary(user: Any) -> dict[str, Any]:
    vouchers = list(visible_vouchers(user).order_by("-issued_at"))
    return {
        "vouchers": vouchers,
        "active_balance": sum((v.account.balance for v in vouchers if v.state == VoucherState.ACTIVE
                               and v.account_id), ZERO),
        "applications": list(visible_applications(user).order_by("-created_at")[:50]),
        "contracts": list(visible_contracts(user).order_by("-created_at")[:50]),
    }


def provider_summary(user: Any) -> dict[str, Any]:
    orgs = _provider_orgs(user)
    contracts = list(Contract.objects.filter(provider__organisation_id__in=orgs)
                     .select_related("voucher__programme", "enterprise", "provider").order_by("-created_at"))
    batches = list(ReimbursementBatch.objects.filter(provider__organisation_id__in=orgs)
                   .select_related("programme", "provider").order_by("-created_at"))
    redeemed = sum((c.net_amount for c in contracts), ZERO)
    reimbursed = sum((b.amount for b in batches), ZERO)
    return {
        "registrations": list(ServiceProvider.objects.filter(organisation_id__in=orgs).select_related("programme")),
        "contracts": contracts,
        "batches": batches,
        "redeemed": redeemed,
        "reimbursed": reimbursed,
        "outstanding": redeemed - reimbursed,
    }


def transactions_of(programme: Programme) -> QuerySet[LedgerTransaction]:
    return LedgerTransaction.objects.filter(legs__account_id=programme.budget_account_id).distinct()


def batch_for(user: Any, pk: int) -> ReimbursementBatch:
    """A reimbursement batch of the user's provider institution, or of a programme in the agency's region."""
    batch = visible_batches(user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch
