"""The demo instruments: created once, searchable in Chinese, with statistics for last year."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from techsme.core.permissions import scope
from techsme.instruments.demo import seed_instruments
from techsme.instruments.models import Instrument, UsageRecord
from techsme.instruments.selectors import CatalogueFilters, search_instruments
from techsme.instruments.stats import report

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_searchable(make_org, make_user):
    enterprise = make_org("enterprise", "440305", name="深圳市星衡智能科技有限公司")
    make_user("enterprise_admin", enterprise)
    created = seed_instruments(42)
    assert 30 <= created <= 60
    assert seed_instruments(42) == 0
    call_command("seed_instruments", verbosity=0)
    assert Instrument.objects.count() == created
    assert {i.region_code[:4] for i in Instrument.objects.all()} == {"4403", "4401", "3301", "5101"}
    found = search_instruments(CatalogueFilters(q="质谱"))
    assert found.exists() and all("质谱" in i.name_zh for i in found)
    assert search_instruments(CatalogueFilters(q="电镜")).exists()
    assert UsageRecord.objects.filter(external=True).exists()
    owner = Instrument.objects.filter(region_code="440305").first().owner
    staff = make_user("provider_staff", owner)
    result = report(scope(staff, "instrument.stats", Instrument.objects.all()), timezone.localdate().year - 1)
    assert len(result.rows) == len(found.model.objects.filter(owner=owner))
    assert any(r.figures.effective_hours > 0 for r in result.rows)


def test_demo_usage_paid_partly_by_voucher():
    from decimal import Decimal

    from techsme.core.ledger import verify_balances
    from techsme.instruments.demo import pay_demo_usage_by_voucher
    from techsme.registry.demo import seed_demo
    from techsme.vouchers.demo import seed_vouchers_demo

    assert pay_demo_usage_by_voucher() is None  # nothing to pay with before the demos exist
    seed_demo(enterprises=40, seed=7)
    seed_instruments(42)
    assert seed_vouchers_demo()
    usage = pay_demo_usage_by_voucher()
    assert usage is not None and Decimal("0") < usage.paid_by_voucher < usage.charge
    assert usage.voucher_payment.contract.category == "instrument"
    assert pay_demo_usage_by_voucher() is None
    assert UsageRecord.objects.filter(paid_by_voucher__gt=0).count() == 1
    assert verify_balances() == []
