"""Demo innovation vouchers, walked through the real service verbs (so the ledger and the audit trail are real).

``seed_vouchers_demo()`` needs the registry demo (``seed_demo``: agencies, the demo provider institution, users,
Shenzhen enterprises). It creates the Shenzhen programme 深圳市科技创新券 funded with ¥5,000,000, registers and
approves the demo provider's institution (深圳市计量质量检测研究院) and a second provider, issues vouchers to the
demo enterprise and to a few other Shenzhen enterprises, and takes contracts through every state (recorded, redeemed,
delivered, verified, reimbursed), leaving two applications waiting. Running it again does nothing.
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

PROGRAMME_NAME = "深圳市科技创新券"
GZ_PROGRAMME_NAME = "广州市科技创新券"


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
                                     submission_key=f"demo:{v.pk}:{amount}")
            if stage == "recorded":
                return
            s.do_redeem(actor=lab_user, contract_id=c.pk, voucher_code=v.code)
            if stage == "redeemed":
                return
            s.do_confirm_delivery(actor=lab_user, contract_id=c.pk)
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
    return {"programme": programme.pk, "vouchers": programme.vouchers.count(),
            "contracts": sum(v.contracts.count() for v in programme.vouchers.all())}
