"""The voucher API under /api/v1/vouchers/: one endpoint per step of the flow.

Reads go through ``vouchers.selectors`` (an id outside the caller's scope is a 404); writes through
``vouchers.services``. Errors: 401 not signed in, 403 role or scope refuses the action, 404 not visible,
409 illegal state / budget exhausted / duplicate submission, 422 invalid input (``errors`` lists the fields).
New applications, contracts, fundings and refunds take an ``Idempotency-Key`` header (or ``submission_key`` in the
body): a retried request with the same key is refused with 409 and changes nothing.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from techsme.accounts.models import Organisation
from techsme.core.api_schemas import ERRORS, Id, IdList, Short, Text, Year
from techsme.core.errors import FieldError, InvalidInput
from techsme.vouchers import catalogue, exports, selectors
from techsme.vouchers import services as s
from techsme.vouchers.models import Application, Contract, Programme, ReimbursementBatch, ServiceProvider, Voucher

router = Router(tags=["vouchers"])






def _responses(ok: Any, status: int = 200) -> dict[int, Any]:
    return {status: ok, **ERRORS}


def _key(request: HttpRequest, body_key: str = "") -> str:
    return (request.headers.get("Idempotency-Key") or body_key or "").strip()


# --- schemas ------------------------------------------------------------------------------------------------------


class ProgrammeOut(Schema):
    id: int
    name: str
    agency: str
    region_code: str
    year: int
    cap_per_enterprise_year: Decimal
    cap_per_application: Decimal
    max_contract_share: Decimal
    categories: list[str]
    eligibility: list
    valid_until: date
    recognised: list[int]
    budget_free: Decimal | None = None
    state: str = "open"
    state_reason: str = ""
    description: str = ""


class ProgrammeEditIn(Schema):
    """Only the fields given are changed."""

    cap_per_enterprise_year: Short | None = None
    cap_per_application: Short | None = None
    max_contract_share: Short | None = None
    categories: list[str] | None = None
    valid_until: date | None = None
    description: Text | None = None


def _programme(p: Programme, show_budget: bool) -> dict[str, Any]:
    return {
        "id": p.pk, "name": p.name, "agency": p.agency.name, "region_code": p.region_code, "year": p.year,
        "cap_per_enterprise_year": p.cap_per_enterprise_year, "cap_per_application": p.cap_per_application,
        "max_contract_share": p.max_contract_share, "categories": p.categories, "eligibility": p.eligibility,
        "valid_until": p.valid_until, "recognised": list(p.recognised.values_list("pk", flat=True)),
        "budget_free": p.budget_account.balance if show_budget and p.budget_account_id else None,
        "state": p.state, "state_reason": p.state_reason, "description": p.description,
    }


class ProgrammeIn(Schema):
    agency_id: Id
    name: Short = ""
    year: Year = 0
    budget: Short = ""
    cap_per_enterprise_year: Short = ""
    cap_per_application: Short = ""
    max_contract_share: Short = ""
    categories: list[str] = []
    valid_until: date | None = None
    eligibility: list = []
    recognised: IdList = []


class FigureRow(Schema):
    key: str
    label: str
    amount: Decimal


class RegionRow(Schema):
    code: str
    label: str
    used: Decimal
    committed: Decimal


class DashboardOut(Schema):
    funded: Decimal
    free: Decimal
    committed: Decimal
    used: Decimal
    paid: Decimal
    receivable: Decimal
    vouchers: int
    applications_waiting: int
    by_category: list[FigureRow]
    by_region: list[RegionRow]


class AmountIn(Schema):
    amount: Short = ""
    submission_key: Short = ""


class RecognitionIn(Schema):
    recognised: IdList = []


class ApplicationIn(Schema):
    enterprise_id: Id
    amount: Short = ""
    purpose: Text = ""
    submission_key: Short = ""


class ApplicationOut(Schema):
    id: int
    programme_id: int
    enterprise_id: int
    enterprise: str
    amount: Decimal
    purpose: str
    state: str
    approved_amount: Decimal | None
    reason: str
    voucher_id: int | None
    created_at: datetime
    overridden: list[str] = []
    override_reason: str = ""


def _application(a: Application) -> dict[str, Any]:
    voucher = getattr(a, "voucher", None) if a.state == "approved" else None
    return {"id": a.pk, "programme_id": a.programme_id, "enterprise_id": a.enterprise_id,
            "enterprise": a.enterprise.name, "amount": a.amount, "purpose": a.purpose, "state": a.state,
            "approved_amount": a.approved_amount, "reason": a.reason,
            "voucher_id": voucher.pk if voucher else None, "created_at": a.created_at,
            "overridden": a.overridden, "override_reason": a.override_reason}


class DecisionIn(Schema):
    decision: Short  # "approve" | "reject"
    amount: Short = ""
    reason: Text = ""
    override_reason: Text = Field("", max_length=2000, description=(
        "Applications only: approve although the enterprise fails the eligibility rule today (agency "
        "administrators; the reason is kept on the application and audited)."))


class VoucherOut(Schema):
    id: int
    code: str
    programme_id: int
    enterprise_id: int
    amount: Decimal
    balance: Decimal
    valid_until: date
    state: str


def _voucher(v: Voucher) -> dict[str, Any]:
    return {"id": v.pk, "code": v.code, "programme_id": v.programme_id, "enterprise_id": v.enterprise_id,
            "amount": v.amount, "balance": v.account.balance, "valid_until": v.valid_until, "state": v.state}


class ReasonIn(Schema):
    reason: Text = ""


class VerificationOut(Schema):
    valid: bool
    code: str
    programme: str = ""
    agency: str = ""
    enterprise: str = ""
    amount: Decimal | None = None
    valid_until: date | None = None
    state: str = ""


class ServiceIn(Schema):
    name: Short = ""
    category: Short = ""
    price: Short = ""
    unit: Short = ""
    description: Text = ""


class ProviderIn(Schema):
    organisation_id: Id
    programme_id: Id
    institution: Short = ""
    accreditation: Short = ""
    uscc: Short = ""
    services: list[ServiceIn] = []


class ServiceOut(Schema):
    id: int | None = None
    name: str
    category: str
    price: Decimal
    unit: str
    description: str = ""
    withdrawn: bool = False


class ProviderOut(Schema):
    id: int
    organisation_id: int
    programme_id: int
    institution: str
    accreditation: str
    state: str
    reason: str
    services: list[ServiceOut]


def _provider(p: ServiceProvider) -> dict[str, Any]:
    return {"id": p.pk, "organisation_id": p.organisation_id, "programme_id": p.programme_id,
            "institution": p.institution, "accreditation": p.accreditation, "state": p.state, "reason": p.reason,
            "services": [{"id": x.pk, "name": x.name, "category": x.category, "price": x.price, "unit": x.unit,
                          "description": x.description, "withdrawn": x.withdrawn} for x in p.services.all()]}


class ContractIn(Schema):
    voucher_id: Id
    provider_id: Id
    category: Short = ""
    amount: Short = ""
    description: Text = ""
    submission_key: Short = ""


class ContractOut(Schema):
    id: int
    voucher_id: int
    enterprise_id: int
    provider_id: int
    category: str
    amount: Decimal
    description: str
    state: str
    redeemed_amount: Decimal
    refunded_amount: Decimal
    batch_id: int | None
    delivery_report: str = ""
    overridden: list[str] = []
    override_reason: str = ""


def _contract(c: Contract) -> dict[str, Any]:
    return {"id": c.pk, "voucher_id": c.voucher_id, "enterprise_id": c.enterprise_id, "provider_id": c.provider_id,
            "category": c.category, "amount": c.amount, "description": c.description, "state": c.state,
            "redeemed_amount": c.redeemed_amount, "refunded_amount": c.refunded_amount, "batch_id": c.batch_id,
            "delivery_report": c.delivery_report, "overridden": c.overridden, "override_reason": c.override_reason}


class DeliveryIn(Schema):
    report: Text = Field("", max_length=5000, description="What was delivered (results, report numbers, dates).")


class OverrideIn(Schema):
    override_reason: Text = Field("", max_length=2000, description=(
        "Only to decide although an overridable criterion fails: the reason (agency administrators; audited)."))


class RedeemIn(Schema):
    voucher_code: Short = ""
    amount: Short = ""


class RefundIn(Schema):
    amount: Short = ""
    reason: Text = ""
    submission_key: Short = ""


class PeriodIn(Schema):
    period: Short = ""


class ReimbursementBatchOut(Schema):
    id: int
    programme_id: int
    provider_id: int
    period: str
    amount: Decimal
    transaction_id: int | None
    created_at: datetime


def _batch(b: ReimbursementBatch) -> dict[str, Any]:
    return {"id": b.pk, "programme_id": b.programme_id, "provider_id": b.provider_id, "period": b.period,
            "amount": b.amount, "transaction_id": b.transaction_id, "created_at": b.created_at}


# --- programmes ---------------------------------------------------------------------------------------------------


@router.get("/vouchers/programmes", response=_responses(list[ProgrammeOut]))
def list_programmes(request: HttpRequest) -> list[dict[str, Any]]:
    """Open programmes (public information) and the programmes the caller's agency runs."""
    managed = set(selectors.managed_programmes(request.user).values_list("pk", flat=True))
    return [_programme(p, p.pk in managed) for p in selectors.programmes_for(request.user)]


