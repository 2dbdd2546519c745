"""Technology transfer API (under /api/v1/transfer/).

Public reads: published outcomes (search), open needs (public part only), challenges, turnover statistics, the
innovative-products catalogue, the check of a registration number. Everything else needs a token or a session and
acts through the same service verbs as the pages. Errors: 401 not authenticated, 403 not allowed, 404 unknown or out
of scope, 409 illegal state change or a refused decision (``detail`` lists every failed criterion), 422 invalid
input (``errors`` per field).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from techsme.accounts.models import Organisation
from techsme.core.api_schemas import ERRORS, PUBLIC_ERRORS, Id, Short
from techsme.core.permissions import can, organisations
from techsme.registry.models import Enterprise
from techsme.transfer import selectors, services
from techsme.transfer.models import Challenge, ChallengeEntry, Match, Need, Outcome, TechContract
from techsme.transfer.permissions import PUBLISHER_ROLES, SELLER_ROLES, SOLVER_ROLES, TRANSFER_ACTIONS
from techsme.transfer.views.common import acting_enterprise, acting_org

router = Router(tags=["transfer"])
MAX_LIMIT = 100
Amount = Field(None, ge=0, le=Decimal("99999999999.99"), decimal_places=2)


def _created(payload: Any) -> Status:
    return Status(201, payload)


def _org(request: HttpRequest, organisation_id: int | None, roles: frozenset[str]) -> Organisation:
    if organisation_id is None:
        return acting_org(request.user, roles)
    if organisation_id not in organisations(request.user, roles) and not request.user.is_superuser:
        raise Http404
    return Organisation.objects.get(pk=organisation_id)


def _enterprise(request: HttpRequest, enterprise_id: int | None) -> Enterprise:
    if enterprise_id is None:
        return acting_enterprise(request.user)
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None or not can(request.user, "transfer.need.edit", Need(enterprise=enterprise,
                                                                                 region_code=enterprise.region_code)):
        raise Http404
    return enterprise


def _get(model: type, pk: int) -> Any:
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


# ---- outcomes
class OutcomeIn(Schema):
    organisation_id: Id | None = Field(None, ge=1, description="Owner; default: your first organisation.")
    title_zh: str = Field(..., max_length=200)
    title_en: str = Field("", max_length=300)
    summary_zh: str = Field(..., max_length=4000)
    summary_en: str = Field("", max_length=6000)
    keywords: str = Field("", max_length=300)
    industry_code: str = Field(..., max_length=5, description="GB/T 4754-2017 class, e.g. C3841")
    discipline: str = Field("", max_length=3)
    trl: int = Field(..., ge=1, le=9)
    patent_numbers: list[str] = Field([], max_length=50, description="e.g. ZL201910123456.7 (check digit verified)")
    modes: list[str] = Field([], max_length=4, description="transfer, licence, joint, equity (at least one)")
    price_min: Decimal | None = Amount
    price_max: Decimal | None = Amount
    negotiable: bool = False
    belt_and_road: bool = False


class OutcomeOut(Schema):
    id: int
    owner_id: int
    owner: str
    title_zh: str
    title_en: str
    summary_zh: str
    summary_en: str
    keywords: str
    industry_code: str
    discipline: str
    region_code: str
    trl: int
    patent_numbers: list[str]
    modes: list[str]
    price_min: Decimal | None
    price_max: Decimal | None
    negotiable: bool
    belt_and_road: bool
    state: str
    published_at: datetime | None


def _outcome(o: Outcome) -> dict[str, Any]:
    return {**{k: getattr(o, k) for k in OutcomeOut.model_fields if k != "owner"}, "owner": o.owner.name}


class OutcomePage(Schema):
    total: int
    limit: int
    offset: int
    items: list[OutcomeOut]


class OutcomeQuery(Schema):
    q: str = Field("", max_length=100)
    industry: str = Field("", max_length=5)
    region: str = Field("", max_length=6)
    min_trl: int | None = Field(None, ge=1, le=9)
    mode: str = Field("", max_length=10)
    belt_and_road: bool = False
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get("/transfer/outcomes/", response={200: OutcomePage, **PUBLIC_ERRORS}, auth=None)
def search_outcomes(request: HttpRequest, params: Query[OutcomeQuery]) -> Any:
    """Search published outcomes (Chinese or English words, all must match) with filters; paginated."""
    qs = selectors.search_outcomes(selectors.OutcomeFilters(
        params.q, params.industry, params.region, params.min_trl, params.mode, params.belt_and_road))
    return {"total": qs.count(), "limit": params.limit, "offset": params.offset,
            "items": [_outcome(o) for o in qs[params.offset:params.offset + params.limit]]}


@router.get("/transfer/outcomes/{outcome_id}", response={200: OutcomeOut, **PUBLIC_ERRORS}, auth=None)
def outcome_detail(request: HttpRequest, outcome_id: Id) -> Any:
    """A published outcome (or, with a session, one you manage or moderate)."""
    return _outcome(selectors.outcome_for(request.user, outcome_id))


@router.get("/transfer/my/outcomes", response={200: list[OutcomeOut], **ERRORS})
def my_outcomes(request: HttpRequest) -> Any:
    """Outcomes of your organisations in every state (agency staff: those of their region)."""
    return [_outcome(o) for o in selectors.managed_outcomes(request.user)[:500]]


@router.post("/transfer/outcomes", response={201: OutcomeOut, **ERRORS})
def create_outcome(request: HttpRequest, data: OutcomeIn) -> Any:
    """Create a draft outcome (submit it for moderation with ``/submit``)."""
    org = _org(request, data.organisation_id, PUBLISHER_ROLES)
    return _created(_outcome(services.do_save_outcome(actor=request.user, organisation=org, data=data.dict())))


@router.put("/transfer/outcomes/{outcome_id}", response={200: OutcomeOut, **ERRORS})
def update_outcome(request: HttpRequest, outcome_id: Id, data: OutcomeIn) -> Any:
    outcome = selectors.managed_outcomes(request.user).filter(pk=outcome_id).first()
    if outcome is None:
        raise Http404
    return _outcome(services.do_save_outcome(actor=request.user, organisation=outcome.owner, data=data.dict(),
                                             outcome_id=outcome_id))


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


@router.post("/transfer/outcomes/{outcome_id}/{action}", response={200: OutcomeOut, **ERRORS})
def outcome_transition(request: HttpRequest, outcome_id: Id, action: Short, data: NoteIn) -> Any:
    """``submit`` or ``withdraw`` (owner); ``approve`` (checks every publication criterion) or ``return`` with a
    note (moderator)."""
    selectors.outcome_for(request.user, outcome_id)
    user = request.user
    verbs = {
        "submit": lambda: services.do_submit_outcome(actor=user, outcome_id=outcome_id),
        "withdraw": lambda: services.do_withdraw_outcome(actor=user, outcome_id=outcome_id),
        "approve": lambda: services.do_approve_outcome(actor=user, outcome_id=outcome_id, note=data.note),
        "return": lambda: services.do_return_outcome(actor=user, outcome_id=outcome_id, note=data.note),
    }
    if action not in verbs:
        raise Http404
    return _outcome(verbs[action]())


# ---- needs and matches
class NeedIn(Schema):
    enterprise_id: Id | None = Field(None, ge=1)
    title: str = Field(..., max_length=200)
    summary: str = Field(..., max_length=2000)
    details: str = Field("", max_length=8000)
    keywords: str = Field("", max_length=300)
    industry_code: str = Field(..., max_length=5)
    budget: Decimal | None = Amount
    deadline: date | None = None
    min_trl: int | None = Field(None, ge=1, le=9)


class NeedPublicOut(Schema):
    id: int
    enterprise: str
    title: str
    summary: str
    industry_code: str
    region_code: str
    deadline: date | None
    state: str


class NeedOut(NeedPublicOut):
    details: str | None = Field(None, description="Only for the enterprise, the agency and opened matches.")
    budget: Decimal | None = None
    min_trl: int | None = None


def _need(n: Need, full: bool) -> dict[str, Any]:
    out = {k: getattr(n, k) for k in NeedPublicOut.model_fields if k != "enterprise"} | {"enterprise":
                                                                                       n.enterprise.name}
    if full:
        out.update(details=n.details, budget=n.budget, min_trl=n.min_trl)
    return out


class PageQuery(Schema):
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get("/transfer/needs/", response={200: list[NeedPublicOut], **PUBLIC_ERRORS}, auth=None)
def list_needs(request: HttpRequest, page: Query[PageQuery]) -> Any:
    """Open needs, public fields only."""
    return [_need(n, False) for n in selectors.public_needs()[page.offset:page.offset + page.limit]]


@router.get("/transfer/needs/{need_id}", response={200: NeedOut, **ERRORS})
def need_detail(request: HttpRequest, need_id: Id) -> Any:
    need = selectors.need_for(request.user, need_id)
    return _need(need, selectors.may_see_details(request.user, need))


@router.post("/transfer/needs", response={201: NeedOut, **ERRORS})
def create_need(request: HttpRequest, data: NeedIn) -> Any:
    """Publish a need; matching runs at once (see ``/matches``)."""
    enterprise = _enterprise(request, data.enterprise_id)
    return _created(_need(services.do_save_need(actor=request.user, enterprise=enterprise, data=data.dict()), True))


@router.post("/transfer/needs/{need_id}/close", response={200: NeedOut, **ERRORS})
def close_need(request: HttpRequest, need_id: Id) -> Any:
    selectors.need_for(request.user, need_id)
    return _need(services.do_close_need(actor=request.user, need_id=need_id), True)


class MatchOut(Schema):
    id: int
    need_id: int
    outcome_id: int
    outcome: str
    need: str
    score: float
    reasons: dict[str, Any] = Field(..., description="total, parts (0–1), weights, shared terms with weights, "
                                                      "field and region level, TRL and price compared")
    need_interested: bool
    outcome_interested: bool
    contact_open: bool


def _match(m: Match, user: Any) -> dict[str, Any]:
    reasons = dict(m.reasons)
    if not can(user, "transfer.need.view", m.need):  # the budget is the enterprise's secret
        reasons["price"] = [None, *reasons.get("price", [None, None, False])[1:]]
    return {"id": m.pk, "need_id": m.need_id, "outcome_id": m.outcome_id, "outcome": m.outcome.title_zh,
            "need": m.need.title, "score": round(m.score, 4), "reasons": reasons,
            "need_interested": m.need_interest_at is not None, "outcome_interested": m.outcome_interest_at is not None,
            "contact_open": m.contact_open}


@router.get("/transfer/needs/{need_id}/matches", response={200: list[MatchOut], **ERRORS})
def need_matches(request: HttpRequest, need_id: Id) -> Any:
    """The ranked outcomes for one of your needs, with the reasons."""
    need = selectors.need_for(request.user, need_id)
    return [_match(m, request.user) for m in selectors.matches_of_need(request.user, need)]


@router.get("/transfer/matches/", response={200: list[MatchOut], **ERRORS})
def my_matches(request: HttpRequest) -> Any:
    return [_match(m, request.user) for m in selectors.matches_for_user(request.user).order_by("-score")[:200]]


@router.post("/transfer/matches/{match_id}/interest", response={200: MatchOut, **ERRORS})
def express_interest(request: HttpRequest, match_id: Id) -> Any:
    """Your side is interested (from the enterprise's side this opens the need's details to the owner)."""
    selectors.match_for(request.user, match_id)
    return _match(services.do_express_interest(actor=request.user, match_id=match_id), request.user)


class MessageIn(Schema):
    text: str = Field(..., min_length=1, max_length=4000)


class MessageOut(Schema):
    id: int
    sender_org: str
    text: str
    sent_at: datetime


@router.post("/transfer/matches/{match_id}/messages", response={201: MessageOut, **ERRORS})
def send_message(request: HttpRequest, match_id: Id, data: MessageIn) -> Any:
    selectors.match_for(request.user, match_id)
    message = services.do_send_message(actor=request.user, match_id=match_id, body=data.text)
    return _created({"id": message.pk, "sender_org": message.sender_org.name, "text": message.text,
                     "sent_at": message.sent_at})


# ---- challenges
class ChallengeIn(Schema):
    organisation_id: Id | None = Field(None, ge=1)
    title: str = Field(..., max_length=200)
    problem: str = Field(..., max_length=8000)
    milestones: str = Field(..., max_length=4000)
    criteria: str = Field(..., max_length=4000)
    industry_code: str = Field(..., max_length=5)
    prize: Decimal = Field(..., gt=0, le=Decimal("99999999999.99"), decimal_places=2)
    deadline: date


class ChallengeOut(Schema):
    id: int
    poster: str
    title: str
    problem: str
    milestones: str
    criteria: str
    industry_code: str
    prize: Decimal
    deadline: date
    state: str
    escrowed: Decimal


def _challenge(c: Challenge) -> dict[str, Any]:
    return {**{k: getattr(c, k) for k in ChallengeOut.model_fields if k not in ("poster", "escrowed")},
            "poster": c.poster.name, "escrowed": c.escrow.balance if c.escrow else Decimal("0.00")}


@router.get("/transfer/challenges/", response={200: list[ChallengeOut], **PUBLIC_ERRORS}, auth=None)
def list_challenges(request: HttpRequest) -> Any:
    return [_challenge(c) for c in selectors.public_challenges().select_related("escrow")[:200]]


@router.post("/transfer/challenges", response={201: ChallengeOut, **ERRORS})
def post_challenge(request: HttpRequest, data: ChallengeIn) -> Any:
    """Post a challenge; the prize is escrowed on the ledger at once."""
    poster = _org(request, data.organisation_id, TRANSFER_ACTIONS["transfer.challenge.post"])
    return _created(_challenge(services.do_post_challenge(actor=request.user, poster=poster, data=data.dict())))


class EntryIn(Schema):
    organisation_id: Id | None = Field(None, ge=1)
    proposal: str = Field(..., min_length=1, max_length=8000)


class TransferEntryOut(Schema):
    id: int
    challenge_id: int
    solver: str
    state: str


def _entry(e: ChallengeEntry) -> dict[str, Any]:
    return {"id": e.pk, "challenge_id": e.challenge_id, "solver": e.solver.name, "state": e.state}


@router.post("/transfer/challenges/{challenge_id}/entries", response={201: TransferEntryOut, **ERRORS})
def enter_challenge(request: HttpRequest, challenge_id: Id, data: EntryIn) -> Any:
    _get(Challenge, challenge_id)
    solver = _org(request, data.organisation_id, SOLVER_ROLES)
    return _created(_entry(services.do_enter_challenge(actor=request.user, challenge_id=challenge_id, solver=solver,
                                                       proposal=data.proposal)))


class TransferReasonIn(Schema):
    reason: str = Field("", max_length=2000)


@router.post("/transfer/challenges/{challenge_id}/close", response={200: ChallengeOut, **ERRORS})
def close_entries(request: HttpRequest, challenge_id: Id) -> Any:
    _get(Challenge, challenge_id)
    return _challenge(services.do_close_entries(actor=request.user, challenge_id=challenge_id))


@router.post("/transfer/challenges/{challenge_id}/no-winner", response={200: ChallengeOut, **ERRORS})
def close_without_winner(request: HttpRequest, challenge_id: Id, data: TransferReasonIn) -> Any:
    """Close without a winner: the escrowed prize returns to the sponsor."""
    _get(Challenge, challenge_id)
    return _challenge(services.do_close_without_winner(actor=request.user, challenge_id=challenge_id,
                                                       reason=data.reason))


class AwardIn(Schema):
    acceptance: str = Field(..., max_length=2000, description="The acceptance of the milestones (required).")


@router.post("/transfer/entries/{entry_id}/award", response={200: TransferEntryOut, **ERRORS})
def award(request: HttpRequest, entry_id: Id, data: AwardIn) -> Any:
    """Award the prize to this entry: refused unless every award criterion holds."""
    _get(ChallengeEntry, entry_id)
    return _entry(services.do_award_challenge(actor=request.user, entry_id=entry_id, acceptance=data.acceptance))


# ---- contracts
class TransferContractIn(Schema):
    organisation_id: Id | None = Field(None, ge=1, description="The seller; default: your first organisation.")
    title: str = Field(..., max_length=200)
    buyer_name: str = Field(..., max_length=200)
    buyer_id: Id | None = Field(None, ge=1)
    buyer_country: str = Field("CN", min_length=2, max_length=2)
    outcome_id: Id | None = Field(None, ge=1)
    category: str = Field(..., max_length=20, description="development, transfer, licence, consultancy, service")
    subtype: str = Field(..., max_length=30, description="see /transfer/contracts/rules")
    industry_code: str = Field(..., max_length=5)
    contract_amount: Decimal = Field(..., gt=0, le=Decimal("99999999999.99"), decimal_places=2)
    signed_on: date
    valid_until: date | None = None
    patent_numbers: list[str] = Field([], max_length=50)
    licence_years: int | None = Field(None, ge=1, le=50)
    claims_tax_relief: bool = False


class TransferContractOut(Schema):
    id: int
    seller: str
    buyer_name: str
    title: str
    category: str
    subtype: str
    contract_amount: Decimal
    tech_amount: Decimal | None
    signed_on: date
    valid_until: date | None
    claims_tax_relief: bool
    state: str
    due_on: date | None
    registration_number: str | None
    registered_on: date | None
    refusal_reason: str


def _contract(c: TechContract) -> dict[str, Any]:
    return {**{k: getattr(c, k) for k in TransferContractOut.model_fields if k != "seller"}, "seller": c.seller.name}


@router.get("/transfer/contracts/", response={200: list[TransferContractOut], **ERRORS})
def list_contracts(request: HttpRequest) -> Any:
    """Contracts you sold, bought or brokered; agency staff: those of their region."""
    return [_contract(c) for c in selectors.visible_contracts(request.user)[:500]]


@router.post("/transfer/contracts", response={201: TransferContractOut, **ERRORS})
def submit_contract(request: HttpRequest, data: TransferContractIn) -> Any:
    """The seller enters a signed contract for registration."""
    seller = _org(request, data.organisation_id, SELLER_ROLES)
    return _created(_contract(services.do_submit_contract(actor=request.user, seller=seller, data=data.dict())))


@router.get("/transfer/contracts/{contract_id}", response={200: TransferContractOut, **ERRORS})
def contract_detail(request: HttpRequest, contract_id: Id) -> Any:
    return _contract(selectors.contract_for(request.user, contract_id))


class RegisterIn(Schema):
    tech_amount: Decimal = Field(..., gt=0, le=Decimal("99999999999.99"), decimal_places=2)
    category: str = Field("", max_length=20)
    subtype: str = Field("", max_length=30)
    expert_opinion: str = Field("", max_length=4000)


@router.post("/transfer/contracts/{contract_id}/register", response={200: TransferContractOut, **ERRORS})
def register_contract(request: HttpRequest, contract_id: Id, data: RegisterIn) -> Any:
    """Classify, determine the technology-transaction amount and register (or pass to the second review)."""
    selectors.contract_for(request.user, contract_id)
    return _contract(services.do_register_contract(actor=request.user, contract_id=contract_id, **data.dict()))


@router.post("/transfer/contracts/{contract_id}/refuse", response={200: TransferContractOut, **ERRORS})
def refuse_contract(request: HttpRequest, contract_id: Id, data: TransferReasonIn) -> Any:
    selectors.contract_for(request.user, contract_id)
    return _contract(services.do_refuse_contract(actor=request.user, contract_id=contract_id, reason=data.reason))


class SecondReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=2000)


@router.post("/transfer/contracts/{contract_id}/second-review", response={200: TransferContractOut, **ERRORS})
def second_review(request: HttpRequest, contract_id: Id, data: SecondReviewIn) -> Any:
    selectors.contract_for(request.user, contract_id)
    return _contract(services.do_second_review(actor=request.user, contract_id=contract_id, approve=data.approve,
                                               note=data.note))


class AmendIn(Schema):
    field: str = Field(..., max_length=40, description="contract_amount or tech_amount")
    value: Decimal = Field(..., gt=0, le=Decimal("99999999999.99"), decimal_places=2)
    reason: str = Field(..., max_length=2000)


@router.post("/transfer/contracts/{contract_id}/amend", response={200: TransferContractOut, **ERRORS})
def amend_contract(request: HttpRequest, contract_id: Id, data: AmendIn) -> Any:
    """Correct a registered amount by an audited amendment (agency administrators)."""
    selectors.contract_for(request.user, contract_id)
    services.do_amend_contract(actor=request.user, contract_id=contract_id, field=data.field, value=data.value,
                               reason=data.reason)
    return _contract(selectors.contract_for(request.user, contract_id))


class VerifyOut(Schema):
    number: str
    registered: bool
    seller: str = ""
    category: str = ""
    registered_on: date | None = None


@router.get("/transfer/contracts/verify/{number}", response={200: VerifyOut, **PUBLIC_ERRORS}, auth=None)
def verify(request: HttpRequest, number: Short) -> Any:
    """Is this the number of a registered technology contract?"""
    contract = selectors.registered_contract(number[:20])
    if contract is None:
        return {"number": number[:20], "registered": False}
    return {"number": contract.registration_number, "registered": True, "seller": contract.seller.name,
            "category": contract.category, "registered_on": contract.registered_on}


class TurnoverOut(Schema):
    key: str = Field(..., description="region prefix, category or industry section")
    year: int
    contracts: int
    contract_amount: Decimal
    tech_amount: Decimal


class TurnoverQuery(Schema):
    by: str = Field("region", pattern="^(region|category|industry)$")
    level: int = Field(4, ge=2, le=6)
    region: str = Field("", max_length=6, pattern="^[0-9]*$")
    year_from: int | None = Field(None, ge=1990, le=2100)
    year_to: int | None = Field(None, ge=1990, le=2100)


@router.get("/transfer/statistics/turnover", response={200: list[TurnoverOut], **PUBLIC_ERRORS}, auth=None)
def turnover(request: HttpRequest, params: Query[TurnoverQuery]) -> Any:
    """Registered technology-contract turnover by year and region, category or industry section."""
    return selectors.contract_turnover(region_prefix=params.region, level=params.level, year_from=params.year_from,
                                       year_to=params.year_to, by=params.by)


# ---- innovative products
class ProductIn(Schema):
    enterprise_id: Id | None = Field(None, ge=1)
    name: str = Field(..., max_length=200)
    description: str = Field(..., max_length=4000)
    industry_code: str = Field(..., max_length=5)
    price: Decimal = Field(..., gt=0, le=Decimal("99999999999.99"), decimal_places=2)
    patent_numbers: list[str] = Field([], max_length=50)


class ProductOut(Schema):
    id: int
    enterprise: str
    name: str
    description: str
    industry_code: str
    region_code: str
    price: Decimal
    state: str


def _product(p: Any) -> dict[str, Any]:
    return {**{k: getattr(p, k) for k in ProductOut.model_fields if k != "enterprise"},
            "enterprise": p.enterprise.name}


@router.get("/transfer/products/", response={200: list[ProductOut], **PUBLIC_ERRORS}, auth=None)
def product_catalogue(request: HttpRequest) -> Any:
    return [_product(p) for p in selectors.product_catalogue()[:1000]]


@router.post("/transfer/products", response={201: ProductOut, **ERRORS})
def submit_product(request: HttpRequest, data: ProductIn) -> Any:
    enterprise = acting_enterprise(request.user) if data.enterprise_id is None else _get(Enterprise,
                                                                                          data.enterprise_id)
    return _created(_product(services.do_submit_product(actor=request.user, enterprise=enterprise,
                                                        data=data.dict())))


class DecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=2000)


@router.post("/transfer/products/{product_id}/decide", response={200: ProductOut, **ERRORS})
def decide_product(request: HttpRequest, product_id: Id, data: DecideIn) -> Any:
    if not selectors.products_in_scope(request.user, "transfer.product.decide").filter(pk=product_id).exists():
        raise Http404
    return _product(services.do_decide_product(actor=request.user, product_id=product_id, approve=data.approve,
                                               note=data.note))


class JobOut(Schema):
    job_id: int
    status_url: str


@router.post("/transfer/matches/rank-all", response={202: JobOut, **ERRORS})
def start_ranking(request: HttpRequest) -> Any:
    """Rank every open need against every published outcome as a background job (programme managers, agency
    administrators); follow its progress at ``/jobs/<id>/?format=json``."""
    from django.urls import reverse

    from techsme.transfer.jobs import do_start_ranking

    job = do_start_ranking(actor=request.user, notify=True)
    return Status(202, {"job_id": job.pk, "status_url": reverse("web:job", args=[job.pk])})
