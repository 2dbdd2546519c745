"""Demo data of technology transfer (``techsme setup --demo``, order 50), idempotent: universities and an institute
in the demo cities with ~300 outcomes (most published, some awaiting moderation, one returned), needs of demo
enterprises matched against them, two challenges (one awarded through the ledger, one open), registered technology
contracts — one of them the demo enterprise's own patent transfer, which feeds its technology-transfer income and
so its EIT exemption — and the demo users ``university`` (institution staff) and ``broker``.

Everything goes through the service verbs, so the audit trail, the ledger and the matches are real — except the
outcomes (bulk-created, for speed) and the needs of demo enterprises that have no users, which are written directly.
"""

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from techsme.accounts.models import Membership, Organisation, User
from techsme.core.roles import OrgKind, Role
from techsme.core.search import fill
from techsme.registry.demo import AGENCY_ADMIN, DEMO_ENTERPRISE_NAME, DEMO_PASSWORD, ENTERPRISE_ADMIN, REVIEWER
from techsme.registry.models import Enterprise
from techsme.transfer import services
from techsme.transfer.demo_text import TOPICS, need_text, outcome_text
from techsme.transfer.models import Outcome, OutcomeState, TransferMode
from techsme.transfer.patents import check_character

UNIVERSITY_USER = "university"
BROKER_USER = "broker"
UNIVERSITIES = (  # name, region, English name
    ("深圳湾理工大学", "440305", "Shenzhen Bay University of Technology"),
    ("广州珠江科技大学", "440106", "Guangzhou Pearl River University of Science and Technology"),
    ("杭州西溪工业大学", "330106", "Hangzhou Xixi University of Technology"),
    ("成都锦江理工学院", "510107", "Chengdu Jinjiang Institute of Technology"),
    ("深圳先进制造研究院", "440305", "Shenzhen Institute of Advanced Manufacturing"),
)
OUTCOMES = 300


def _patent(rng: random.Random, year: int) -> str:
    body = f"{year}1{rng.randrange(10**6, 10**7):07d}"
    return f"ZL{body}.{check_character(body)}"


def _user(username: str, display: str, org: Organisation, role: str, password: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, password=password, display_name=display,
                                   email=f"{username}@example.cn")
    Membership.objects.get_or_create(user=user, organisation=org, role=role)
    return user