@router.post("/vouchers/programmes", response=_responses(ProgrammeOut, 201))
def create_programme(request: HttpRequest, body: ProgrammeIn) -> Status:
    """Create and fund a programme (programme manager or agency administrator of the agency's region)."""
    agency = Organisation.objects.filter(pk=body.agency_id, kind="agency").first()
    if agency is None:
        raise InvalidInput([FieldError("agency_id", "unknown agency")])
    if body.valid_until is None:
        raise InvalidInput([FieldError("valid_until", "required")])
    programme = s.do_create_programme(
        actor=request.user, agency=agency, name=body.name, year=body.year, budget=body.budget,
        cap_per_enterprise_year=body.cap_per_enterprise_year, cap_per_application=body.cap_per_application,
        max_contract_share=body.max_contract_share, categories=body.categories, valid_until=body.valid_until,
        eligibility_rule=body.eligibility, recognised=body.recognised)
    return Status(201, _programme(programme, True))


@router.get("/vouchers/programmes/{programme_id}", response=_responses(ProgrammeOut))
def get_programme(request: HttpRequest, programme_id: Id) -> dict[str, Any]:
    programme = selectors.programme_for(request.user, programme_id)
    return _programme(programme, selectors.manages(request.user, programme))


@router.get("/vouchers/programmes/{programme_id}/dashboard", response=_responses(DashboardOut))
def programme_dashboard(request: HttpRequest, programme_id: Id) -> dict[str, Any]:
    """Budget used / committed / free, by category and by region (agency staff of the programme's region)."""
    programme = selectors.managed_programmes(request.user).filter(pk=programme_id).first()
    if programme is None:
        from django.http import Http404

        raise Http404
    f = selectors.programme_figures(programme)
    return {**f.__dict__, "by_region": f.by_region, "by_category": f.by_category}


