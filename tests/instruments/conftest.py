"""Instrument fixtures: an owner institution with staff, an instrument factory, booking users (the file SQLite test
database that the concurrency test needs is configured in tests/conftest.py)."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages in English (pages choose their language per request)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def at(days: int, hour: int = 9, minute: int = 0) -> datetime:
    """Local time ``days`` from today at ``hour:minute`` (Asia/Shanghai)."""
    from django.utils import timezone

    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def lab(make_org, make_user) -> dict[str, Any]:
    """Two owner institutions (Shenzhen, Guangzhou) with staff, and two enterprises with members."""
    sz = make_org("provider", "440305", name="深圳测试研究院")
    gz = make_org("provider", "440106", name="广州分析测试中心")
    ent_a = make_org("enterprise", "440305", name="甲科技有限公司")
    ent_b = make_org("enterprise", "440106", name="乙科技有限公司")
    return {
        "sz": sz, "gz": gz, "ent_a": ent_a, "ent_b": ent_b,
        "sz_staff": make_user("provider_staff", sz),
        "gz_staff": make_user("provider_staff", gz),
        "user_a": make_user("enterprise_member", ent_a),
        "user_b": make_user("enterprise_member", ent_b),
    }


@pytest.fixture
def make_instrument(lab) -> Callable:
    from techsme.instruments.models import Instrument

    def make(name_zh: str = "场发射扫描电镜", owner: Any = None, **extra: Any) -> Instrument:
        values = {
            "name_en": "Field-emission scanning electron microscope", "category_code": "0104",
            "purchase_value": Decimal("3200000.00"), "region_code": (owner or lab["sz"]).region_code,
            "fee_internal": Decimal("200.00"), "fee_external": Decimal("400.00"), "lead_time_hours": 0,
            "min_duration_minutes": 30, "max_duration_minutes": 480, "manufacturer": "Zeiss",
        } | extra
        return Instrument.objects.create(owner=owner or lab["sz"], name_zh=name_zh, **values)

    return make


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # noqa: ANN001 — extends pytest-django's fixture
    """The cache table (login throttling uses the DatabaseCache) for the browser test's logins."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)
