"""Demo finance data, walked through the real service verbs (so the ledger, the caps and the audit trail are real).

Needs the registry demo (agencies, the demo bank 招商银行深圳分行 and its officer ``bank``, enterprises). Creates a
second bank (中国银行广东省分行, officer ``bank-gd``), one pool per demo city — Shenzhen and Guangzhou
risk-compensation pools, a Hangzhou capital-access programme, a Chengdu pool without banks yet — admissions in every
state (one admitted by an audited override), agreements (Guangzhou's suspended automatically by its loss ratio),
a few hundred loans in every state, defaults with claims in every state (draft, returned, submitted, under review,
approved, paid with a recovery, rejected, withdrawn), IP-pledge loans with subsidies, a guidance fund and a sub-fund
with investments in the demo enterprise (its VC deduction computed from them) and its listing track. Running it again
does nothing.
"""

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from techsme.accounts.models import Membership, Organisation, User
from techsme.accounts.roles import OrgKind, Role
from techsme.finance import eligibility
from techsme.finance import services as s
from techsme.finance.models import Pool
from techsme.registry.models import Enterprise, IPAsset

SZ_POOL = "深圳市科技型中小企业贷款风险补偿资金池"
GZ_POOL = "广州市科技信贷风险补偿资金池"
HZ_POOL = "杭州市科技型中小企业融资资本准入计划"
CD_POOL = "成都市科技企业债权融资风险补偿资金池"
SECOND_BANK = "中国银行广东省分行"
SECOND_BANK_USER = "bank-gd"
DEMO_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RULE = [[{"condition": "good_standing"}, {"condition": "max_employees", "value": 500}]]


def _pdf(name: str) -> Any:
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def _terms(today: date, region_prefix: str, **extra: Any) -> dict[str, Any]:
    terms = dict(loss_share_pct="50", cap_per_loan="2000000", cap_per_enterprise="3000000",
                 cap_per_year="20000000", allocation="30000000", leverage_multiple="10",
                 max_loan_amount="10000000", max_term_months=36, rate_ceiling_pct="6.5",
                 valid_from=date(today.year - 3, 1, 1), valid_until=date(today.year + 2, 12, 31),
                 eligibility=[[{"condition": "region_prefix", "value": region_prefix}, *RULE[0]]])
    terms.update(extra)
    return terms


class _Seeder:
    def __init__(self, today: date, users: dict[str, User]) -> None:
        self.today, self.users, self.rng, self.serial = today, users, random.Random(2019268), 0

    def enterprises(self, prefix: str, rule: Any, n: int) -> list[Enterprise]:
        out = []
        for enterprise in Enterprise.objects.filter(region_code__startswith=prefix).order_by("pk")[: n * 3]:
            if not eligibility.failed(eligibility.check_borrower(rule, enterprise, self.today)):
                out.append(enterprise)
            if len(out) == n:
                break
        return out

    def loan(self, actor: User, agreement: Any, enterprise: Enterprise, *, days_ago: int | None = None,
             file: bool = True, **extra: Any) -> Any:
        self.serial += 1
        days = days_ago if days_ago is not None else self.rng.randint(60, 1000)
        data = dict(contract_number=f"{agreement.bank.name[:2]}-{self.today.year}-{self.serial:04d}",
                    amount=str(self.rng.choice([500000, 1000000, 1500000, 2000000, 3000000, 5000000])),
                    term_months=self.rng.choice([12, 12, 24, 36]), rate_pct=self.rng.choice(["3.85", "4.35", "4.8"]),
                    collateral=self.rng.choice(["credit", "credit", "guarantee", "property"]),
                    granted_on=self.today - timedelta(days=days))
        data.update(extra)
        return s.do_create_loan(actor=actor, agreement_id=agreement.pk, enterprise_uscc=enterprise.uscc,
                                file=file, **data)

    def enrol(self, decider: User, loan: Any) -> bool:
        """Confirm an eligible loan; refuse one that failed the check at filing (the registry's facts of its year)."""
        if loan.eligible:
            s.do_accept_loan(actor=decider, loan_id=loan.pk)
            return True
        s.do_refuse_loan(actor=decider, loan_id=loan.pk, note="借款企业在贷款发放年度不符合协议约定的借款人条件。")
        return False

    def claim(self, bank_user: User, loan: Any, *, submit: bool = True, documents: bool = True) -> Any:
        claim = s.do_create_claim(actor=bank_user, loan_id=loan.pk, loss=str(loan.outstanding),
                                  recovered_before=str((loan.outstanding * Decimal("0.1")).quantize(Decimal("1"))),
                                  explanation="借款企业经营困难，贷款逾期超过90天，已发出催收通知并启动抵押物处置。")
        if documents:
            s.do_add_claim_document(actor=bank_user, claim_id=claim.pk, kind="default_notice",
                                    upload=_pdf("逾期通知.pdf"))
            s.do_add_claim_document(actor=bank_user, claim_id=claim.pk, kind="collection", upload=_pdf("催收记录.pdf"))
        if submit:
            s.do_submit_claim(actor=bank_user, claim_id=claim.pk)
        return claim


