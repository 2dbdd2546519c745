"""Demo instruments (deterministic, idempotent): a few dozen instruments of providers in Shenzhen, Guangzhou,
Hangzhou and Chengdu, last year's usage (so the statistics have figures) and a few upcoming bookings.

The demo provider user ``provider`` works for 深圳市计量质量检测研究院 (see ``registry/demo.py``), which owns the
Shenzhen instruments; the demo enterprise (深圳市星衡智能科技有限公司) is the main external user.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from techsme.accounts.models import Organisation, User
from techsme.accounts.roles import OrgKind
from techsme.core import audit
from techsme.core.search import fill
from techsme.instruments.models import (
    Booking,
    BookingStatus,
    FeeUnit,
    Instrument,
    UsageRecord,
)
from techsme.instruments.services import compute_charge

DEMO_PROVIDER_NAME = "深圳市计量质量检测研究院"
DEMO_ENTERPRISE_NAME = "深圳市星衡智能科技有限公司"
PROVIDERS = [  # name, region, address
    (DEMO_PROVIDER_NAME, "440305", "深圳市南山区科技园路 8 号"),
    ("广州分析测试中心", "440106", "广州市天河区先烈中路 100 号"),
    ("浙江大学分析测试中心", "330106", "杭州市西湖区余杭塘路 866 号"),
    ("四川大学分析测试中心", "510107", "成都市武侯区一环路南一段 24 号"),
]


@dataclass(frozen=True)
class Model:
    zh: str
    en: str
    category: str
    maker: str
    model: str
    value_wan: int
    unit: str
    fee_ext: int
    specs: str
    services: str


MODELS = [
    Model("液相色谱质谱联用仪", "Liquid chromatography–mass spectrometer", "0101", "Agilent", "6545 Q-TOF", 420,
          FeeUnit.SAMPLE, 600, "分辨率 ≥ 40000；质量范围 20–10000 m/z", "药物代谢物鉴定、非靶向筛查"),
    Model("气相色谱质谱联用仪", "Gas chromatograph–mass spectrometer", "0101", "Thermo Fisher", "ISQ 7000", 180,
          FeeUnit.SAMPLE, 400, "EI/CI 源；质量范围 1.2–1100 u", "挥发性有机物定性定量"),
    Model("电感耦合等离子体质谱仪", "Inductively coupled plasma mass spectrometer (ICP-MS)", "0101", "PerkinElmer",
          "NexION 2000", 260, FeeUnit.SAMPLE, 350, "检出限 ppt 级", "痕量元素分析"),
    Model("高效液相色谱仪", "High-performance liquid chromatograph", "0102", "Waters", "Alliance e2695", 65,
          FeeUnit.SAMPLE, 200, "四元梯度泵；紫外/荧光检测器", "纯度与含量测定"),
    Model("气相色谱仪", "Gas chromatograph", "0102", "Shimadzu", "GC-2030", 58, FeeUnit.SAMPLE, 150,
          "FID/ECD 检测器", "有机溶剂残留检测"),
    Model("傅里叶变换红外光谱仪", "Fourier-transform infrared spectrometer", "0103", "Bruker", "INVENIO S", 75,
          FeeUnit.SAMPLE, 120, "波数范围 8000–350 cm⁻¹", "官能团鉴定"),
    Model("激光共聚焦拉曼光谱仪", "Confocal Raman spectrometer", "0103", "Horiba", "LabRAM HR Evolution", 230,
          FeeUnit.HOUR, 500, "激发波长 532/633/785 nm", "材料结构表征"),
    Model("场发射扫描电镜", "Field-emission scanning electron microscope", "0104", "Zeiss", "Sigma 300", 480,
          FeeUnit.HOUR, 600, "分辨率 1.2 nm @ 15 kV；配能谱仪", "形貌观察与成分分析"),
    Model("透射电子显微镜", "Transmission electron microscope", "0104", "JEOL", "JEM-F200", 1250, FeeUnit.HOUR, 1200,
          "点分辨率 0.19 nm", "晶体结构与缺陷分析"),
    Model("核磁共振波谱仪", "Nuclear magnetic resonance spectrometer (400 MHz)", "0105", "Bruker", "AVANCE NEO 400",
          520, FeeUnit.SAMPLE, 300, "400 MHz；宽带探头", "有机结构鉴定"),
    Model("X射线衍射仪", "X-ray diffractometer", "0106", "Rigaku", "SmartLab 9kW", 320, FeeUnit.HOUR, 350,
          "Cu 靶；9 kW 转靶", "物相分析、薄膜掠入射"),
    Model("同步热分析仪", "Simultaneous thermal analyser", "0108", "NETZSCH", "STA 449 F5", 90, FeeUnit.SAMPLE, 260,
          "室温–1600 ℃", "热稳定性与相变分析"),
    Model("流式细胞仪", "Flow cytometer", "0503", "BD", "FACSCelesta", 150, FeeUnit.HOUR, 300, "三激光十二色",
          "细胞表型与凋亡检测"),
    Model("万能材料试验机", "Universal testing machine", "0201", "Instron", "5982", 110, FeeUnit.HOUR, 260,
          "最大载荷 100 kN", "拉伸、压缩、弯曲试验"),
    Model("激光粒度分析仪", "Laser particle size analyser", "0203", "Malvern", "Mastersizer 3000", 68,
          FeeUnit.SAMPLE, 100, "测量范围 0.01–3500 μm", "粉体粒径分布"),
    Model("三坐标测量机", "Coordinate measuring machine", "0301", "Hexagon", "Global S", 150, FeeUnit.HOUR, 400,
          "测量精度 1.5 μm", "精密零件尺寸检测"),
    Model("矢量网络分析仪", "Vector network analyser", "0404", "Keysight", "N5247B", 260, FeeUnit.HOUR, 450,
          "10 MHz–67 GHz", "射频器件 S 参数测试"),
    Model("电磁兼容测试系统", "EMC test system", "0402", "Rohde & Schwarz", "ESW44", 850, FeeUnit.HOUR, 900,
          "10 m 法电波暗室", "电磁兼容预测试与认证测试"),
    Model("工业CT检测系统", "Industrial CT system", "0901", "Waygate", "phoenix v|tome|x m", 720, FeeUnit.HOUR, 800,
          "最高 300 kV；体素 2 μm", "无损检测与缺陷分析"),
    Model("原子力显微镜", "Atomic force microscope", "0110", "Bruker", "Dimension Icon", 210, FeeUnit.HOUR, 450,
          "噪声 < 30 pm", "表面形貌与力学性能"),
]


def _organisations() -> list[Organisation]:
    out = []
    for name, region, _address in PROVIDERS:
        org = Organisation.objects.filter(kind=OrgKind.PROVIDER, name=name).first()
        if org is None:
            org = Organisation.objects.create(kind=OrgKind.PROVIDER, name=name, region_code=region)
        out.append(org)
    return out


def seed_instruments(seed: int = 42, today: datetime | None = None) -> int:
    """Create the demo instruments, usage and bookings once (nothing when they exist). Returns instruments created."""
    rng = random.Random(seed)
    now = today or timezone.now()
    with transaction.atomic():
        owners = _organisations()
        if Instrument.objects.filter(owner__in=owners).exists():
            return 0
        created: list[Instrument] = []
        for index, (owner, (_name, region, address)) in enumerate(zip(owners, PROVIDERS, strict=True)):
            picks = MODELS if index == 0 else rng.sample(MODELS, 8)
            for m in picks:
                fee_ext = Decimal(m.fee_ext)
                instrument = Instrument(
                    owner=owner, name_zh=m.zh, name_en=m.en, category_code=m.category, model_number=m.model,
                    manufacturer=m.maker, purchase_value=Decimal(m.value_wan * 10000),
                    purchase_date=(now - timedelta(days=rng.randint(400, 3000))).date(), region_code=region,
                    address=address, contact_name="仪器共享办公室",
                    contact_phone=f"0755-2600{rng.randint(0, 9999):04d}",
                    contact_email="share@example.cn", specs=m.specs, services=m.services,
                    sample_requirements="样品需提前预约并附检测委托单；有毒有害样品请事先说明。",
                    fee_unit=m.unit, fee_external=fee_ext, fee_internal=(fee_ext * Decimal("0.5")).quantize(Decimal(1)),
                    opening_hours="周一至周五 9:00–17:30", operators="专职机组人员 2 名",
                    qualification_requirements="自主上机须参加培训并通过考核。",
                    auto_approve=rng.random() < 0.25, lead_time_hours=24, buffer_minutes=rng.choice([0, 15, 30]),
                    min_duration_minutes=30, max_duration_minutes=480,
                    quota_hours_per_month=Decimal(40) if rng.random() < 0.3 else None,
                )
                fill(instrument)
                created.append(instrument)
        Instrument.objects.bulk_create(created)  # the SQLite search triggers fire per row
        if any(i.pk is None for i in created):
            created = list(Instrument.objects.filter(owner__in=owners))
        _usage_and_bookings(rng, created, now)
        audit.record(actor=None, verb="instruments.seed_demo", obj=created[0], changes={"instruments": len(created)})
    return len(created)


def _usage_and_bookings(rng: random.Random, instruments: list[Instrument], now: datetime) -> None:
    enterprise = Organisation.objects.filter(kind=OrgKind.ENTERPRISE, name=DEMO_ENTERPRISE_NAME).first()
    users = list(User.objects.filter(memberships__organisation=enterprise)[:1]) if enterprise else []
    clients = list(Organisation.objects.filter(kind=OrgKind.ENTERPRISE).order_by("pk")[:30])
    last_year = timezone.localdate(now).year - 1
    usage: list[UsageRecord] = []
    for instrument in instruments:
        sessions = rng.randint(20, 260)
        external_share = rng.uniform(0.05, 0.4)
        for _ in range(sessions):
            day = datetime(last_year, 1, 1) + timedelta(days=rng.randint(0, 364))
            start = timezone.make_aware(day.replace(hour=rng.choice([9, 10, 13, 14])))
            end = start + timedelta(hours=rng.choice([2, 3, 4, 6]))
            external = bool(clients) and rng.random() < external_share
            org = rng.choice(clients) if external else instrument.owner
            samples = rng.randint(1, 12)
            charge = compute_charge(instrument, org.pk, start, end, samples)
            usage.append(UsageRecord(
                instrument=instrument, organisation=org, operator="机组人员", start=start, end=end, samples=samples,
                external=charge.external, fee_unit=charge.fee_unit, rate=charge.rate, charge=charge.amount))
    UsageRecord.objects.bulk_create(usage, batch_size=1000)
    if not (enterprise and users):
        return
    requester = users[0]
    base = timezone.localtime(now).replace(hour=9, minute=0, second=0, microsecond=0)
    for offset, instrument in enumerate(instruments[:6], start=2):
        start = base + timedelta(days=offset)
        status = BookingStatus.APPROVED if offset % 2 else BookingStatus.REQUESTED
        Booking.objects.create(
            instrument=instrument, requester=requester, organisation=enterprise, start=start,
            end=start + timedelta(hours=2), occupied_until=start + timedelta(hours=2) + instrument.buffer,
            status=status, purpose="新产品研发测试", decided_at=now if status == BookingStatus.APPROVED else None)
    _bookings_in_every_state(instruments[6], enterprise, requester, base, now)


def _bookings_in_every_state(instrument: Instrument, enterprise: Organisation, requester: User, base: datetime,
                             now: datetime) -> None:
    """A cancelled, a declined and a no-show booking, and a past booking whose usage ran two hours over: the owner's
    staff recorded it with an override and its reason (the charge criteria, ``instruments.charges``)."""
    from techsme.instruments.services import do_record_usage

    def booking(days: int, status: str, **extra: Any) -> Booking:
        start = base + timedelta(days=days)
        return Booking.objects.create(
            instrument=instrument, requester=requester, organisation=enterprise, start=start,
            end=start + timedelta(hours=2), occupied_until=start + timedelta(hours=2) + instrument.buffer,
            status=status, purpose="样品表征", **extra)

    booking(3, BookingStatus.CANCELLED, cancelled_at=now, late_cancellation=False)
    booking(4, BookingStatus.DECLINED, decided_at=now, decision_note="当日仪器校准，请改约")
    booking(-2, BookingStatus.NO_SHOW, decided_at=now)
    staff = User.objects.filter(memberships__organisation=instrument.owner).order_by("pk").first()
    if staff is None:
        return
    done = booking(-5, BookingStatus.APPROVED, decided_at=now)
    do_record_usage(actor=staff, instrument=instrument, booking=done, start=done.start,
                    end=done.end + timedelta(hours=2), operator="机组人员", now=now,
                    override_reason="用户现场申请延长两小时，机时空闲，已征得实验室主任同意")


def pay_demo_usage_by_voucher(now: datetime | None = None) -> UsageRecord | None:
    """Pay one demo usage partly by innovation voucher (idempotent; call it after ``seed_vouchers_demo``).

    The vouchers demo makes the demo provider institution (深圳市计量质量检测研究院, the owner of the Shenzhen
    instruments) an approved voucher provider offering "instrument use" and issues a voucher to the demo enterprise.
    Here the provider's staff record a recent usage of its scanning electron microscope by the demo enterprise, and
    the enterprise pays part of the charge with its voucher through the real verbs. Returns the usage paid, or
    ``None`` when it was done before or the registry/instrument/voucher demos are missing.
    """
    from techsme.instruments.models import UsageVoucherPayment
    from techsme.instruments.services import do_pay_usage_with_voucher, do_record_usage, payable_by_voucher
    from techsme.registry.demo import ENTERPRISE_ADMIN, PROVIDER
    from techsme.vouchers.models import Voucher, VoucherState

    enterprise = Organisation.objects.filter(kind=OrgKind.ENTERPRISE, name=DEMO_ENTERPRISE_NAME).first()
    owner = Organisation.objects.filter(kind=OrgKind.PROVIDER, name=DEMO_PROVIDER_NAME).first()
    if enterprise is None or owner is None:
        return None
    if UsageVoucherPayment.objects.filter(usage__organisation=enterprise, usage__instrument__owner=owner).exists():
        return None
    staff = User.objects.filter(username=PROVIDER, memberships__organisation=owner).first()
    payer = User.objects.filter(username=ENTERPRISE_ADMIN, memberships__organisation=enterprise).first()
    instrument = Instrument.objects.filter(owner=owner, name_zh="场发射扫描电镜").first()
    voucher = (Voucher.objects.filter(enterprise__organisation=enterprise, state=VoucherState.ACTIVE)
               .order_by("pk").first())
    if staff is None or payer is None or instrument is None or voucher is None:
        return None
    start = timezone.localtime(now or timezone.now()).replace(hour=9, minute=0, second=0, microsecond=0)
    start -= timedelta(days=7)
    with transaction.atomic():
        usage = do_record_usage(actor=staff, instrument=instrument, organisation=enterprise, start=start,
                                end=start + timedelta(hours=3), operator="机组人员", samples=4,
                                notes="新产品材料形貌检测（创新券支付部分费用）")
        if payable_by_voucher(usage, voucher) <= 0:
            transaction.set_rollback(True)
            return None
        do_pay_usage_with_voucher(actor=payer, usage_id=usage.pk, voucher_code=voucher.code)
    usage.refresh_from_db()
    return usage
