"""Transfer fixtures: a Shenzhen and a Guangzhou agency, a university with staff and a broker, enterprises with
members, and factories for published outcomes and open needs — real rows, real services."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from techsme.transfer.patents import check_character


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages in English (pages choose their language per request)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def patent(year: int = 2021, kind: str = "1", serial: int = 1234567) -> str:
    body = f"{year}{kind}{serial:07d}"
    return f"ZL{body}.{check_character(body)}"


@pytest.fixture
def market(two_regions, make_org, make_user, make_enterprise) -> dict[str, Any]:
    sz, gz = two_regions["sz"], two_regions["gz"]
    university = make_org("university", "440305", name="深圳测试大学")
    buyer = make_enterprise(name="深圳买方电池科技有限公司", region_code="440306", industry_code="C3841")
    return {
        **{f"sz_{k}": v for k, v in sz.items()}, **{f"gz_{k}": v for k, v in gz.items()},
        "university": university,
        "staff": make_user("institution_staff", university, username="uni-staff", email="uni@example.cn"),
        "broker": make_user("broker", university, username="uni-broker"),
        "buyer": buyer,
        "buyer_admin": make_user("enterprise_admin", buyer.organisation, username="buyer-admin",
                                 email="buyer@example.cn"),
        "sz_manager": make_user("programme_manager", sz["agency"], username="sz-manager"),
    }


OUTCOME = {
    "title_zh": "高安全固态锂离子电池电解质材料", "title_en": "Solid electrolyte for safe lithium-ion batteries",
    "summary_zh": "本成果提出一种硫化物固态电解质及其制备工艺，室温离子电导率高，可用于动力电池和储能电池，"
                  "显著提高电池安全性和能量密度，已完成中试验证。",
    "summary_en": "A sulphide solid electrolyte with high ionic conductivity for traction and storage batteries.",
    "keywords": "固态电池 电解质 锂电池", "industry_code": "C3841", "discipline": "430", "trl": 6,
    "modes": ["licence", "transfer"], "price_min": "800000", "price_max": "2000000",
}


@pytest.fixture
def publish(market) -> Callable[..., Any]:
    """An outcome of the university, submitted and approved by the Shenzhen reviewer."""
    from techsme.transfer import services

    def make(**changes: Any) -> Any:
        data = {**OUTCOME, "patent_numbers": patent(), **changes}
        outcome = services.do_save_outcome(actor=market["staff"], organisation=market["university"], data=data)
        services.do_submit_outcome(actor=market["staff"], outcome_id=outcome.pk)
        return services.do_approve_outcome(actor=market["sz_reviewer"], outcome_id=outcome.pk)

    return make


NEED = {
    "title": "动力电池安全性提升", "summary": "我司生产动力电池模组，希望引进固态电解质技术提高锂电池安全性。",
    "details": "保密：现有电芯热失控温度 180℃，目标 250℃，年产能 2GWh。", "keywords": "固态电解质",
    "industry_code": "C3841", "budget": "1500000", "min_trl": 5,
}


@pytest.fixture
def post_need(market) -> Callable[..., Any]:
    from techsme.transfer import services

    def make(**changes: Any) -> Any:
        from django.utils import timezone

        data = {**NEED, "deadline": (timezone.localdate() + timedelta(days=90)).isoformat(), **changes}
        return services.do_save_need(actor=market["buyer_admin"], enterprise=market["buyer"], data=data)

    return make


def money(value: str) -> Decimal:
    return Decimal(value)
