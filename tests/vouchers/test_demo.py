"""The demo: a Shenzhen programme with the demo provider, vouchers in every state; seeding twice changes nothing."""

import pytest
from django.core.management import call_command

from techsme.core.ledger import verify_balances
from techsme.vouchers import selectors
from techsme.vouchers.demo import PROGRAMME_NAME, seed_vouchers_demo
from techsme.vouchers.models import Contract, Programme, ServiceProvider

pytestmark = pytest.mark.django_db


def test_demo_seeds_once_and_is_sound():
    from techsme.registry.demo import PROVIDER, seed_demo

    seed_demo(enterprises=80, seed=7)
    result = seed_vouchers_demo()
    assert result["vouchers"] >= 7
    programme = Programme.objects.get(name=PROGRAMME_NAME)
    states = set(Contract.objects.values_list("state", flat=True))
    assert {"recorded", "redeemed", "delivered", "reimbursed"} <= states
    provider = ServiceProvider.objects.get(programme=programme, organisation__memberships__user__username=PROVIDER)
    assert provider.state == "approved"
    figures = selectors.programme_figures(programme)
    assert figures.used > 0 and figures.paid > 0 and figures.committed > 0
    assert figures.funded == figures.used + figures.committed + figures.free
    assert verify_balances() == []
    assert seed_vouchers_demo() == {}
    call_command("seed_vouchers")
    assert Programme.objects.filter(name=PROGRAMME_NAME).count() == 1


def test_demo_without_registry_does_nothing():
    assert seed_vouchers_demo() == {}