def _second_bank() -> tuple[Organisation, User]:
    bank, _created = Organisation.objects.get_or_create(kind=OrgKind.BANK, name=SECOND_BANK,
                                                        defaults={"region_code": "440104"})
    user = User.objects.filter(username=SECOND_BANK_USER).first()
    if user is None:
        from techsme.registry.demo import DEMO_PASSWORD

        user = User.objects.create(username=SECOND_BANK_USER, password=make_password(DEMO_PASSWORD),
                                   display_name="何伟", email="bank-gd@example.cn")
        Membership.objects.create(user=user, organisation=bank, role=Role.BANK_OFFICER)
    return bank, user


def _pool(actor: User, agency: Organisation, name: str, amount: str, **extra: Any) -> Pool:
    pool = s.do_create_pool(actor=actor, agency_id=agency.pk, name=name, **extra)
    s.do_fund_pool(actor=actor, pool_id=pool.pk, amount=amount, request_key="demo-initial")
    return pool


def _admit(officer: User, decider: User, pool: Pool, bank: Organisation, address: str, **extra: Any) -> Any:
    admission = s.do_apply_admission(actor=officer, pool_id=pool.pk, bank_id=bank.pk, local_branch_address=address,
                                     **{k: v for k, v in extra.items() if k != "override_reason"})
    return s.do_admit_bank(actor=decider, admission_id=admission.pk, override_reason=extra.get("override_reason", ""))