@router.post("/vouchers/programmes/{programme_id}/fund", response=_responses(ProgrammeOut))
def fund_programme(request: HttpRequest, programme_id: Id, body: AmountIn) -> dict[str, Any]:
    programme = s.do_fund_programme(actor=request.user, programme_id=programme_id, amount=body.amount,
                                    request_key=_key(request, body.submission_key))
    programme.budget_account.refresh_from_db()
    return _programme(programme, True)


@router.put("/vouchers/programmes/{programme_id}/recognition", response=_responses(ProgrammeOut))
def set_recognition(request: HttpRequest, programme_id: Id, body: RecognitionIn) -> dict[str, Any]:
    programme = s.do_set_recognition(actor=request.user, programme_id=programme_id, recognised=body.recognised)
    return _programme(programme, True)


@router.post("/vouchers/programmes/{programme_id}/applications", response=_responses(ApplicationOut, 201))
def apply(request: HttpRequest, programme_id: Id, body: ApplicationIn) -> Status:
    """An enterprise applies; 409 when the same ``Idempotency-Key`` was used before."""
    application = s.do_apply(actor=request.user, programme_id=programme_id, enterprise_id=body.enterprise_id,
                             amount=body.amount, purpose=body.purpose,
                             submission_key=_key(request, body.submission_key))
    return Status(201, _application(application))


@router.post("/vouchers/programmes/{programme_id}/reimbursements", response=_responses(list[ReimbursementBatchOut]))
def reimburse(request: HttpRequest, programme_id: Id, body: PeriodIn) -> list[dict[str, Any]]:
    """Pay the providers for the verified contracts up to the end of ``period`` (``2026Q3``); empty when none."""
    return [_batch(b) for b in s.do_reimburse(actor=request.user, programme_id=programme_id, period=body.period)]


