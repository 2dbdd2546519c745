"""Demo innovation vouchers, walked through the real service verbs (so the ledger and the audit trail are real).

``seed_vouchers_demo()`` needs the registry demo (``seed_demo``: agencies, the demo provider institution, users,
Shenzhen enterprises). It creates the Shenzhen programme 深圳市科技创新券 funded with ¥5,000,000, registers and
approves the demo provider's institution (深圳市计量质量检测研究院) and a second provider, issues vouchers to the
demo enterprise and to a few other Shenzhen enterprises, and takes contracts through every state (recorded, redeemed,
delivered, verified, reimbursed), leaving two applications waiting. ``_decision_states`` adds what the criteria
guard: a start-up programme (at most 100 employees) where one enterprise grew past the limit after applying — its
application waits, marked, because the programme manager is stopped — and another's approval was overridden by the
agency administrator with a reason; a delivery verified without a contract document by override; a rejected
application, a cancelled voucher, a withdrawn contract, pending and rejected provider registrations, and last year's
programme, suspended, closed, with its voucher expired. Running it again does nothing.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from techsme.accounts.models import Organisation, User
from techsme.accounts.roles import OrgKind
from techsme.registry.models import Enterprise
from techsme.vouchers import services as s
from techsme.vouchers.models import Programme
from techsme.vouchers.services.criteria import CriteriaNotMet

PROGRAMME_NAME = "深圳市科技创新券"
GZ_PROGRAMME_NAME = "广州市科技创新券"
STARTUP_PROGRAMME_NAME = "深圳市初创企业创新券"
LAST_YEAR_PROGRAMME_NAME = "深圳市科技创新券（上一年度）"
# A minimal PDF: the contract document the demo attaches (the upload check sniffs the signature).
DEMO_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _document(name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def seed_vouchers_demo(*, today: date | None = None) -> dict[str, Any]:
    """Create the demo programme and its vouchers; ``{}`` when it exists already or the registry demo is missing."""
    from techsme.registry.demo import AGENCY_ADMIN, DEMO_ENTERPRISE_NAME, ENTERPRISE_ADMIN, PROVIDER, SUPERUSER

    if Programme.objects.filter(name=PROGRAMME_NAME).exists():
        return {}
    users = {u.username: u for u in User.objects.filter(username__in=[AGENCY_ADMIN, ENTERPRISE_ADMIN, PROVIDER,
                                                                       SUPERUSER])}
    sz = Organisation.objects.filter(kind=OrgKind.AGENCY, region_code="440300").first()
    gz = Organisation.objects.filter(kind=OrgKind.AGENCY, region_code="440100").first()
    demo = Enterprise.objects.filter(name=DEMO_ENTERPRISE_NAME).first()
    if len(users) < 4 or sz is None or demo is None:
        return {}
    today = today or timezone.localdate()
    admin, root, ent, lab_user = users[AGENCY_ADMIN], users[SUPERUSER], users[ENTERPRISE_ADMIN], users[PROVIDER]
    lab = lab_user.memberships.select_related("organisation").first().organisation
    valid_until = date(today.year, 12, 31)
    with transaction.atomic():
        programme = s.do_create_programme(
            actor=admin, agency=sz, name=PROGRAMME_NAME, year=today.year, budget="5000000",
            cap_per_enterprise_year="200000", cap_per_application="100000", max_contract_share="0.5",
            categories=["testing", "instrument", "rd", "patent", "consulting"], valid_until=valid_until,
            eligibility_rule=[[{"condition": "region_prefix", "value": "4403"}]],
        )
        if gz is not None:
            gz_programme = s.do_create_programme(
                actor=root, agency=gz, name=GZ_PROGRAMME_NAME, year=today.year, budget="2000000",
                cap_per_enterprise_year="100000", cap_per_application="50000", max_contract_share="0.3",
                categories=["testing", "instrument", "rd"], valid_until=valid_until,
                eligibility_rule=[[{"condition": "region_prefix", "value": "4401"}]],
            )
            s.do_set_recognition(actor=admin, programme_id=programme.pk, recognised=[gz_programme.pk])
        provider = s.do_register_provider(
            actor=lab_user, organisation_id=lab.pk, programme_id=programme.pk, institution=lab.name,
            accreditation="CNAS L0123 · CMA 2019190123",
            services=[{"name": "电磁兼容（EMC）检测", "category": "testing", "price": "18000", "unit": "项"},
                      {"name": "扫描电镜机时", "category": "instrument", "price": "600", "unit": "小时"},
                      {"name": "材料成分分析", "category": "rd", "price": "4500", "unit": "样"}],
        )
        s.do_decide_provider(actor=admin, provider_id=provider.pk, approve=True)
        second_org = Organisation.objects.filter(kind=OrgKind.PROVIDER, region_code__startswith="4403").exclude(
            pk=lab.pk).first()
        if second_org is not None:
            second = s.do_register_provider(
                actor=root, organisation_id=second_org.pk, programme_id=programme.pk, institution=second_org.name,
                accreditation="省级技术转移示范机构",
                services=[{"name": "专利申请代理", "category": "patent", "price": "6000", "unit": "件"},
                          {"name": "技术咨询", "category": "consulting", "price": "2000", "unit": "天"}],
            )
            s.do_decide_provider(actor=admin, provider_id=second.pk, approve=True)

        def voucher(enterprise: Enterprise, actor: User, amount: str, approved: str | None = None) -> Any:
            application = s.do_apply(actor=actor, programme_id=programme.pk, enterprise_id=enterprise.pk,
                                     amount=amount, purpose="新产品电磁兼容与材料检测",
                                     submission_key=f"demo:{enterprise.pk}:{amount}")
            return s.do_decide_application(actor=admin, application_id=application.pk, approve=True,
                                           amount=approved, reason="按预算比例核减" if approved else "").voucher

        def contract(v: Any, actor: User, amount: str, category: str = "testing", stage: str = "recorded") -> None:
            c = s.do_record_contract(actor=actor, voucher_id=v.pk, provider_id=provider.pk, category=category,
                                     amount=amount, description="EMC 检测及整改复测",
                                     submission_key=f"demo:{v.pk}:{amount}",
                                     document=_document(f"contract-{v.pk}-{amount}.pdf"))
            if stage == "recorded":
                return
            s.do_redeem(actor=lab_user, contract_id=c.pk, voucher_code=v.code)
            if stage == "redeemed":
                return
            s.do_confirm_delivery(actor=lab_user, contract_id=c.pk,
                                  report="检测报告已出具（报告编号 SZ-EMC-2026-0413），整改复测合格")
            if stage == "delivered":
                return
            s.do_verify_contract(actor=admin, contract_id=c.pk)

        mine = voucher(demo, ent, "80000")
        contract(mine, ent, "36000", stage="verified")
        contract(mine, ent, "12000", category="instrument", stage="redeemed")
        others = list(Enterprise.objects.filter(region_code__startswith="4403").exclude(pk=demo.pk).order_by("pk")[:8])
        for index, enterprise in enumerate(others[:6]):
            v = voucher(enterprise, root, str(20000 + 10000 * index), approved="15000" if index == 2 else None)
            stage = ("verified", "delivered", "redeemed", "recorded", "verified", "verified")[index]
            contract(v, root, str(24000 + 6000 * index), category=("testing", "rd", "instrument")[index % 3],
                     stage=stage)
        s.do_reimburse(actor=admin, programme_id=programme.pk, period=s.current_period(today))
        if len(others) > 6:
            contract(voucher(others[6], root, "30000"), root, "18000", stage="verified")
        if len(others) > 7:
            s.do_apply(actor=root, programme_id=programme.pk, enterprise_id=others[7].pk, amount="50000",
                       purpose="委托研发：算法验证", submission_key="demo:waiting:1")
        s.do_apply(actor=ent, programme_id=programme.pk, enterprise_id=demo.pk, amount="60000",
                   purpose="专利申请代理（3件发明）", submission_key="demo:waiting:2")
        _decision_states(programme, provider, others, users, today)
    return {"programme": programme.pk, "vouchers": programme.vouchers.count(),
            "contracts": sum(v.contracts.count() for v in programme.vouchers.all())}


def _decision_states(programme: Programme, provider: Any, others: list[Enterprise], users: dict[str, User],
                     today: date) -> None:
    """The states the decision criteria guard (see the module docstring), through the real verbs."""
    from techsme.registry.demo import AGENCY_ADMIN, MANAGER, SUPERUSER
    from techsme.registry.services import do_save_facts

    admin, root = users[AGENCY_ADMIN], users[SUPERUSER]
    manager = User.objects.filter(username=MANAGER).first() or root
    sz = programme.agency
    startup = s.do_create_programme(
        actor=admin, agency=sz, name=STARTUP_PROGRAMME_NAME, year=today.year, budget="600000",
        cap_per_enterprise_year="50000", cap_per_application="50000", max_contract_share="0.6",
        categories=["testing", "rd", "consulting"], valid_until=date(today.year, 12, 31),
        eligibility_rule=[[{"condition": "region_prefix", "value": "4403"}, {"condition": "max_employees",
                                                                             "value": 100}]],
    )
    grown = list(Enterprise.objects.filter(region_code__startswith="4403").exclude(pk__in=[e.pk for e in others])
                 .exclude(name=programme.vouchers.first().enterprise.name).order_by("pk")[8:10])
    applications = []
    for index, enterprise in enumerate(grown):
        # The enterprise reports 60 employees this year, applies, then corrects its headcount to 180.
        do_save_facts(actor=root, enterprise_id=enterprise.pk, tax_year=today.year, values={"employees": 60})
        applications.append(s.do_apply(actor=root, programme_id=startup.pk, enterprise_id=enterprise.pk,
                                       amount="30000", purpose="样机可靠性检测",
                                       submission_key=f"demo:startup:{index}"))
        do_save_facts(actor=root, enterprise_id=enterprise.pk, tax_year=today.year, values={"employees": 180})
    for application in applications:
        try:  # the programme manager is stopped: the enterprise no longer meets the rule
            s.do_decide_application(actor=manager, application_id=application.pk, approve=True)
        except CriteriaNotMet:
            pass
    if applications:  # the agency administrator approves the second one with a recorded reason
        s.do_decide_application(actor=admin, application_id=applications[-1].pk, approve=True,
                                override_reason="扩员系承接应急订单的临时用工，长期在职人数仍在 100 人以内"
                                                "（已核对社保缴纳名单）")
    # A rejection, a cancelled voucher, a withdrawn contract, and a delivery verified without a document by override.
    if len(others) > 5:
        rejected = s.do_apply(actor=root, programme_id=programme.pk, enterprise_id=others[5].pk, amount="20000",
                              purpose="购置办公设备", submission_key="demo:rejected:1")
        s.do_decide_application(actor=admin, application_id=rejected.pk, approve=False,
                                reason="购置设备不属于创新券支持的服务类别")
    lab_user = User.objects.filter(memberships__organisation=provider.organisation).first()
    vouchers = list(programme.vouchers.exclude(enterprise__in=grown).order_by("pk"))
    if len(vouchers) > 3:
        withdrawn = s.do_record_contract(actor=root, voucher_id=vouchers[1].pk, provider_id=provider.pk,
                                         category="testing", amount="8000", description="跌落试验（企业已改期）",
                                         submission_key="demo:withdrawn:1")
        s.do_withdraw_contract(actor=root, contract_id=withdrawn.pk)
        paper = s.do_record_contract(actor=root, voucher_id=vouchers[2].pk, provider_id=provider.pk,
                                     category="testing", amount="6000", description="盐雾试验（纸质合同）",
                                     submission_key="demo:paper:1")
        s.do_redeem(actor=lab_user, contract_id=paper.pk, voucher_code=vouchers[2].code)
        s.do_confirm_delivery(actor=lab_user, contract_id=paper.pk, report="盐雾试验 96 小时，报告 SZ-SALT-2026-021")
        s.do_verify_contract(actor=admin, contract_id=paper.pk,
                             override_reason="纸质合同原件已在窗口核验，电子件待补传")
        s.do_cancel_voucher(actor=admin, voucher_id=vouchers[3].pk, reason="企业主动放弃剩余额度")
    _providers_waiting_and_rejected(programme, root, admin)
    _last_year(sz, root, admin, others, today)


def _providers_waiting_and_rejected(programme: Programme, root: User, admin: User) -> None:
    taken = set(programme.providers.values_list("organisation_id", flat=True))
    spare = list(Organisation.objects.filter(kind=OrgKind.PROVIDER).exclude(pk__in=taken).order_by("pk")[:2])
    for index, org in enumerate(spare):
        registration = s.do_register_provider(
            actor=root, organisation_id=org.pk, programme_id=programme.pk, institution=org.name,
            accreditation="CMA 2021000" + str(index),
            services=[{"name": "材料成分分析", "category": "testing", "price": "3000", "unit": "样"}])
        if index == 1:
            s.do_decide_provider(actor=admin, provider_id=registration.pk, approve=False,
                                 reason="检测资质证书已过有效期，请更新后重新登记")


def _last_year(agency: Organisation, root: User, admin: User, others: list[Enterprise], today: date) -> None:
    """Last year's programme: a voucher issued then, expired at the year's end; the programme suspended, closed."""
    if len(others) < 5:
        return
    year = today.year - 1
    then = date(year, 6, 1)
    old = s.do_create_programme(
        actor=admin, agency=agency, name=LAST_YEAR_PROGRAMME_NAME, year=year, budget="300000",
        cap_per_enterprise_year="100000", cap_per_application="50000", max_contract_share="0.5",
        categories=["testing", "rd"], valid_until=date(year, 12, 31),
        eligibility_rule=[[{"condition": "region_prefix", "value": "4403"}]],
    )
    application = s.do_apply(actor=root, programme_id=old.pk, enterprise_id=others[4].pk, amount="20000",
                             purpose="新材料性能检测", submission_key="demo:last-year:1", today=then)
    s.do_decide_application(actor=admin, application_id=application.pk, approve=True, today=then)
    s.expire_due_vouchers(actor=None, today=today, programme_id=old.pk)
    s.do_suspend_programme(actor=admin, programme_id=old.pk, reason="年度结算")
    s.do_close_programme(actor=admin, programme_id=old.pk, reason="年度项目结束，未发放预算退回财政")
