"""Reads of technology transfer, each narrowed to what the caller may see. Views and the API use only these.

Confidential need details: the enterprise itself, agency staff of its region, and the owners of an outcome the
enterprise has said it is interested in (it opens its details to them) — nobody else.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear, Substr
from django.http import Http404

from techsme.core.permissions import can, organisations, scope
from techsme.core.search import search
from techsme.transfer.models import (
    Challenge,
    ChallengeEntry,
    ChallengeState,
    ContractState,
    InnovativeProduct,
    Match,
    Need,
    NeedState,
    Outcome,
    OutcomeState,
    ProductState,
    TechContract,
)
from techsme.transfer.permissions import PUBLISHER_ROLES, SELLER_ROLES, SOLVER_ROLES


def _superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


# ---- outcomes
def public_outcomes() -> QuerySet[Outcome]:
    return Outcome.objects.filter(state=OutcomeState.PUBLISHED).select_related("owner")


@dataclass
class OutcomeFilters:
    q: str = ""
    industry: str = ""  # a section letter, a division or a class prefix (C, C39, C3962)
    region: str = ""  # a GB/T 2260 prefix
    min_trl: int | None = None
    mode: str = ""
    belt_and_road: bool = False


def search_outcomes(filters: OutcomeFilters) -> QuerySet[Outcome]:
    qs = public_outcomes()
    if filters.industry:
        qs = qs.filter(industry_code__startswith=filters.industry.upper())
    if filters.region:
        qs = qs.filter(region_code__startswith=filters.region)
    if filters.min_trl:
        qs = qs.filter(trl__gte=filters.min_trl)
    if filters.mode:
        qs = qs.filter(modes__icontains=f'"{filters.mode}"')
    if filters.belt_and_road:
        qs = qs.filter(belt_and_road=True)
    return search(qs, filters.q).order_by("-published_at", "-pk")


def managed_outcomes(user: Any) -> QuerySet[Outcome]:
    """Outcomes the user's organisations own (every state) — and, for agency staff, those of their region."""
    return scope(user, "transfer.outcome.view", Outcome.objects.select_related("owner"))


def outcome_for(user: Any, pk: int) -> Outcome:
    """A published outcome, or one the user manages or moderates; 404 otherwise."""
    outcome = Outcome.objects.select_related("owner").filter(pk=pk).first()
    if outcome is None:
        raise Http404
    if outcome.state == OutcomeState.PUBLISHED or can(user, "transfer.outcome.view", outcome):
        return outcome
    raise Http404


def moderation_queue(user: Any) -> QuerySet[Outcome]:
    return scope(user, "transfer.outcome.moderate",
                 Outcome.objects.filter(state=OutcomeState.SUBMITTED).select_related("owner")).order_by("submitted_at")


# ---- needs
def public_needs() -> QuerySet[Need]:
    """Open needs: only their public fields may be shown from this queryset."""
    return Need.objects.filter(state=NeedState.OPEN).select_related("enterprise").order_by("-created_at", "-pk")


def own_needs(user: Any) -> QuerySet[Need]:
    return scope(user, "transfer.need.view", Need.objects.select_related("enterprise"))


def need_for(user: Any, pk: int) -> Need:
    """An open need (public part), or any need the user may see in full; 404 otherwise."""
    need = Need.objects.select_related("enterprise").filter(pk=pk).first()
    if need is None or (need.state != NeedState.OPEN and not may_see_details(user, need)):
        raise Http404
    return need


def may_see_details(user: Any, need: Need) -> bool:
    if can(user, "transfer.need.view", need):
        return True
    own = organisations(user, PUBLISHER_ROLES)
    return bool(own) and Match.objects.filter(need=need, need_interest_at__isnull=False,
                                              outcome__owner_id__in=own).exists()


# ---- matches
def matches_of_need(user: Any, need: Need) -> QuerySet[Match]:
    if not can(user, "transfer.need.view", need):
        return Match.objects.none()
    return need.matches.select_related("outcome", "outcome__owner").filter(outcome__state=OutcomeState.PUBLISHED)


def matches_of_outcome(user: Any, outcome: Outcome) -> QuerySet[Match]:
    if not can(user, "transfer.outcome.view", outcome):
        return Match.objects.none()
    return outcome.matches.select_related("need", "need__enterprise").filter(need__state=NeedState.OPEN)


def match_for(user: Any, pk: int) -> Match:
    """A match the user is a party to (either side) or oversees as agency staff; 404 otherwise."""
    match = Match.objects.select_related("need", "need__enterprise", "outcome", "outcome__owner").filter(pk=pk).first()
    if match is None or not (can(user, "transfer.need.view", match.need)
                             or can(user, "transfer.outcome.view", match.outcome)):
        raise Http404
    return match


