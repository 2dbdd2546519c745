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
