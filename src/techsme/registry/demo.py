"""Deterministic demo data: synthetic enterprises with three years of facts and IP, demo organisations and users.

``seed_demo(enterprises=2000, seed=42)`` always builds the same data for the same seed (and the same current
year): enterprises across Guangdong (Shenzhen, Guangzhou), Zhejiang (Hangzhou) and Sichuan (Chengdu) with valid
USCCs and real county codes, mostly technology industries plus some excluded ones (retail, real estate), log-normal
revenue, plausible R&D ratios, staff and IP, a few deliberate edge cases, and one demo user per role.
Everything is written with bulk operations in one transaction, with one audit event ``registry.seed_demo``
(actor: the system).
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from techsme import refdata
from techsme.accounts.models import Membership, Organisation, User
from techsme.accounts.roles import AgencyLevel, OrgKind, Role
from techsme.core import audit
from techsme.core.identifiers import make_uscc
from techsme.registry.models import CLASS_I_KINDS, AnnualFacts, Enterprise, IPAsset, IPKind

DEMO_PASSWORD = "demo-pass-2026"
SUPERUSER = "admin"
ENTERPRISE_ADMIN = "enterprise-admin"
ENTERPRISE_MEMBER = "enterprise-member"
REVIEWER = "reviewer"
REVIEWER_GZ = "reviewer-gz"
MANAGER = "manager"
AGENCY_ADMIN = "agency-admin"
PROVIDER = "provider"
BANK = "bank"
EXPERT = "expert"
# username → role (the superuser has no membership).
DEMO_USERS: dict[str, str] = {
    ENTERPRISE_ADMIN: Role.ENTERPRISE_ADMIN,
    ENTERPRISE_MEMBER: Role.ENTERPRISE_MEMBER,
    REVIEWER: Role.AGENCY_REVIEWER,
    MANAGER: Role.PROGRAMME_MANAGER,
    AGENCY_ADMIN: Role.AGENCY_ADMIN,
    PROVIDER: Role.PROVIDER_STAFF,
    BANK: Role.BANK_OFFICER,
    EXPERT: Role.EXPERT,
    REVIEWER_GZ: Role.AGENCY_REVIEWER,
}
DEMO_USERNAMES = (SUPERUSER, *DEMO_USERS)

DEMO_ENTERPRISE_NAME = "深圳市星衡智能科技有限公司"
DEMO_ENTERPRISE_REGION = "440305"  # 深圳市南山区
DEMO_ENTERPRISE_INDUSTRY = "C3962"  # 智能车载设备制造

# city → (name prefix, share of the enterprises); county codes come from refdata.
CITIES = {"4403": ("深圳", 0.35), "4401": ("广州", 0.20), "3301": ("杭州", 0.25), "5101": ("成都", 0.20)}
# industry class prefix → (share, name suffixes)
SECTORS: dict[str, tuple[float, tuple[str, ...]]] = {
    "C39": (0.30, ("电子科技", "智能科技", "科技", "微电子")),
    "C35": (0.14, ("智能装备", "机械科技", "自动化科技")),
    "C27": (0.10, ("生物科技", "医药科技", "生物医药")),
    "I65": (0.30, ("信息技术", "软件", "网络科技", "数据科技")),
    "M73": (0.08, ("科技", "技术研究", "检测技术")),
    "F52": (0.05, ("商贸", "贸易")),
    "K70": (0.03, ("置业", "房地产开发")),
}
EXCLUDED_SECTORS = ("F52", "K70")
WORD_CHARS = (
    "华创智芯联达通信源瑞博锐星海云天恒盛泰宇辰微光数维视新峰睿晶迅捷远航安和诚立鼎宏佳卓越凯启拓聚普益康健"
    "禾丰合众领先景弘中晟明昊嘉誉图灵德鸿沃"
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉鹏宇浩然思雨欣怡子轩梓涵"
ROADS = ("科技园路", "高新南一道", "创新大道", "软件园路", "科苑路", "学府路", "天府大道", "文一西路", "江南大道")
PATENT_TOPICS = (
    "图像识别", "电池管理", "数据压缩", "信号处理", "精密定位", "温度控制", "故障诊断", "路径规划", "语音增强",
    "药物缓释", "细胞培养", "蛋白纯化", "激光切割", "视觉检测", "传感器标定", "边缘计算", "无线组网",
)
SOFTWARE_TOPICS = ("智能运维平台", "数据分析系统", "设备管理系统", "物联网监控平台", "质量追溯系统", "客户服务平台")

TWO_PLACES = Decimal("0.01")


@dataclass
class SeedReport:
    created: bool
    message: str
    enterprises: int = 0
    facts: int = 0
    ip_assets: int = 0
    users: int = 0
    edge_cases: dict[str, str] = field(default_factory=dict)  # description → USCC


def tax_years(today: date | None = None) -> list[int]:
    """The last three completed tax years (2023, 2024, 2025 in 2026)."""
    year = (today or date.today()).year
    return [year - 3, year - 2, year - 1]


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _weighted(rng: random.Random, options: dict[str, Any], weight: Any) -> str:
    keys = list(options)
    return rng.choices(keys, weights=[weight(options[k]) for k in keys])[0]


def _counties() -> dict[str, list[str]]:
    regions = refdata.regions()
    out = {}
    for city in CITIES:
        out[city] = sorted(r.code for r in regions.values() if r.parent == city and r.level == "county")
    return out


def _industries() -> dict[str, list[str]]:
    classes = refdata.industry_classes()
    return {prefix: sorted(c for c in classes if c.startswith(prefix)) for prefix in SECTORS}


class _Generator:
    def __init__(self, seed: int, today: date):
        self.rng = random.Random(seed)
        self.today = today
        self.years = tax_years(today)
        self.counties = _counties()
        self.industries = _industries()
        self.names: set[str] = set()
        self.ip_serial = self.rng.randrange(100_000, 900_000)

    # -- identity --
    def name(self, city: str, sector: str) -> str:
        prefix = CITIES[city][0]
        suffixes = SECTORS[sector][1]
        for attempt in range(200):
            size = 2 if attempt < 100 else 3
            word = "".join(self.rng.choice(WORD_CHARS) for _ in range(size))
            if len(set(word)) < size:
                continue
            name = f"{prefix}{word}{self.rng.choice(suffixes)}有限公司"
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("could not invent a unique enterprise name")

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def enterprise(self, index: int) -> tuple[Enterprise, str]:
        rng = self.rng
        city = _weighted(rng, CITIES, lambda v: v[1])
        sector = _weighted(rng, SECTORS, lambda v: v[0])
        region = rng.choice(self.counties[city])
        industry = rng.choice(self.industries[sector])
        founded_year = min(self.years[-1], 1998 + int(rng.betavariate(3, 1.6) * 27))
        founded = date(founded_year, 1, 1) + timedelta(days=rng.randrange(365))
        founded = min(founded, date(self.years[-1], 12, 31))
        enterprise = Enterprise(
            uscc=make_uscc(region, 10_000_000 + index * 37),
            name=self.name(city, sector),
            region_code=region,
            industry_code=industry,
            founded_on=founded,
            address=f"{refdata.region_name(region)}{rng.choice(ROADS)}{rng.randrange(1, 400)}号",
            contact_name=self.person(),
            contact_phone=f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
            contact_email=f"contact{index}@example.cn",
        )
        return enterprise, sector

    # -- IP --
    def ip_assets(self, enterprise: Enterprise, sector: str, strength: float) -> list[IPAsset]:
        rng = self.rng
        if sector in EXCLUDED_SECTORS:
            count = rng.choice((0, 0, 0, 1))
        else:
            count = min(40, int(rng.expovariate(1 / (1 + 6 * strength))))
        if sector == "I65":
            kinds = {IPKind.SOFTWARE_COPYRIGHT: 6, IPKind.INVENTION_PATENT: 2, IPKind.UTILITY_MODEL: 1}
        elif sector == "C27":
            kinds = {IPKind.INVENTION_PATENT: 6, IPKind.UTILITY_MODEL: 2, IPKind.NEW_DRUG: 1}
        elif sector in EXCLUDED_SECTORS:
            kinds = {IPKind.DESIGN: 2, IPKind.SOFTWARE_COPYRIGHT: 1}
        else:
            kinds = {IPKind.INVENTION_PATENT: 3, IPKind.UTILITY_MODEL: 5, IPKind.DESIGN: 1,
                     IPKind.SOFTWARE_COPYRIGHT: 2}
            if enterprise.industry_code.startswith("C397"):
                kinds[IPKind.IC_LAYOUT] = 2
        assets = []
        start = max(enterprise.founded_on, date(2010, 1, 1))
        span = max(1, (self.today - timedelta(days=30) - start).days)
        for _ in range(count):
            kind = _weighted(rng, kinds, lambda w: w)
            granted = start + timedelta(days=rng.randrange(span))
            status = IPAsset.Status.VALID if rng.random() < 0.92 else IPAsset.Status.EXPIRED
            assets.append(IPAsset(
                enterprise=enterprise, kind=kind, number=self.ip_number(kind, granted), title=self.ip_title(kind),
                granted_on=granted, status=status, related_to_main_products=rng.random() < 0.9,
            ))
        return assets

    def ip_number(self, kind: str, granted: date) -> str:
        self.ip_serial += 1
        serial = self.ip_serial
        filed = granted.year - (2 if kind == IPKind.INVENTION_PATENT else 1)
        if kind in (IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL, IPKind.DESIGN):
            kind_digit = {IPKind.INVENTION_PATENT: "1", IPKind.UTILITY_MODEL: "2", IPKind.DESIGN: "3"}[kind]
            body = f"{filed}{kind_digit}{serial:07d}"
            return f"ZL{body}.{_patent_check(body)}"
        if kind == IPKind.SOFTWARE_COPYRIGHT:
            return f"{granted.year}SR{serial:07d}"
        if kind == IPKind.IC_LAYOUT:
            return f"BS.{filed % 100:02d}5{serial:05d}"
        if kind == IPKind.NEW_DRUG:
            return f"国药准字H{filed}{serial % 10000:04d}"
        return f"{kind.upper()}-{serial}"

    def ip_title(self, kind: str) -> str:
        rng = self.rng
        if kind == IPKind.SOFTWARE_COPYRIGHT:
            return f"{rng.choice(SOFTWARE_TOPICS)}V{rng.randrange(1, 6)}.0"
        if kind == IPKind.DESIGN:
            product = rng.choice(("控制器", "检测仪", "终端", "外壳", "包装盒"))
            return f"{product}（{rng.choice(('A1', 'B2', 'S', 'Pro'))}）"
        if kind == IPKind.NEW_DRUG:
            return f"{rng.choice(('注射用', '口服'))}{rng.choice(('重组蛋白', '缓释片', '单抗'))}制剂"
        if kind == IPKind.IC_LAYOUT:
            return f"{rng.choice(('低功耗', '高精度', '高速'))}{rng.choice(('ADC', '电源管理', '射频'))}芯片版图"
        return f"一种基于{rng.choice(PATENT_TOPICS)}的{rng.choice(('方法', '装置', '系统'))}"

    # -- facts --
    def facts(self, enterprise: Enterprise, sector: str, strength: float, assets: list[IPAsset]) -> list[AnnualFacts]:
        """Three years of facts; ``strength`` (0–1) drives tech staff, R&D and IP."""
        rng = self.rng
        excluded = sector in EXCLUDED_SECTORS
        employees = int(min(2000, max(3, rng.lognormvariate(math.log(60), 0.9))))
        if rng.random() < 0.05:
            employees = rng.randrange(501, 1800)
        revenue = rng.lognormvariate(math.log(employees * 450_000), 0.6)
        tech_share = 0.02 + 0.7 * strength * rng.random() if not excluded else rng.uniform(0.0, 0.08)
        rd_ratio = (0.005 + 0.16 * strength * rng.random()) if not excluded else rng.uniform(0.0, 0.01)
        margin = rng.uniform(-0.08, 0.18)
        assets_ratio = rng.uniform(0.5, 1.6)
        hnte = not excluded and strength > 0.6 and rng.random() < 0.25
        flags = {
            "national_award_top3_5y": not excluded and rng.random() < 0.004,
            "provincial_rd_institution": not excluded and strength > 0.5 and rng.random() < 0.04,
            "led_standard_5y": not excluded and rng.random() < 0.02,
            "major_accident": rng.random() < 0.004,
            "serious_dishonesty": rng.random() < 0.006,
            "abnormal_operation_listed": rng.random() < 0.01,
            "audited_books": rng.random() < 0.97,
        }
        ic = enterprise.industry_code.startswith("C397") or enterprise.industry_code == "I6520"
        out = []
        for year in self.years:
            if year < enterprise.founded_on.year:
                continue
            growth = rng.lognormvariate(0.08, 0.15)
            employees = max(3, int(employees * rng.uniform(0.92, 1.12)))
            tech_staff = min(employees, int(round(employees * tech_share)))
            revenue *= growth
            cost = revenue * (1 - margin) * rng.uniform(0.97, 1.03)
            rd = min(revenue * rd_ratio * rng.uniform(0.9, 1.1), cost * 0.9)
            core = rd * rng.uniform(0.80, 0.93)
            other = rd * rng.uniform(0.0, 0.05)
            class1 = sum(1 for a in assets if a.counts_in(year) and a.kind in CLASS_I_KINDS)
            class2 = sum(1 for a in assets if a.counts_in(year) and a.kind not in CLASS_I_KINDS)
            values: dict[str, Any] = {
                "employees": employees,
                "tech_staff": tech_staff,
                "revenue": _money(revenue),
                "total_cost_expense": _money(cost),
                "total_assets": _money(revenue * assets_ratio),
                "rd_expense": _money(rd),
                "avg_headcount": _money(employees * rng.uniform(0.9, 1.0)) if rng.random() < 0.5 else None,
                "avg_total_assets": None,
                "taxable_income_before_incentives": _money(revenue - cost),
                "rd_core_expense": _money(core),
                "rd_other_expense": _money(other),
                "rd_commissioned_domestic": _money(rd * 0.08) if rng.random() < 0.2 else Decimal("0.00"),
                "rd_commissioned_foreign": Decimal("0.00"),
                "rd_intangible_amortization": Decimal("0.00"),
                "excluded_industry_revenue_share": None,
                "ic_or_machine_tool": True if ic else None,
                "ip_class1": class1,
                "ip_class2": class2,
                "hnte_certificate_valid": hnte,
                "tech_sme_registered": None,
                "restricted_industry": False,
                "resident": True,
                "tech_transfer_income": _money(revenue * 0.02) if rng.random() < 0.04 else None,
                **flags,
            }
            out.append(AnnualFacts(enterprise=enterprise, tax_year=year, **values))
        return out


def _patent_check(body: str) -> str:
    """Check digit of a Chinese patent application number (weights 2–9 repeating, mod 11, 10 → X)."""
    weights = [2, 3, 4, 5, 6, 7, 8, 9]
    total = sum(int(c) * weights[i % 8] for i, c in enumerate(body))
    check = total % 11
    return "X" if check == 10 else str(check)


def _demo_enterprise(gen: _Generator) -> tuple[Enterprise, list[AnnualFacts], list[IPAsset]]:
    """The enterprise of the demo enterprise users: complete facts for every year, several IP assets."""
    enterprise = Enterprise(
        uscc=make_uscc(DEMO_ENTERPRISE_REGION, 9_000_001), name=DEMO_ENTERPRISE_NAME,
        region_code=DEMO_ENTERPRISE_REGION, industry_code=DEMO_ENTERPRISE_INDUSTRY, founded_on=date(2016, 5, 18),
        address="广东省 深圳市 南山区 高新南一道 9号", contact_name="林思雨", contact_phone="13800138000",
        contact_email="contact@xingheng.example.cn",
    )
    gen.names.add(DEMO_ENTERPRISE_NAME)
    assets = []
    for kind, granted, title in (
        (IPKind.INVENTION_PATENT, date(2019, 9, 3), "一种基于多传感器融合的车载定位方法"),
        (IPKind.INVENTION_PATENT, date(2022, 4, 12), "一种智能座舱语音增强装置"),
        (IPKind.UTILITY_MODEL, date(2020, 6, 30), "一种车载摄像头防水结构"),
        (IPKind.UTILITY_MODEL, date(2023, 2, 14), "一种车载控制器散热装置"),
        (IPKind.SOFTWARE_COPYRIGHT, date(2021, 11, 8), "星衡车载终端管理平台V2.0"),
        (IPKind.SOFTWARE_COPYRIGHT, date(2024, 7, 1), "星衡驾驶行为分析系统V1.0"),
    ):
        assets.append(IPAsset(enterprise=enterprise, kind=kind, number=gen.ip_number(kind, granted), title=title,
                              granted_on=granted))
    facts = []
    for i, year in enumerate(gen.years):
        employees = 86 + 12 * i
        revenue = Decimal(36_500_000 + 7_800_000 * i)
        rd = (revenue * Decimal("0.072")).quantize(TWO_PLACES)
        cost = (revenue * Decimal("0.88")).quantize(TWO_PLACES)
        facts.append(AnnualFacts(
            enterprise=enterprise, tax_year=year, employees=employees, tech_staff=int(employees * 0.38),
            revenue=revenue, total_cost_expense=cost, total_assets=(revenue * Decimal("1.1")).quantize(TWO_PLACES),
            rd_expense=rd, avg_headcount=Decimal(employees - 3), avg_total_assets=None,
            taxable_income_before_incentives=revenue - cost, rd_core_expense=(rd * Decimal("0.9")).quantize(TWO_PLACES),
            rd_other_expense=(rd * Decimal("0.05")).quantize(TWO_PLACES), rd_commissioned_domestic=Decimal("300000.00"),
            rd_commissioned_foreign=Decimal("0.00"), rd_intangible_amortization=Decimal("0.00"),
            excluded_industry_revenue_share=None, ic_or_machine_tool=None,
            ip_class1=sum(1 for a in assets if a.counts_in(year) and a.kind in CLASS_I_KINDS),
            ip_class2=sum(1 for a in assets if a.counts_in(year) and a.kind not in CLASS_I_KINDS),
            tech_transfer_income=None,
        ))
    return enterprise, facts, assets


def _edge_cases(gen: _Generator, rows: list[tuple[Enterprise, str, list[AnnualFacts]]]) -> dict[str, str]:
    """Turn the first enterprises with a full set of years into the documented edge cases (latest year)."""
    latest = gen.years[-1]
    candidates = [(e, s, f) for e, s, f in rows if s not in EXCLUDED_SECTORS and len(f) == len(gen.years)]
    out: dict[str, str] = {}

    def take(description: str, change: Any) -> None:
        if not candidates:
            return
        enterprise, _sector, facts = candidates.pop(0)
        year_facts = next(f for f in facts if f.tax_year == latest)
        change(enterprise, year_facts)
        out[description] = enterprise.uscc

    def staff_10pct(e: Enterprise, f: AnnualFacts) -> None:
        f.employees, f.tech_staff, f.avg_headcount = 100, 10, None

    def rd_6pct(e: Enterprise, f: AnnualFacts) -> None:
        f.revenue, f.rd_expense = Decimal("50000000.00"), Decimal("3000000.00")
        f.total_cost_expense = Decimal("45000000.00")
        f.rd_core_expense, f.rd_other_expense = Decimal("2700000.00"), Decimal("150000.00")
        f.taxable_income_before_incentives = f.revenue - f.total_cost_expense

    def employees_501(e: Enterprise, f: AnnualFacts) -> None:
        f.employees, f.tech_staff, f.avg_headcount = 501, 160, None

    def revenue_2yi(e: Enterprise, f: AnnualFacts) -> None:
        f.revenue, f.total_cost_expense = Decimal("200000000.00"), Decimal("180000000.00")
        f.rd_expense = Decimal("14000000.00")
        f.rd_core_expense, f.rd_other_expense = Decimal("12600000.00"), Decimal("700000.00")
        f.total_assets = Decimal("150000000.00")
        f.taxable_income_before_incentives = f.revenue - f.total_cost_expense

    def dishonest(e: Enterprise, f: AnnualFacts) -> None:
        f.serious_dishonesty = True

    def qualifying(e: Enterprise, f: AnnualFacts) -> None:
        f.employees, f.tech_staff, f.avg_headcount = 120, 48, None
        f.revenue, f.total_cost_expense, f.total_assets = (
            Decimal("30000000.00"), Decimal("26000000.00"), Decimal("28000000.00"))
        f.rd_expense, f.rd_core_expense, f.rd_other_expense = (
            Decimal("2400000.00"), Decimal("2100000.00"), Decimal("100000.00"))
        f.ip_class1 = max(f.ip_class1 or 0, 1)
        f.taxable_income_before_incentives = f.revenue - f.total_cost_expense
        f.serious_dishonesty = f.major_accident = f.abnormal_operation_listed = False
        f.audited_books = True

    def failing(e: Enterprise, f: AnnualFacts) -> None:
        f.employees, f.tech_staff, f.avg_headcount = 80, 4, None
        f.rd_expense, f.rd_core_expense, f.rd_other_expense = (
            (f.revenue * Decimal("0.01")).quantize(TWO_PLACES), Decimal("0.00"), Decimal("0.00"))
        f.hnte_certificate_valid = f.national_award_top3_5y = False
        f.provincial_rd_institution = f.led_standard_5y = False

    take("tech staff exactly 10%", staff_10pct)
    take("R&D ratio exactly 6%", rd_6pct)
    take("501 employees", employees_501)
    take("revenue exactly 2亿", revenue_2yi)
    take("serious dishonesty", dishonest)
    take("clearly qualifying", qualifying)
    take("clearly not qualifying", failing)
    excluded = next(((e, f) for e, s, f in rows if s in EXCLUDED_SECTORS and f), None)
    if excluded:
        out["excluded industry"] = excluded[0].uscc
    return out


def _organisations_and_users(demo_org: Organisation) -> int:
    """Demo organisations and one user per role (existing usernames are left alone). Returns users created."""
    sz = Organisation.objects.create(kind=OrgKind.AGENCY, name="深圳市科学技术局", level=AgencyLevel.CITY,
                                     region_code="440300")
    gd = Organisation.objects.create(kind=OrgKind.AGENCY, name="广东省科学技术厅", level=AgencyLevel.PROVINCE,
                                     region_code="440000")
    gz = Organisation.objects.create(kind=OrgKind.AGENCY, name="广州市科学技术局", level=AgencyLevel.CITY,
                                     region_code="440100")
    Organisation.objects.create(kind=OrgKind.AGENCY, name="杭州市科学技术局", level=AgencyLevel.CITY,
                                region_code="330100")
    Organisation.objects.create(kind=OrgKind.AGENCY, name="成都市科学技术局", level=AgencyLevel.CITY,
                                region_code="510100")
    provider = Organisation.objects.create(kind=OrgKind.PROVIDER, name="深圳市计量质量检测研究院",
                                           region_code="440305")
    bank = Organisation.objects.create(kind=OrgKind.BANK, name="招商银行深圳分行", region_code="440304")
    institute = Organisation.objects.create(kind=OrgKind.PROVIDER, name="深圳先进技术研究院专家库",
                                            region_code="440305")
    where = {
        ENTERPRISE_ADMIN: (demo_org, "林思雨"), ENTERPRISE_MEMBER: (demo_org, "陈子轩"),
        REVIEWER: (sz, "王建文"), MANAGER: (gd, "黄敏"), AGENCY_ADMIN: (sz, "刘洋"),
        PROVIDER: (provider, "赵静"), BANK: (bank, "周磊"), EXPERT: (institute, "郑教授"),
        REVIEWER_GZ: (gz, "梁芳"),
    }
    password = make_password(DEMO_PASSWORD)  # one hash for every demo user: seeding stays fast
    created = 0
    if not User.objects.filter(username=SUPERUSER).exists():
        User.objects.create(username=SUPERUSER, password=password, is_staff=True, is_superuser=True,
                            display_name="系统管理员", email="admin@example.cn")
        created += 1
    for username, role in DEMO_USERS.items():
        if User.objects.filter(username=username).exists():
            continue
        organisation, display = where[username]
        user = User.objects.create(username=username, password=password, display_name=display,
                                   is_staff=username == AGENCY_ADMIN, email=f"{username}@example.cn")
        Membership.objects.create(user=user, organisation=organisation, role=role)
        created += 1
    return created


def seed_demo(*, enterprises: int = 2000, seed: int = 42, today: date | None = None) -> SeedReport:
    """Build the demo data set (refused, doing nothing, when the registry already holds enterprises)."""
    if Enterprise.objects.exists():
        return SeedReport(created=False, message="The registry already holds enterprises; demo data not seeded.")
    gen = _Generator(seed, today or date.today())
    demo, demo_facts, demo_assets = _demo_enterprise(gen)
    rows: list[tuple[Enterprise, str, list[AnnualFacts]]] = []
    all_assets: list[IPAsset] = list(demo_assets)
    for index in range(1, max(0, enterprises - 1) + 1):
        enterprise, sector = gen.enterprise(index)
        strength = gen.rng.betavariate(2.2, 1.6) if sector not in EXCLUDED_SECTORS else 0.05
        assets = gen.ip_assets(enterprise, sector, strength)
        rows.append((enterprise, sector, gen.facts(enterprise, sector, strength, assets)))
        all_assets.extend(assets)
    edge = _edge_cases(gen, rows)
    with transaction.atomic():
        demo_org = Organisation.objects.create(kind=OrgKind.ENTERPRISE, name=DEMO_ENTERPRISE_NAME,
                                               region_code=DEMO_ENTERPRISE_REGION)
        demo.organisation = demo_org
        all_enterprises = [demo, *(e for e, _s, _f in rows)]
        Enterprise.objects.bulk_create(all_enterprises, batch_size=500)
        if any(e.pk is None for e in all_enterprises):  # backends without RETURNING
            ids = dict(Enterprise.objects.values_list("uscc", "pk"))
            for e in all_enterprises:
                e.pk = ids[e.uscc]
        facts = [*demo_facts, *(f for _e, _s, fs in rows for f in fs)]
        for f in facts:
            f.enterprise_id = f.enterprise.pk
        for a in all_assets:
            a.enterprise_id = a.enterprise.pk
        AnnualFacts.objects.bulk_create(facts, batch_size=500)
        IPAsset.objects.bulk_create(all_assets, batch_size=500)
        users = _organisations_and_users(demo_org)
        summary = {"seed": seed, "enterprises": len(all_enterprises), "facts": len(facts),
                   "ip_assets": len(all_assets), "users": users, "years": gen.years}
        audit.record(actor=None, verb="registry.seed_demo", obj=demo, changes=summary)
    return SeedReport(
        created=True, message="Demo data seeded.", enterprises=len(all_enterprises), facts=len(facts),
        ip_assets=len(all_assets), users=users, edge_cases=edge,
    )


DEMO_SIZE = 2000
DEMO_SEED = 42


def seed_base_demo() -> bool:
    """The base demo for ``techsme setup --demo``: 2,000 enterprises into an empty registry. True when the database
    holds the demo (loaded now or before); False when it has enterprises of its own (then nothing else is loaded)."""
    from django.core.management import call_command

    from techsme.registry.models import Enterprise

    if not Enterprise.objects.exists():
        call_command("seed_demo", enterprises=DEMO_SIZE, seed=DEMO_SEED)
        return True
    return Enterprise.objects.filter(name=DEMO_ENTERPRISE_NAME).exists()