def _outcomes(orgs: list[Organisation], rng: random.Random) -> list[Outcome]:
    rows = []
    now = timezone.now()
    for index in range(OUTCOMES):
        topic = TOPICS[index % len(TOPICS)]
        org = orgs[(index // len(TOPICS)) % len(orgs)]  # every topic has outcomes of every institution
        title, summary, keywords = outcome_text(topic, rng)
        trl = rng.randint(3, 8)
        low = Decimal(rng.choice((30, 50, 80, 120, 200, 500))) * 10000
        negotiable = rng.random() < 0.2
        bri = rng.random() < 0.15
        state = OutcomeState.PUBLISHED if index % 20 else OutcomeState.SUBMITTED
        outcome = Outcome(
            owner=org, region_code=org.region_code, title_zh=title, summary_zh=summary, keywords=keywords,
            title_en=f"{topic.en.capitalize()}: {title}" if bri else "",
            summary_en=f"An outcome in {topic.en} from {org.name}; technology readiness level {trl}." if bri else "",
            industry_code=topic.industry, discipline=topic.discipline, trl=trl,
            patent_numbers=[_patent(rng, rng.randint(2018, 2024))] if rng.random() < 0.8 else [],
            modes=rng.sample([TransferMode.TRANSFER, TransferMode.LICENCE, TransferMode.JOINT, TransferMode.EQUITY],
                             k=rng.randint(1, 3)),
            price_min=None if negotiable else low, price_max=None if negotiable else low * 3, negotiable=negotiable,
            belt_and_road=bri, state=state, submitted_at=now,
            published_at=now - timedelta(days=rng.randint(0, 400)) if state == OutcomeState.PUBLISHED else None)
        rows.append(fill(outcome))
    return Outcome.objects.bulk_create(rows, batch_size=200)


def _needs(rng: random.Random, demo: Enterprise, admin: User) -> None:
    today = timezone.localdate()
    enterprises = list(Enterprise.objects.exclude(pk=demo.pk).order_by("pk")[:38])
    for index, enterprise in enumerate([demo, demo, *enterprises]):
        topic = TOPICS[(index * 7) % len(TOPICS)] if enterprise != demo else TOPICS[(4, 3)[index]]
        title, summary = need_text(topic, rng)
        data = {"title": title, "summary": summary, "industry_code": topic.industry,
                "details": "（保密）现有工艺参数、产能与目标指标详见附件。", "keywords": topic.objects[0],
                "budget": str(rng.choice((50, 100, 200, 300, 500)) * 10000), "min_trl": rng.choice(("", 4, 5, 6)),
                "deadline": (today + timedelta(days=rng.randint(30, 200))).isoformat()}
        actor = admin if enterprise == demo else None
        if actor is None:  # demo enterprises without users: the need is recorded by the system
            from techsme.transfer.models import Need

            need = fill(Need(enterprise=enterprise, region_code=enterprise.region_code, title=title, summary=summary,
                             details=data["details"], keywords=data["keywords"], industry_code=topic.industry,
                             budget=Decimal(data["budget"]), deadline=today + timedelta(days=90)))
            need.save()
            services.match_need(need.pk)
        else:
            need = services.do_save_need(actor=actor, enterprise=enterprise, data=data)
            services.match_need(need.pk)  # also when the caller's transaction never commits (tests, nested seeds)


def _challenges(demo_org: Organisation, agency: Organisation, university: Organisation, users: dict[str, User],
                manager: User | None) -> None:
    today = timezone.localdate()
    awarded = services.do_post_challenge(actor=users["enterprise"], poster=demo_org, data={
        "title": "车载摄像头低照度成像算法揭榜", "industry_code": "C3962", "prize": "300000",
        "problem": "夜间和隧道场景下车载摄像头图像噪声大，影响辅助驾驶识别。",
        "milestones": "1. 算法原型（2个月）；2. 实车验证（4个月）；3. 量产移植（6个月）。",
        "criteria": "夜间目标识别率提升 15% 以上；算力占用不超过 2 TOPS。",
        "deadline": (today + timedelta(days=60)).isoformat()})
    entry = services.do_enter_challenge(actor=users["university"], challenge_id=awarded.pk, solver=university,
                                        proposal="基于多帧融合与深度学习去噪的低照度增强方案，已在公开数据集验证。")
    services.do_close_entries(actor=users["enterprise"], challenge_id=awarded.pk)
    services.do_award_challenge(actor=users["enterprise"], entry_id=entry.pk,
                                acceptance="三个里程碑均已验收：实车夜间识别率提升 18%。")
    if manager is not None:
        services.do_post_challenge(actor=manager, poster=agency, data={
            "title": "城市内涝监测预警关键技术揭榜挂帅", "industry_code": "I6531", "prize": "1000000",
            "problem": "需要低成本的积水深度传感与短时预警模型，覆盖全市易涝点。",
            "milestones": "方案评审、试点部署、全市推广三个阶段。",
            "criteria": "预警提前量不少于 30 分钟；单点设备成本低于 3000 元。",
            "deadline": (today + timedelta(days=120)).isoformat()})


def _contracts(demo: Enterprise, university: Organisation, users: dict[str, User]) -> None:
    last_year = timezone.localdate().year - 1
    valid = timezone.localdate() + timedelta(days=365)
    licence = services.do_submit_contract(actor=users["broker"], seller=university, data={
        "title": "车载定位算法专利独占许可", "buyer_name": demo.name, "buyer_id": demo.organisation_id,
        "category": "licence", "subtype": "patent_exclusive", "industry_code": "C3962",
        "contract_amount": "1200000", "signed_on": date(last_year, 9, 1).isoformat(), "valid_until": valid,
        "patent_numbers": _patent(random.Random(7), 2020), "licence_years": 5})
    services.do_register_contract(actor=users["reviewer"], contract_id=licence.pk, tech_amount="1000000")
    own = services.do_submit_contract(actor=users["enterprise"], seller=demo.organisation, data={
        "title": "车载摄像头防水结构专利权转让", "buyer_name": "东莞市恒通汽车电子有限公司", "category": "transfer",
        "subtype": "patent", "industry_code": "C3962", "contract_amount": "900000",
        "signed_on": date(last_year, 11, 15).isoformat(), "valid_until": valid, "claims_tax_relief": True,
        "patent_numbers": demo.ip_assets.filter(kind="utility_model").values_list("number", flat=True).first()})
    services.do_register_contract(actor=users["reviewer"], contract_id=own.pk, tech_amount="850000")
    services.do_second_review(actor=users["agency_admin"], contract_id=own.pk, approve=True)
    service = services.do_submit_contract(actor=users["university"], seller=university, data={
        "title": "电池安全检测技术服务", "buyer_name": "深圳市锐能电池有限公司", "category": "service",
        "subtype": "solution", "industry_code": "C3841", "contract_amount": "300000",
        "signed_on": date(last_year, 6, 20).isoformat(), "valid_until": valid})
    services.do_register_contract(actor=users["reviewer"], contract_id=service.pk, tech_amount="260000")
    services.do_submit_contract(actor=users["university"], seller=university, data={
        "title": "工业视觉检测系统合作开发", "buyer_name": "深圳市精测智能装备有限公司", "category": "development",
        "subtype": "cooperative", "industry_code": "C3499", "contract_amount": "2400000",
        "signed_on": timezone.localdate().isoformat()})


def seed_transfer() -> dict[str, Any]:
    """Idempotent: does nothing when the demo universities exist or the registry demo is missing."""
    demo = Enterprise.objects.filter(name=DEMO_ENTERPRISE_NAME).select_related("organisation").first()
    if demo is None or Organisation.objects.filter(name=UNIVERSITIES[0][0]).exists():
        return {"created": False}
    rng = random.Random(50)
    with transaction.atomic():
        password = make_password(DEMO_PASSWORD)
        orgs = [Organisation.objects.create(kind=OrgKind.UNIVERSITY, name=name, region_code=region)
                for name, region, _en in UNIVERSITIES]
        university = orgs[0]
        users = {
            "university": _user(UNIVERSITY_USER, "孙教授", university, Role.INSTITUTION_STAFF, password),
            "broker": _user(BROKER_USER, "何经理", university, Role.BROKER, password),
            "enterprise": User.objects.get(username=ENTERPRISE_ADMIN),
            "reviewer": User.objects.get(username=REVIEWER),
            "agency_admin": User.objects.get(username=AGENCY_ADMIN),
        }
        outcomes = _outcomes(orgs, rng)
        returned = next(o for o in outcomes if o.state == OutcomeState.SUBMITTED and o.region_code.startswith("4403"))
        services.do_return_outcome(actor=users["reviewer"], outcome_id=returned.pk,
                                   note="请补充技术指标和专利法律状态。")
    _needs(rng, demo, users["enterprise"])
    agency = Organisation.objects.get(name="深圳市科学技术局")
    agency_admin = User.objects.filter(memberships__organisation=agency, memberships__role=Role.AGENCY_ADMIN).first()
    _challenges(demo.organisation, agency, university, users, agency_admin)
    _contracts(demo, university, users)
    services.do_submit_product(actor=users["enterprise"], enterprise=demo, data={
        "name": "星衡多传感器融合车载定位终端",
        "description": "厘米级定位，支持北斗三号与惯导融合，适用于网约车和物流车队。",
        "industry_code": "C3962", "price": "3800"})
    return {"created": True, "outcomes": len(outcomes)}