# --- applications and vouchers ------------------------------------------------------------------------------------


@router.get("/vouchers/applications", response=_responses(list[ApplicationOut]))
def list_applications(request: HttpRequest, state: Short = "", programme_id: Id | None = None) -> list[dict]:
    qs = selectors.visible_applications(request.user)
    if state:
        qs = qs.filter(state=state)
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    return [_application(a) for a in qs[:500]]


@router.get("/vouchers/applications/{application_id}", response=_responses(ApplicationOut))
def get_application(request: HttpRequest, application_id: Id) -> dict[str, Any]:
    return _application(selectors.application_for(request.user, application_id))


@router.post("/vouchers/applications/{application_id}/decision", response=_responses(ApplicationOut))
def decide_application(request: HttpRequest, application_id: Id, body: DecisionIn) -> dict[str, Any]:
    """Approve (``amount`` may be lower than applied for, with a reason) — this issues the voucher — or reject."""
    selectors.application_for(request.user, application_id)
    if body.decision not in ("approve", "reject"):
        raise InvalidInput([FieldError("decision", "approve or reject")])
    application = s.do_decide_application(actor=request.user, application_id=application_id,
                                          approve=body.decision == "approve", amount=body.amount or None,
                                          reason=body.reason, override_reason=body.override_reason)
    return _application(application)


@router.get("/vouchers/vouchers", response=_responses(list[VoucherOut]))
def list_vouchers(request: HttpRequest) -> list[dict[str, Any]]:
    return [_voucher(v) for v in selectors.visible_vouchers(request.user)[:500]]


@router.get("/vouchers/vouchers/{voucher_id}", response=_responses(VoucherOut))
def get_voucher(request: HttpRequest, voucher_id: Id) -> dict[str, Any]:
    return _voucher(selectors.voucher_for(request.user, voucher_id))


@router.post("/vouchers/vouchers/{voucher_id}/cancel", response=_responses(VoucherOut))
def cancel_voucher(request: HttpRequest, voucher_id: Id, body: ReasonIn) -> dict[str, Any]:
    selectors.voucher_for(request.user, voucher_id)
    return _voucher(s.do_cancel_voucher(actor=request.user, voucher_id=voucher_id, reason=body.reason))


@router.get("/vouchers/verify/{code}", response=_responses(VerificationOut), auth=None)
def verify(request: HttpRequest, code: Short) -> dict[str, Any]:
    """Public: is this a genuine, issued voucher code? (No sign-in needed; shows no balance.)"""
    result = selectors.verify_code(code)
    out = dict(result.__dict__)
    out.pop("state_label", None)
    return out


# --- providers ----------------------------------------------------------------------------------------------------


@router.get("/vouchers/providers", response=_responses(list[ProviderOut]))
def list_providers(request: HttpRequest) -> list[dict[str, Any]]:
    return [_provider(p) for p in selectors.visible_providers(request.user).prefetch_related("services")[:500]]


@router.post("/vouchers/providers", response=_responses(ProviderOut, 201))
def register_provider(request: HttpRequest, body: ProviderIn) -> Status:
    provider = s.do_register_provider(
        actor=request.user, organisation_id=body.organisation_id, programme_id=body.programme_id,
        institution=body.institution, accreditation=body.accreditation, uscc=body.uscc,
        services=[x.dict() for x in body.services])
    return Status(201, _provider(provider))


@router.get("/vouchers/providers/{provider_id}", response=_responses(ProviderOut))
def get_provider(request: HttpRequest, provider_id: Id) -> dict[str, Any]:
    return _provider(selectors.provider_for(request.user, provider_id))


@router.post("/vouchers/providers/{provider_id}/services", response=_responses(ProviderOut, 201))
def add_service(request: HttpRequest, provider_id: Id, body: ServiceIn) -> Status:
    selectors.provider_for(request.user, provider_id)
    catalogue.do_add_service(actor=request.user, provider_id=provider_id, data=body.dict())
    return Status(201, _provider(ServiceProvider.objects.get(pk=provider_id)))


