"""The finance API under /api/v1/finance/: pools, admissions, agreements, loans, claims, monitoring figures.

Reads go through ``finance.selectors`` (an id outside the caller's scope is a 404); writes through
``finance.services``. Errors: 401 not signed in, 403 role or scope refuses the action, 404 not visible, 409 illegal
state / criteria not met / pool or cap exhausted / duplicate, 422 invalid input (``errors`` lists the fields).
A decision refused on its criteria answers 409 naming every failed criterion; an agency administrator may repeat it
with ``override_reason``.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from techsme.core.api_schemas import ERRORS, Id, Int64, Limit, Offset, Short, Text
from techsme.finance import selectors, vc
from techsme.finance import services as s
from techsme.finance.models import Claim, DocumentKind, Loan, Pool

router = Router(tags=["finance"])

Money = Annotated[Decimal, Field(gt=0, lt=Decimal("1e15"), max_digits=17, decimal_places=2)]
Pct = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Reason = Annotated[str, Field(max_length=2000)]
Code = Annotated[str, Field(max_length=40)]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


def _ok(schema: Any, status: int = 200) -> dict[int, Any]:
    return {status: schema, **ERRORS}


# --- schemas ---------------------------------------------------------------------------------------------------------


class FinancePoolOut(Schema):
    id: int
    name: str
    agency: str
    region_code: str
    kind: str
    state: str
    balance: Decimal | None = None


class FinancePoolIn(Schema):
    agency_id: Id
    name: Short
    kind: Literal["risk_share", "capital_access"] = "risk_share"
    first_review_workdays: Annotated[int, Field(ge=1, le=60)] = 5
    approval_workdays: Annotated[int, Field(ge=1, le=120)] = 25
    claim_window_days: Annotated[int, Field(ge=1, le=1000)] = 180
    suspension_loss_ratio_pct: Pct = Decimal("5")
    borrower_premium_pct: Pct = Decimal("0")
    lender_premium_pct: Pct = Decimal("0")
    match_ratio: Annotated[Decimal, Field(ge=0, le=10, max_digits=4, decimal_places=2)] = Decimal("1")


class FinanceFundIn(Schema):
    amount: Money
    request_key: Annotated[str, Field(min_length=1, max_length=100)]


class FinanceDashboardRow(Schema):
    label: str
    loans: int
    enrolled: Decimal
    outstanding: Decimal
    defaulted: Decimal
    compensated: Decimal
    default_rate_pct: Decimal
    compensation_rate_pct: Decimal


class FinanceDashboardOut(Schema):
    pool: FinancePoolOut
    balance: Decimal | None
    allocation: Decimal
    committed: Decimal
    leverage: Decimal
    by_bank: list[FinanceDashboardRow]
    by_year: list[FinanceDashboardRow]


class FinanceAdmissionIn(Schema):
    bank_id: Id | None = None
    local_branch_address: Annotated[str, Field(min_length=1, max_length=300)]
    tech_branch_name: Short = ""
    tech_credit_staff: Annotated[int, Field(ge=0, le=10000)] = 0


class FinanceAdmissionOut(Schema):
    id: int
    pool_id: int
    bank: str
    state: str
    overridden: list[str]


class FinanceDecisionIn(Schema):
    note: Reason = ""
    override_reason: Reason = ""


class FinanceNoteIn(Schema):
    note: Annotated[str, Field(min_length=1, max_length=2000)]


class FinanceCondition(Schema):
    condition: Literal["registered_tech_sme", "hnte", "region_prefix", "max_employees", "max_revenue",
                       "good_standing"]
    value: Annotated[str, Field(max_length=20)] | Int64 | None = None


class FinanceAgreementIn(Schema):
    loss_share_pct: Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2)]
    cap_per_loan: Money
    cap_per_enterprise: Money
    cap_per_year: Money
    allocation: Money
    leverage_multiple: Annotated[Decimal, Field(ge=1, le=100, max_digits=5, decimal_places=2)]
    max_loan_amount: Money
    max_term_months: Annotated[int, Field(ge=1, le=120)]
    rate_ceiling_pct: Annotated[Decimal, Field(gt=0, le=36, max_digits=4, decimal_places=2)]
    valid_from: Day
    valid_until: Day
    eligibility: Annotated[list[Annotated[list[FinanceCondition], Field(max_length=20)]], Field(max_length=20)] = []


class FinanceAgreementOut(Schema):
    id: int
    pool_id: int
    bank: str
    state: str
    loss_share_pct: Decimal
    cap_per_loan: Decimal
    cap_per_enterprise: Decimal
    cap_per_year: Decimal
    allocation: Decimal
    leverage_multiple: Decimal


class FinanceLoanIn(Schema):
    agreement_id: Id
    enterprise_uscc: Annotated[str, Field(min_length=18, max_length=18)]
    contract_number: Annotated[str, Field(min_length=1, max_length=60)]
    amount: Money
    term_months: Annotated[int, Field(ge=1, le=360)]
    rate_pct: Annotated[Decimal, Field(ge=0, le=36, max_digits=4, decimal_places=2)]
    collateral: Literal["credit", "guarantee", "ip_pledge", "equity_pledge", "property", "other"]
    granted_on: Day
    pledged_asset_ids: Annotated[list[Id], Field(max_length=50)] = []
    pledge_registration_number: Annotated[str, Field(max_length=60)] = ""
    valuation_amount: Money | None = None
    appraiser: Short = ""
    file: bool = True


class FinanceCheckOut(Schema):
    label: str
    required: str
    observed: str
    passed: bool


class FinanceLoanOut(Schema):
    id: int
    agreement_id: int
    bank: str
    pool: str
    enterprise: str
    contract_number: str
    amount: Decimal
    outstanding: Decimal
    term_months: int
    rate_pct: Decimal
    collateral: str
    granted_on: date
    state: str
    eligible: bool | None
    checks: list[FinanceCheckOut]
    overridden: list[str]


class FinanceRepaymentIn(Schema):
    amount: Money
    paid_on: Day


class FinanceDefaultIn(Schema):
    defaulted_on: Day


class FinanceClaimIn(Schema):
    loan_id: Id
    loss: Money
    recovered_before: Annotated[Decimal, Field(ge=0, lt=Decimal("1e15"), max_digits=17, decimal_places=2)] = 0
    explanation: Text = ""
    submit: bool = False


class FinanceClaimOut(Schema):
    id: int
    loan_id: int
    state: str
    loss: Decimal
    recovered_before: Decimal
    requested_amount: Decimal
    approved_amount: Decimal | None
    capped_by: list[str]
    first_review_due: date | None
    decision_due: date | None
    overridden: list[str]
    documents: int


class FinancePayIn(Schema):
    override_reason: Reason = ""


class FinanceRecoveryIn(Schema):
    amount: Money
    recovered_on: Day
    request_key: Annotated[str, Field(min_length=1, max_length=60)]


class FinanceRecoveryOut(Schema):
    id: int
    amount: Decimal
    pool_share: Decimal


class FinanceRegionRow(Schema):
    region: str
    count: int
    amount: Decimal


class FinanceVcOut(Schema):
    startup: bool | None
    hnte_sme: bool | None
    deduction: Decimal | None
    holding_months: int
    unknown: list[str]


# --- helpers ---------------------------------------------------------------------------------------------------------


def _pool(p: Pool, balance: Decimal | None = None) -> dict[str, Any]:
    return {"id": p.pk, "name": p.name, "agency": p.agency.name, "region_code": p.region_code, "kind": p.kind,
            "state": p.state, "balance": balance}


def _loan(loan: Loan) -> dict[str, Any]:
    from techsme.finance.eligibility import describe

    return {"id": loan.pk, "agreement_id": loan.agreement_id, "bank": loan.agreement.bank.name,
            "pool": loan.agreement.pool.name, "enterprise": loan.enterprise.name,
            "contract_number": loan.contract_number, "amount": loan.amount, "outstanding": loan.outstanding,
            "term_months": loan.term_months, "rate_pct": loan.rate_pct, "collateral": loan.collateral,
            "granted_on": loan.granted_on, "state": loan.state, "eligible": loan.eligible,
            "checks": [describe(c) for c in loan.eligibility_checks], "overridden": loan.overridden}


def _claim(c: Claim) -> dict[str, Any]:
    return {"id": c.pk, "loan_id": c.loan_id, "state": c.state, "loss": c.loss, "recovered_before": c.recovered_before,
            "requested_amount": c.requested_amount, "approved_amount": c.approved_amount, "capped_by": c.capped_by,
            "first_review_due": c.first_review_due, "decision_due": c.decision_due, "overridden": c.overridden,
            "documents": c.documents.count()}


def _row(r: selectors.Row) -> dict[str, Any]:
    return {"label": r.label, "loans": r.loans, "enrolled": r.enrolled, "outstanding": r.outstanding,
            "defaulted": r.defaulted, "compensated": r.compensated, "default_rate_pct": r.default_rate,
            "compensation_rate_pct": r.compensation_rate}


# --- pools -----------------------------------------------------------------------------------------------------------


@router.get("/finance/pools", response=_ok(list[FinancePoolOut]), summary="Pools you may see")
def list_pools(request: HttpRequest) -> list[dict[str, Any]]:
    return [_pool(p) for p in selectors.visible_pools(request.user)[:500]]


@router.post("/finance/pools", response=_ok(FinancePoolOut, 201), summary="Create a pool (programme manager)")
def create_pool(request: HttpRequest, body: FinancePoolIn) -> tuple[int, dict[str, Any]]:
    pool = s.do_create_pool(actor=request.user, **body.dict())
    return 201, _pool(pool)


@router.post("/finance/pools/{pool_id}/fund", response=_ok(FinancePoolOut), summary="Fund a pool from the treasury")
def fund_pool(request: HttpRequest, pool_id: Id, body: FinanceFundIn) -> dict[str, Any]:
    pool = selectors.pool_for(request.user, pool_id)
    s.do_fund_pool(actor=request.user, pool_id=pool.pk, amount=body.amount, request_key=body.request_key)
    return _pool(pool, selectors.pool_dashboard(pool, request.user)["balance"])


@router.get("/finance/pools/{pool_id}/dashboard", response=_ok(FinanceDashboardOut), summary="Pool dashboard")
def pool_dashboard(request: HttpRequest, pool_id: Id) -> dict[str, Any]:
    pool = selectors.pool_for(request.user, pool_id)
    figures = selectors.pool_dashboard(pool, request.user)
    return {"pool": _pool(pool, figures["balance"]), "balance": figures["balance"],
            "allocation": figures["allocation"], "committed": figures["committed"], "leverage": figures["leverage"],
            "by_bank": [_row(r) for r in figures["by_bank"]], "by_year": [_row(r) for r in figures["by_year"]]}


@router.post("/finance/pools/{pool_id}/admissions", response=_ok(FinanceAdmissionOut, 201),
             summary="A bank applies to join a pool")
def apply_admission(request: HttpRequest, pool_id: Id, body: FinanceAdmissionIn) -> tuple[int, dict[str, Any]]:
    pool = selectors.pool_for(request.user, pool_id)
    a = s.do_apply_admission(actor=request.user, pool_id=pool.pk, **body.dict())
    return 201, {"id": a.pk, "pool_id": a.pool_id, "bank": a.bank.name, "state": a.state, "overridden": a.overridden}


def _admission(request: HttpRequest, admission_id: int) -> Any:
    admission = selectors.visible_admissions(request.user).filter(pk=admission_id).first()
    if admission is None:
        from django.http import Http404

        raise Http404
    return admission


def _agreement_out(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "pool_id": a.pool_id, "bank": a.bank.name, "state": a.state, "loss_share_pct": a.loss_share_pct,
            "cap_per_loan": a.cap_per_loan, "cap_per_enterprise": a.cap_per_enterprise, "cap_per_year": a.cap_per_year,
            "allocation": a.allocation, "leverage_multiple": a.leverage_multiple}


@router.post("/finance/admissions/{admission_id}/agreement", response=_ok(FinanceAgreementOut, 201),
             summary="Sign the agreement with an admitted bank")
def sign_agreement(request: HttpRequest, admission_id: Id, body: FinanceAgreementIn) -> tuple[int, dict[str, Any]]:
    admission = _admission(request, admission_id)
    data = body.dict()
    data["eligibility"] = [[{k: v for k, v in c.items() if v is not None} for c in group]
                           for group in data["eligibility"]]
    return 201, _agreement_out(s.do_sign_agreement(actor=request.user, admission_id=admission.pk, **data))


@router.post("/finance/admissions/{admission_id}/{decision}", response=_ok(FinanceAdmissionOut),
             summary="Admit, refuse or withdraw a bank's application")
def decide_admission(request: HttpRequest, admission_id: Id, decision: Literal["admit", "refuse", "withdraw"],
                     body: FinanceDecisionIn) -> dict[str, Any]:
    admission = _admission(request, admission_id)
    if decision == "admit":
        a = s.do_admit_bank(actor=request.user, admission_id=admission.pk, note=body.note,
                            override_reason=body.override_reason)
    elif decision == "refuse":
        a = s.do_refuse_admission(actor=request.user, admission_id=admission.pk, note=body.note)
    else:
        a = s.do_withdraw_admission(actor=request.user, admission_id=admission.pk)
    return {"id": a.pk, "pool_id": a.pool_id, "bank": a.bank.name, "state": a.state, "overridden": a.overridden}


@router.get("/finance/agreements", response=_ok(list[FinanceAgreementOut]), summary="Agreements you may see")
def list_agreements(request: HttpRequest) -> list[dict[str, Any]]:
    return [_agreement_out(a) for a in selectors.visible_agreements(request.user)[:500]]


# --- loans -----------------------------------------------------------------------------------------------------------


@router.get("/finance/loans", response=_ok(list[FinanceLoanOut]), summary="Loans you may see")
def list_loans(request: HttpRequest, state: Code = "", offset: Offset = 0, limit: Limit = 100) -> list[dict[str, Any]]:
    qs = selectors.visible_loans(request.user)
    if not qs.exists():
        qs = selectors.borrower_loans(request.user)
    if state:
        qs = qs.filter(state=state)
    return [_loan(loan) for loan in qs[offset:offset + limit]]


@router.get("/finance/loans/{loan_id}", response=_ok(FinanceLoanOut), summary="One loan")
def get_loan(request: HttpRequest, loan_id: Id) -> dict[str, Any]:
    return _loan(selectors.loan_for(request.user, loan_id))


@router.post("/finance/loans", response=_ok(FinanceLoanOut, 201), summary="A bank files (or saves) a loan")
def create_loan(request: HttpRequest, body: FinanceLoanIn) -> tuple[int, dict[str, Any]]:
    data = body.dict()
    loan = s.do_create_loan(actor=request.user, agreement_id=data.pop("agreement_id"),
                            enterprise_uscc=data.pop("enterprise_uscc"), **data)
    return 201, _loan(loan)


@router.post("/finance/loans/{loan_id}/repayments", response=_ok(FinanceLoanOut), summary="Record a repayment")
def repay(request: HttpRequest, loan_id: Id, body: FinanceRepaymentIn) -> dict[str, Any]:
    loan = selectors.loan_for(request.user, loan_id)
    s.do_record_repayment(actor=request.user, loan_id=loan.pk, amount=body.amount, paid_on=body.paid_on)
    return _loan(selectors.loan_for(request.user, loan_id))


@router.post("/finance/loans/{loan_id}/default", response=_ok(FinanceLoanOut), summary="Report a default")
def report_default(request: HttpRequest, loan_id: Id, body: FinanceDefaultIn) -> dict[str, Any]:
    loan = selectors.loan_for(request.user, loan_id)
    return _loan(s.do_report_default(actor=request.user, loan_id=loan.pk, defaulted_on=body.defaulted_on))


@router.post("/finance/loans/{loan_id}/{decision}", response=_ok(FinanceLoanOut),
             summary="File, withdraw, confirm (accept), refuse or return a loan")
def decide_loan(request: HttpRequest, loan_id: Id, decision: Literal["file", "withdraw", "accept", "refuse", "return"],
                body: FinanceDecisionIn) -> dict[str, Any]:
    loan = selectors.loan_for(request.user, loan_id)
    verbs = {
        "file": lambda: s.do_file_loan(actor=request.user, loan_id=loan.pk),
        "withdraw": lambda: s.do_withdraw_loan(actor=request.user, loan_id=loan.pk),
        "accept": lambda: s.do_accept_loan(actor=request.user, loan_id=loan.pk, note=body.note,
                                           override_reason=body.override_reason),
        "refuse": lambda: s.do_refuse_loan(actor=request.user, loan_id=loan.pk, note=body.note),
        "return": lambda: s.do_return_loan(actor=request.user, loan_id=loan.pk, note=body.note),
    }
    return _loan(verbs[decision]())


# --- claims ----------------------------------------------------------------------------------------------------------


@router.get("/finance/claims", response=_ok(list[FinanceClaimOut]), summary="Claims you may see")
def list_claims(request: HttpRequest, state: Code = "", offset: Offset = 0,
                limit: Limit = 100) -> list[dict[str, Any]]:
    qs = selectors.visible_claims(request.user)
    if state:
        qs = qs.filter(state=state)
    return [_claim(c) for c in qs[offset:offset + limit]]


@router.get("/finance/claims/{claim_id}", response=_ok(FinanceClaimOut), summary="One claim")
def get_claim(request: HttpRequest, claim_id: Id) -> dict[str, Any]:
    return _claim(selectors.claim_for(request.user, claim_id))


@router.post("/finance/claims", response=_ok(FinanceClaimOut, 201), summary="A bank claims compensation")
def create_claim(request: HttpRequest, body: FinanceClaimIn) -> tuple[int, dict[str, Any]]:
    loan = selectors.loan_for(request.user, body.loan_id)
    claim = s.do_create_claim(actor=request.user, loan_id=loan.pk, loss=body.loss,
                              recovered_before=body.recovered_before, explanation=body.explanation,
                              submit=body.submit)
    return 201, _claim(claim)


@router.post("/finance/claims/{claim_id}/documents", response=_ok(FinanceClaimOut, 201),
             summary="Attach a document (PDF, JPEG or PNG, at most 10 MB)")
def add_document(request: HttpRequest, claim_id: Id, kind: Form[Literal[tuple(DocumentKind.values)]],  # type: ignore[valid-type]
                 file: File[UploadedFile]) -> tuple[int, dict[str, Any]]:
    claim = selectors.claim_for(request.user, claim_id)
    s.do_add_claim_document(actor=request.user, claim_id=claim.pk, kind=kind, upload=file)
    return 201, _claim(claim)


@router.post("/finance/claims/{claim_id}/recoveries", response=_ok(FinanceRecoveryOut, 201),
             summary="Record a recovery after compensation (the pool's share flows back)")
def record_recovery(request: HttpRequest, claim_id: Id, body: FinanceRecoveryIn) -> tuple[int, dict[str, Any]]:
    claim = selectors.claim_for(request.user, claim_id)
    r = s.do_record_recovery(actor=request.user, claim_id=claim.pk, amount=body.amount,
                             recovered_on=body.recovered_on, request_key=body.request_key)
    return 201, {"id": r.pk, "amount": r.amount, "pool_share": r.pool_share}


@router.post("/finance/claims/{claim_id}/{decision}", response=_ok(FinanceClaimOut),
             summary="Submit, withdraw, review, return, reject, approve or pay a claim")
def decide_claim(request: HttpRequest, claim_id: Id,
                 decision: Literal["submit", "withdraw", "first-review", "return", "reject", "approve", "pay"],
                 body: FinanceDecisionIn) -> dict[str, Any]:
    claim = selectors.claim_for(request.user, claim_id)
    u, pk = request.user, claim.pk
    verbs = {
        "submit": lambda: s.do_submit_claim(actor=u, claim_id=pk),
        "withdraw": lambda: s.do_withdraw_claim(actor=u, claim_id=pk),
        "first-review": lambda: s.do_first_review(actor=u, claim_id=pk, note=body.note),
        "return": lambda: s.do_return_claim(actor=u, claim_id=pk, note=body.note),
        "reject": lambda: s.do_reject_claim(actor=u, claim_id=pk, note=body.note),
        "approve": lambda: s.do_approve_claim(actor=u, claim_id=pk, note=body.note,
                                              override_reason=body.override_reason),
        "pay": lambda: s.do_pay_claim(actor=u, claim_id=pk, override_reason=body.override_reason),
    }
    return _claim(verbs[decision]())


# --- monitoring and investments --------------------------------------------------------------------------------------


@router.get("/finance/monitoring/loans", response=_ok(list[FinanceRegionRow]),
            summary="Loans enrolled in pools by the borrower's region and period")
def monitoring_loans(request: HttpRequest, start: Day, end: Day,
                     digits: Annotated[int, Field(ge=2, le=6)] = 4) -> list[dict[str, Any]]:
    return [{"region": r["region"], "count": r["loans"], "amount": r["amount"]}
            for r in selectors.loans_by_region(request.user, start, end, digits)]


@router.get("/finance/monitoring/compensation", response=_ok(list[FinanceRegionRow]),
            summary="Compensation paid by the borrower's region and period")
def monitoring_compensation(request: HttpRequest, start: Day, end: Day,
                            digits: Annotated[int, Field(ge=2, le=6)] = 4) -> list[dict[str, Any]]:
    return [{"region": r["region"], "count": r["claims"], "amount": r["amount"]}
            for r in selectors.compensation_by_region(request.user, start, end, digits)]


@router.get("/finance/investments/{investment_id}/vc-deduction", response=_ok(FinanceVcOut),
            summary="The VC 70% deduction of a recorded investment, from the rules engine")
def vc_deduction(request: HttpRequest, investment_id: Id) -> dict[str, Any]:
    investment = selectors.visible_investments(request.user).filter(pk=investment_id).first()
    if investment is None:
        from django.http import Http404

        raise Http404
    return vc.assess(investment)