def matches_for_user(user: Any) -> QuerySet[Match]:
    """Every match the user is a party to, best first."""
    if _superuser(user):
        return Match.objects.select_related("need", "outcome")
    need_side = scope(user, "transfer.need.view", Need.objects.all()).values("pk")
    outcome_side = scope(user, "transfer.outcome.view", Outcome.objects.all()).values("pk")
    return Match.objects.filter(Q(need__in=need_side) | Q(outcome__in=outcome_side)).select_related("need", "outcome")


# ---- challenges
def public_challenges() -> QuerySet[Challenge]:
    return Challenge.objects.select_related("poster").order_by("-created_at", "-pk")


def challenge_for(pk: int) -> Challenge:
    challenge = Challenge.objects.select_related("poster", "escrow").filter(pk=pk).first()
    if challenge is None:
        raise Http404
    return challenge


def entries_visible(user: Any, challenge: Challenge) -> QuerySet[ChallengeEntry]:
    """The poster (and agency staff of its region) sees every entry; a solver only its own."""
    entries = challenge.entries.select_related("solver")
    if can(user, "transfer.challenge.decide", challenge):
        return entries
    return entries.filter(solver_id__in=organisations(user, SOLVER_ROLES))


# ---- contracts
def visible_contracts(user: Any) -> QuerySet[TechContract]:
    """The seller's and the buyer's organisations, the broker, and agency staff of the seller's region."""
    base = TechContract.objects.select_related("seller", "buyer", "broker")
    if _superuser(user):
        return base
    own = organisations(user, SELLER_ROLES)
    ids = scope(user, "transfer.contract.view", TechContract.objects.all()).values("pk")
    return base.filter(Q(pk__in=ids) | Q(buyer_id__in=own) | Q(broker_id=getattr(user, "pk", None)))


def contract_for(user: Any, pk: int) -> TechContract:
    contract = visible_contracts(user).filter(pk=pk).first()
    if contract is None:
        raise Http404
    return contract


def registration_queue(user: Any) -> QuerySet[TechContract]:
    pending = TechContract.objects.filter(state=ContractState.SUBMITTED).select_related("seller")
    second = TechContract.objects.filter(state=ContractState.SECOND_REVIEW).select_related("seller")
    return (scope(user, "transfer.contract.register", pending)
            | scope(user, "transfer.contract.second_review", second)).order_by("due_on", "pk")


def registered_contract(number: str) -> TechContract | None:
    """A registered contract by its number (the public check of a certificate)."""
    return TechContract.objects.filter(registration_number=number, state=ContractState.REGISTERED).first()


# ---- statistics (read by monitoring)
def contract_turnover(*, region_prefix: str = "", level: int = 4, year_from: int | None = None,
                      year_to: int | None = None, by: str = "region") -> list[dict[str, Any]]:
    """Registered technology-contract turnover by year and region (``level`` leading digits of the seller's region:
    2 province, 4 city, 6 county), by contract category (``by="category"``) or by industry section
    (``by="industry"``). Rows: ``key``, ``year``, ``contracts``, ``contract_amount``, ``tech_amount`` (Decimal),
    sorted by year then key. Amendments are already reflected in the amounts. Not scoped: aggregates only.
    """
    if by not in ("region", "category", "industry"):
        raise ValueError(f"unknown grouping {by!r}")
    qs = TechContract.objects.filter(state=ContractState.REGISTERED, region_code__startswith=region_prefix)
    qs = qs.annotate(year=ExtractYear("registered_on"))
    if year_from is not None:
        qs = qs.filter(year__gte=year_from)
    if year_to is not None:
        qs = qs.filter(year__lte=year_to)
    key = {"region": Substr("region_code", 1, max(2, min(level, 6))), "category": Substr("category", 1, 20),
           "industry": Substr("industry_code", 1, 1)}[by]
    rows = (qs.annotate(key=key).values("key", "year")
            .annotate(contracts=Count("pk"), contract_amount=Sum("contract_amount"), tech_amount=Sum("tech_amount"))
            .order_by("year", "key"))
    return [{**row, "contract_amount": Decimal(row["contract_amount"] or 0).quantize(Decimal("0.01")),
             "tech_amount": Decimal(row["tech_amount"] or 0).quantize(Decimal("0.01"))} for row in rows]


def marketplace_counts() -> dict[str, int]:
    """Headline numbers of the public pages."""
    return {
        "outcomes": public_outcomes().count(),
        "belt_and_road": public_outcomes().filter(belt_and_road=True).count(),
        "needs": public_needs().count(),
        "challenges": Challenge.objects.filter(state=ChallengeState.OPEN).count(),
        "contracts": TechContract.objects.filter(state=ContractState.REGISTERED).count(),
    }


# ---- products
def product_catalogue() -> QuerySet[InnovativeProduct]:
    return InnovativeProduct.objects.filter(state=ProductState.APPROVED).select_related("enterprise")


def products_in_scope(user: Any, action: str = "transfer.product.submit") -> QuerySet[InnovativeProduct]:
    return scope(user, action, InnovativeProduct.objects.select_related("enterprise"))


def today() -> date:
    from django.utils import timezone

    return timezone.localdate()