@router.post("/vouchers/providers/{provider_id}/decision", response=_responses(ProviderOut))
def decide_provider(request: HttpRequest, provider_id: Id, body: DecisionIn) -> dict[str, Any]:
    selectors.provider_for(request.user, provider_id)
    if body.decision not in ("approve", "reject"):
        raise InvalidInput([FieldError("decision", "approve or reject")])
    return _provider(s.do_decide_provider(actor=request.user, provider_id=provider_id,
                                          approve=body.decision == "approve", reason=body.reason))


# --- contracts ----------------------------------------------------------------------------------------------------


@router.get("/vouchers/contracts", response=_responses(list[ContractOut]))
def list_contracts(request: HttpRequest, state: Short = "") -> list[dict[str, Any]]:
    qs = selectors.visible_contracts(request.user)
    if state:
        qs = qs.filter(state=state)
    return [_contract(c) for c in qs[:500]]


@router.post("/vouchers/contracts", response=_responses(ContractOut, 201))
def record_contract(request: HttpRequest, body: ContractIn) -> Status:
    """The enterprise records a contract (documents are uploaded on the web page)."""
    selectors.voucher_for(request.user, body.voucher_id)
    contract = s.do_record_contract(
        actor=request.user, voucher_id=body.voucher_id, provider_id=body.provider_id, category=body.category,
        amount=body.amount, description=body.description, submission_key=_key(request, body.submission_key))
    return Status(201, _contract(contract))


@router.get("/vouchers/contracts/{contract_id}", response=_responses(ContractOut))
def get_contract(request: HttpRequest, contract_id: Id) -> dict[str, Any]:
    return _contract(selectors.contract_for(request.user, contract_id))


@router.post("/vouchers/contracts/{contract_id}/redeem", response=_responses(ContractOut))
def redeem(request: HttpRequest, contract_id: Id, body: RedeemIn) -> dict[str, Any]:
    """The provider redeems the voucher named in the contract (its code must be presented)."""
    selectors.contract_for(request.user, contract_id)
    return _contract(s.do_redeem(actor=request.user, contract_id=contract_id, voucher_code=body.voucher_code,
                                 amount=body.amount or None))


@router.post("/vouchers/contracts/{contract_id}/delivery", response=_responses(ContractOut))
def confirm_delivery(request: HttpRequest, contract_id: Id, body: DeliveryIn) -> dict[str, Any]:
    """The provider confirms delivery with a report of what was delivered (422 without one)."""
    selectors.contract_for(request.user, contract_id)
    return _contract(s.do_confirm_delivery(actor=request.user, contract_id=contract_id, report=body.report))


@router.post("/vouchers/contracts/{contract_id}/verification", response=_responses(ContractOut))
def verify_contract(request: HttpRequest, contract_id: Id, body: OverrideIn) -> dict[str, Any]:
    """The agency verifies a delivery; 409 naming the failed criteria (no delivery report, no contract document,
    nothing redeemed) unless an agency administrator overrides an overridable one with ``override_reason``."""
    selectors.contract_for(request.user, contract_id)
    return _contract(s.do_verify_contract(actor=request.user, contract_id=contract_id,
                                          override_reason=body.override_reason))


@router.post("/vouchers/contracts/{contract_id}/refund", response=_responses(ContractOut))
def refund(request: HttpRequest, contract_id: Id, body: RefundIn) -> dict[str, Any]:
    selectors.contract_for(request.user, contract_id)
    return _contract(s.do_refund_contract(actor=request.user, contract_id=contract_id, amount=body.amount,
                                          reason=body.reason, request_key=_key(request, body.submission_key)))


@router.post("/vouchers/contracts/{contract_id}/cancel", response=_responses(ContractOut))
def cancel_contract(request: HttpRequest, contract_id: Id, body: ReasonIn) -> dict[str, Any]:
    selectors.contract_for(request.user, contract_id)
    return _contract(s.do_cancel_contract(actor=request.user, contract_id=contract_id, reason=body.reason))


@router.post("/vouchers/contracts/{contract_id}/withdraw", response=_responses(ContractOut))
def withdraw_contract(request: HttpRequest, contract_id: Id) -> dict[str, Any]:
    selectors.contract_for(request.user, contract_id)
    return _contract(s.do_withdraw_contract(actor=request.user, contract_id=contract_id))


