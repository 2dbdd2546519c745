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


def test_demo_holds_every_state_and_a_refused_and_an_overridden_decision():
    from django.utils import timezone

    from techsme.instruments.demo import seed_instruments
    from techsme.instruments.models import Booking, UsageRecord
    from techsme.registry.demo import seed_demo
    from techsme.vouchers.demo import STARTUP_PROGRAMME_NAME
    from techsme.vouchers.models import Application, Voucher
    from techsme.vouchers.services.criteria import application_problems

    seed_demo(enterprises=80, seed=7)
    seed_instruments(42)
    seed_vouchers_demo()
    assert set(Application.objects.values_list("state", flat=True)) == {"submitted", "approved", "rejected"}
    assert set(Voucher.objects.values_list("state", flat=True)) == {"active", "expired", "cancelled"}
    assert set(Contract.objects.values_list("state", flat=True)) == {
        "recorded", "redeemed", "delivered", "verified", "reimbursed", "cancelled"}
    assert set(ServiceProvider.objects.values_list("state", flat=True)) == {"pending", "approved", "rejected"}
    assert set(Programme.objects.values_list("state", flat=True)) == {"open", "closed"}
    startup = Programme.objects.get(name=STARTUP_PROGRAMME_NAME)
    refused = startup.applications.get(state="submitted")  # the programme manager was stopped
    assert [p.code for p in application_problems(refused, timezone.localdate())] == ["not_eligible"]
    overridden = startup.applications.get(state="approved")
    assert overridden.overridden == ["not_eligible"] and overridden.override_reason
    assert Contract.objects.filter(overridden=["no_document"], state__in=["verified", "reimbursed"]).exists()
    assert {"cancelled", "declined", "no_show", "completed"} <= set(Booking.objects.values_list("status", flat=True))
    assert UsageRecord.objects.filter(overridden=["beyond_booking"]).exclude(override_reason="").exists()
    assert verify_balances() == []