def _shenzhen(seed: _Seeder, pool: Pool, cmb: Organisation, second: Organisation, second_user: User) -> None:
    u = seed.users
    bank, admin, manager, reviewer = u["bank"], u["agency-admin"], u["manager"], u["reviewer"]
    admission = _admit(bank, admin, pool, cmb, "深圳市福田区深南大道7088号招商银行大厦",
                       tech_branch_name="招商银行深圳科技园支行", tech_credit_staff=12)
    agreement = s.do_sign_agreement(actor=admin, admission_id=admission.pk, **_terms(seed.today, "4403"))
    # the second bank applies from outside the region: the agency's decision waits (admitting it needs an override)
    s.do_apply_admission(actor=second_user, pool_id=pool.pk, bank_id=second.pk,
                         local_branch_address="广州市越秀区东风中路197号", tech_credit_staff=2)
    borrowers = seed.enterprises("4403", agreement.eligibility, 150)  # fewer in a small registry: scaled below
    special, main = borrowers[-14:], borrowers[:-14]
    demo = Enterprise.objects.filter(name__startswith="深圳市星衡").first()
    loans = []
    for i, enterprise in enumerate(main):
        loan = seed.loan(bank, agreement, enterprise)
        if seed.enrol(admin if i % 2 else manager, loan):
            loans.append(loan)
    # repaid loans and repayments of live ones
    sixth = max(len(loans) // 6, 1)
    for loan in loans[:sixth]:
        s.do_record_repayment(actor=bank, loan_id=loan.pk, amount=str(loan.amount), paid_on=seed.today)
    for loan in loans[sixth:2 * sixth]:
        s.do_record_repayment(actor=bank, loan_id=loan.pk, amount=str((loan.amount / 4).quantize(Decimal("1"))),
                              paid_on=seed.today - timedelta(days=10))
    # waiting for the agency, saved, returned, refused and withdrawn
    for enterprise in special[:8]:
        seed.loan(bank, agreement, enterprise, days_ago=seed.rng.randint(5, 40))
    for enterprise in special[8:11]:
        seed.loan(bank, agreement, enterprise, days_ago=15, file=False)
    returned = seed.loan(bank, agreement, special[11], days_ago=20)
    s.do_return_loan(actor=reviewer, loan_id=returned.pk, note="请补充贷款合同编号对应的借据号，并更正贷款利率。")
    refused = seed.loan(bank, agreement, special[12], days_ago=30, amount="12000000")
    s.do_refuse_loan(actor=manager, loan_id=refused.pk, note="贷款金额超过协议约定的单笔上限1000万元。")
    withdrawn = seed.loan(bank, agreement, special[13], days_ago=30)
    s.do_withdraw_loan(actor=bank, loan_id=withdrawn.pk)
    big = Enterprise.objects.filter(region_code__startswith="4403", facts__employees__gt=500).first()
    if big is not None:  # not eligible when filed; the agency administrator enrols it with a reason
        loan = seed.loan(bank, agreement, big, days_ago=50)
        s.do_accept_loan(actor=admin, loan_id=loan.pk,
                         override_reason="企业为市重点产业链链主企业，经市科技局局务会研究同意纳入风险补偿范围。")
    if demo is not None:
        patent = IPAsset.objects.filter(enterprise=demo, status="valid").first()
        pledge = seed.loan(bank, agreement, demo, days_ago=400, amount="3000000", collateral="ip_pledge",
                           pledged_asset_ids=[patent.pk] if patent else [], pledge_registration_number="Y2025440300088",
                           valuation_amount="5200000", appraiser="深圳市鹏信资产评估土地房地产估价有限公司")
        s.do_accept_loan(actor=admin, loan_id=pledge.pk, override_reason="" if pledge.eligible else
                         "企业为市级知识产权示范企业，质押物评估价值充足，经局务会同意纳入。")
        programme = s.do_create_subsidy_programme(
            actor=admin, agency_id=pool.agency_id, name="深圳市知识产权质押融资贴息和评估费资助",
            interest_share_pct="50", fee_share_pct="50", cap_per_enterprise_year="300000", budget="5000000",
            request_key="demo")
        s.do_pay_subsidy(actor=manager, programme_id=programme.pk, loan_id=pledge.pk, kind="interest",
                         year=seed.today.year - 1, basis="96000")
        s.do_pay_subsidy(actor=manager, programme_id=programme.pk, loan_id=pledge.pk, kind="appraisal",
                         year=seed.today.year - 1, basis="30000")
        _investments(seed, demo, pledge)
    # defaults: the claims in every state
    defaulted = loans[-10:]
    for loan in defaulted:
        s.do_report_default(actor=bank, loan_id=loan.pk, defaulted_on=seed.today - timedelta(days=40))
        loan.refresh_from_db()
    draft = seed.claim(bank, defaulted[0], submit=False, documents=False)
    returned_claim = seed.claim(bank, defaulted[1])
    s.do_return_claim(actor=reviewer, claim_id=returned_claim.pk, note="请补充法院受理通知书或催收律师函。")
    seed.claim(bank, defaulted[2])  # submitted: awaits the first review
    under_review = seed.claim(bank, defaulted[3])
    s.do_first_review(actor=reviewer, claim_id=under_review.pk)
    approved = seed.claim(bank, defaulted[4])
    s.do_first_review(actor=reviewer, claim_id=approved.pk)
    s.do_approve_claim(actor=manager, claim_id=approved.pk, note="材料齐全，按协议比例补偿。")
    for index in (5, 6):
        paid = seed.claim(bank, defaulted[index])
        s.do_first_review(actor=reviewer, claim_id=paid.pk)
        s.do_approve_claim(actor=manager, claim_id=paid.pk)
        s.do_pay_claim(actor=admin, claim_id=paid.pk)
    s.do_record_recovery(actor=bank, claim_id=paid.pk, amount=str((defaulted[6].outstanding / 5).quantize(
        Decimal("1"))), recovered_on=seed.today, request_key="demo-1")
    rejected = seed.claim(bank, defaulted[7])
    s.do_reject_claim(actor=manager, claim_id=rejected.pk, note="贷款发放时借款人已列入经营异常名录，不符合补偿条件。")
    withdrawn_claim = seed.claim(bank, defaulted[8])
    s.do_withdraw_claim(actor=bank, claim_id=withdrawn_claim.pk)
    del draft  # defaulted[9] stays in default without a claim (the bank's to-do)


def _investments(seed: _Seeder, demo: Enterprise, loan: Any) -> None:
    manager = seed.users["manager"]
    guidance = s.do_record_fund(actor=manager, name="深圳市天使投资引导基金", kind="guidance", region_code="440300",
                                size="5000000000")
    sub = s.do_record_fund(actor=manager, name="深圳南山天使一号创业投资合伙企业（有限合伙）", kind="sub_fund",
                           region_code="440305", size="500000000", parent_id=guidance.pk, limited_partnership=True)
    vc = s.do_record_fund(actor=manager, name="深圳市创新投资集团有限公司", kind="venture", region_code="440304",
                          size="10000000000")
    first = s.do_record_investment(actor=manager, fund_id=sub.pk, enterprise_id=demo.pk, round="天使轮",
                                   invested_on=seed.today - timedelta(days=30 * 30), amount="5000000", stake_pct="8")
    s.do_record_investment(actor=manager, fund_id=vc.pk, enterprise_id=demo.pk, round="A轮",
                           invested_on=seed.today - timedelta(days=200), amount="20000000", stake_pct="12")
    others = Enterprise.objects.filter(region_code__startswith="4403").exclude(pk=demo.pk).order_by("pk")[:6]
    for i, enterprise in enumerate(others):
        investment = s.do_record_investment(actor=manager, fund_id=(sub if i % 2 else vc).pk,
                                            enterprise_id=enterprise.pk, round="天使轮" if i % 2 else "Pre-A轮",
                                            invested_on=seed.today - timedelta(days=200 + 150 * i),
                                            amount=str(2000000 + 500000 * i), stake_pct="6")
        if i == 5:
            s.do_record_exit(actor=manager, investment_id=investment.pk, exited_on=seed.today - timedelta(days=30),
                             exit_amount="9000000")
    loan.linked_investment = first  # 投贷联动: the pledge loan follows the angel round
    loan.save(update_fields=["linked_investment"])
    track = s.do_open_listing_track(actor=manager, enterprise_id=demo.pk, market="star")
    s.do_give_listing_consent(actor=seed.users["enterprise-admin"], track_id=track.pk)
    s.do_update_listing_track(actor=manager, track_id=track.pk, stage="tutoring",
                              checklist={"financial_audit": True, "shareholding_reform": True, "sponsor_engaged": True})


def _guangzhou(seed: _Seeder, pool: Pool, second: Organisation, second_user: User, cmb: Organisation) -> None:
    manager, root = seed.users["manager"], seed.users["admin"]
    admission = _admit(second_user, manager, pool, second, "广州市越秀区东风中路197号",
                       tech_branch_name="中国银行广州科技支行")
    agreement = s.do_sign_agreement(actor=manager, admission_id=admission.pk, **_terms(seed.today, "4401"))
    loans = []
    for i, enterprise in enumerate(seed.enterprises("4401", agreement.eligibility, 50)):
        loan = seed.loan(second_user, agreement, enterprise)
        if not seed.enrol(manager, loan):
            continue
        loans.append(loan)
        if i < 8:
            s.do_record_repayment(actor=second_user, loan_id=loan.pk, amount=str(loan.amount), paid_on=seed.today)
    for loan in loans[10:16]:  # losses beyond the pool's 5% threshold: enrolments are suspended automatically
        s.do_report_default(actor=second_user, loan_id=loan.pk, defaulted_on=seed.today - timedelta(days=30))
        loan.refresh_from_db()
    paid = seed.claim(second_user, loans[10])
    s.do_first_review(actor=manager, claim_id=paid.pk)
    s.do_approve_claim(actor=manager, claim_id=paid.pk)
    s.do_pay_claim(actor=root, claim_id=paid.pk)
    seed.claim(second_user, loans[11])
    withdrawn = s.do_apply_admission(actor=seed.users["bank"], pool_id=pool.pk, bank_id=cmb.pk,
                                   local_branch_address="深圳市福田区深南大道7088号")
    s.do_withdraw_admission(actor=seed.users["bank"], admission_id=withdrawn.pk)


def _hangzhou_chengdu(seed: _Seeder, cmb: Organisation, second: Organisation, second_user: User) -> None:
    root, bank = seed.users["admin"], seed.users["bank"]
    hz = Organisation.objects.filter(kind=OrgKind.AGENCY, region_code="330100").first()
    cd = Organisation.objects.filter(kind=OrgKind.AGENCY, region_code="510100").first()
    if hz is not None:
        pool = _pool(root, hz, HZ_POOL, "20000000", kind="capital_access", borrower_premium_pct="2",
                     lender_premium_pct="2", match_ratio="1.5")
        admission = _admit(bank, root, pool, cmb, "杭州市西湖区文三路478号（招商银行杭州分行科技金融中心）",
                           tech_credit_staff=6,
                           override_reason="招商银行杭州分行与深圳分行同属一法人，经市科技局同意由其科技金融中心承办。")
        agreement = s.do_sign_agreement(actor=root, admission_id=admission.pk,
                                        **_terms(seed.today, "3301", loss_share_pct="100", allocation="10000000"))
        loans = []
        for enterprise in seed.enterprises("3301", agreement.eligibility, 30):
            loan = seed.loan(bank, agreement, enterprise)
            if seed.enrol(root, loan):
                loans.append(loan)
        if loans:
            s.do_report_default(actor=bank, loan_id=loans[0].pk, defaulted_on=seed.today - timedelta(days=20))
            loans[0].refresh_from_db()
            claim = seed.claim(bank, loans[0])
            s.do_first_review(actor=root, claim_id=claim.pk)
            s.do_approve_claim(actor=root, claim_id=claim.pk)
    if cd is not None:
        pool = _pool(root, cd, CD_POOL, "10000000")
        admission = s.do_apply_admission(actor=bank, pool_id=pool.pk, bank_id=cmb.pk,
                                         local_branch_address="深圳市福田区深南大道7088号")
        s.do_refuse_admission(actor=root, admission_id=admission.pk, note="该行在成都市无营业网点，不符合准入条件。")
        s.do_apply_admission(actor=second_user, pool_id=pool.pk, bank_id=second.pk,
                             local_branch_address="广州市越秀区东风中路197号")


def seed_finance_demo(*, today: date | None = None) -> dict[str, Any]:
    """Create the demo pools and their loans; ``{}`` when they exist already or the registry demo is missing."""
    if Pool.objects.filter(name=SZ_POOL).exists():
        return {}
    names = ["bank", "agency-admin", "manager", "reviewer", "admin", "enterprise-admin"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    sz = Organisation.objects.filter(kind=OrgKind.AGENCY, region_code="440300").first()
    gz = Organisation.objects.filter(kind=OrgKind.AGENCY, region_code="440100").first()
    cmb = Organisation.objects.filter(kind=OrgKind.BANK, name="招商银行深圳分行").first()
    if len(users) < len(names) or sz is None or gz is None or cmb is None:
        return {}
    seed = _Seeder(today or timezone.localdate(), users)
    with transaction.atomic():
        second, second_user = _second_bank()
        sz_pool = _pool(users["agency-admin"], sz, SZ_POOL, "50000000", suspension_loss_ratio_pct="15")
        gz_pool = _pool(users["manager"], gz, GZ_POOL, "30000000")
        _shenzhen(seed, sz_pool, cmb, second, second_user)
        _guangzhou(seed, gz_pool, second, second_user, cmb)
        _hangzhou_chengdu(seed, cmb, second, second_user)
    return {"pools": Pool.objects.count(), "loans": seed.serial}