@router.get("/vouchers/reimbursements", response=_responses(list[ReimbursementBatchOut]))
def list_batches(request: HttpRequest) -> list[dict[str, Any]]:
    """Reimbursement batches: the agency's programmes, or the provider's own."""
    from django.db.models import Q

    from techsme.accounts.roles import Role
    from techsme.core.permissions import organisations

    qs = ReimbursementBatch.objects.filter(
        Q(pk__in=selectors.visible_batches(request.user).values("pk"))
        | Q(provider__organisation_id__in=organisations(request.user, {Role.PROVIDER_STAFF}))
    )
    return [_batch(b) for b in qs[:500]]


# --- programme settings and states, provider catalogue, documents, payment files -------------------------------------


@router.patch("/vouchers/programmes/{programme_id}", response=_responses(ProgrammeOut))
def edit_programme(request: HttpRequest, programme_id: Id, body: ProgrammeEditIn) -> dict[str, Any]:
    """Change editable settings (409 once the programme is closed)."""
    selectors.programme_for(request.user, programme_id)
    changes = {k: v for k, v in body.dict().items() if v is not None}
    programme = s.do_edit_programme(actor=request.user, programme_id=programme_id, **changes)
    return _programme(programme, True)


def _programme_move(request: HttpRequest, programme_id: int, func: Any, reason: str) -> dict[str, Any]:
    selectors.programme_for(request.user, programme_id)
    programme = func(actor=request.user, programme_id=programme_id, reason=reason)
    programme.budget_account.refresh_from_db()
    return _programme(programme, True)


@router.post("/vouchers/programmes/{programme_id}/suspend", response=_responses(ProgrammeOut))
def suspend_programme(request: HttpRequest, programme_id: Id, body: ReasonIn) -> dict[str, Any]:
    """open → suspended (no new applications or issuances); reason required."""
    return _programme_move(request, programme_id, s.do_suspend_programme, body.reason)


@router.post("/vouchers/programmes/{programme_id}/resume", response=_responses(ProgrammeOut))
def resume_programme(request: HttpRequest, programme_id: Id, body: ReasonIn) -> dict[str, Any]:
    """suspended → open."""
    return _programme_move(request, programme_id, s.do_resume_programme, body.reason)


@router.post("/vouchers/programmes/{programme_id}/close", response=_responses(ProgrammeOut))
def close_programme(request: HttpRequest, programme_id: Id, body: ReasonIn) -> dict[str, Any]:
    """open/suspended → closed; the free budget returns to ``world:finance:<region>``; reason required."""
    return _programme_move(request, programme_id, s.do_close_programme, body.reason)


@router.put("/vouchers/providers/{provider_id}/services/{service_id}", response=_responses(ProviderOut))
def edit_service(request: HttpRequest, provider_id: Id, service_id: Id, body: ServiceIn) -> dict[str, Any]:
    provider = selectors.provider_for(request.user, provider_id)
    if not provider.services.filter(pk=service_id).exists():
        raise Http404
    catalogue.do_edit_service(actor=request.user, service_id=service_id, data=body.dict())
    return _provider(provider)


@router.delete("/vouchers/providers/{provider_id}/services/{service_id}", response=_responses(ProviderOut))
def withdraw_service(request: HttpRequest, provider_id: Id, service_id: Id) -> dict[str, Any]:
    """Withdraw a service (kept for the record, no longer offered)."""
    provider = selectors.provider_for(request.user, provider_id)
    if not provider.services.filter(pk=service_id).exists():
        raise Http404
    catalogue.do_withdraw_service(actor=request.user, service_id=service_id)
    return _provider(provider)


@router.get("/vouchers/contracts/{contract_id}/document", response={200: None, **ERRORS})
def contract_document(request: HttpRequest, contract_id: Id) -> Any:
    """The contract document (enterprise of the contract, its provider, agency staff in scope; others 404)."""
    from techsme.vouchers.views import contract_document as view

    return view.__wrapped__(request, contract_id)


@router.get("/vouchers/reimbursements/{batch_id}/export", response={200: None, **ERRORS})
def export_batch(request: HttpRequest, batch_id: Id, format: Text = "xlsx") -> Any:  # noqa: A002
    """The payment file of a batch as ``xlsx`` or ``csv`` (agency in scope, the paid provider)."""
    if format not in ("csv", "xlsx"):
        raise InvalidInput([FieldError("format", "csv or xlsx")])
    return exports.batch_response(selectors.batch_for(request.user, batch_id), format)
