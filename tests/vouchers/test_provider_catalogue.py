"""Providers add, edit and withdraw their services on a web page (and the API); only the institution's own staff."""

from decimal import Decimal

import pytest
from django.test import Client

from techsme.core.errors import Conflict, InvalidInput, PermissionDenied
from techsme.core.models import AuditEvent
from techsme.vouchers import catalogue
from techsme.vouchers import services as s
from techsme.vouchers.models import ProviderService
from tests.vouchers.conftest import issue, key

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


def rows(provider) -> list:
    return list(ProviderService.objects.filter(provider=provider).order_by("pk").values_list(
        "name", "category", "price", "unit", "description", "withdrawn_at"))


def test_add_edit_withdraw_on_the_web_page(world):
    client = login(world.lab_user)
    page = client.get(f"/vouchers/providers/{world.provider.pk}/")
    assert "Add a service" in page.content.decode()
    base = f"/vouchers/providers/{world.provider.pk}/services/"
    response = client.post(base + "new/", {"name": "Patent search", "category": "patent", "price": "3000",
                                           "unit": "case", "description": "Novelty search, CN + EP"})
    assert response.status_code == 302
    service = ProviderService.objects.get(name="Patent search")
    assert service.description == "Novelty search, CN + EP" and service.price == Decimal("3000.00")
    assert client.get(f"{base}{service.pk}/").status_code == 200
    response = client.post(f"{base}{service.pk}/", {"name": "Patent search", "category": "patent",
                                                    "price": "3500", "unit": "case", "description": "CN only"})
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.price == Decimal("3500.00") and service.description == "CN only"
    event = AuditEvent.objects.filter(verb="vouchers.edit_provider_service").latest("pk")
    assert event.changes["price"] == ["3000.00", "3500.00"] or "price" in event.changes
    assert client.post(f"{base}{service.pk}/", {"action": "withdraw"}).status_code == 302
    service.refresh_from_db()
    assert service.withdrawn
    assert AuditEvent.objects.filter(verb="vouchers.withdraw_provider_service").exists()
    assert "patent" not in world.provider.categories()


def test_invalid_service_is_refused_and_changes_nothing(world):
    before = rows(world.provider)
    response = login(world.lab_user).post(f"/vouchers/providers/{world.provider.pk}/services/new/",
                                          {"name": "X", "category": "testing", "price": "-5"})
    assert response.status_code == 422 and "greater than zero" in response.content.decode()
    service = world.provider.services.first()
    with pytest.raises(InvalidInput):
        catalogue.do_edit_service(actor=world.lab_user, service_id=service.pk,
                                  data={"name": "", "category": "nope", "price": "0"})
    assert rows(world.provider) == before


def test_withdrawn_category_no_longer_usable_for_new_contracts(world):
    voucher = issue(world, "10000")
    rd = world.provider.services.get(category="rd")
    catalogue.do_withdraw_service(actor=world.lab_user, service_id=rd.pk)
    with pytest.raises(InvalidInput, match="offers no service of this category"):
        s.do_record_contract(actor=world.ent_user, voucher_id=voucher.pk, provider_id=world.provider.pk,
                             category="rd", amount="1000", description="analysis", submission_key=key())


def test_refused_withdrawals_change_nothing(world):
    services = list(world.provider.services.all())
    catalogue.do_withdraw_service(actor=world.lab_user, service_id=services[0].pk)
    before = rows(world.provider)
    with pytest.raises(Conflict, match="already withdrawn"):
        catalogue.do_withdraw_service(actor=world.lab_user, service_id=services[0].pk)
    with pytest.raises(Conflict, match="at least one service"):
        catalogue.do_withdraw_service(actor=world.lab_user, service_id=services[1].pk)
    with pytest.raises(Conflict):
        catalogue.do_edit_service(actor=world.lab_user, service_id=services[0].pk,
                                  data={"name": "x", "category": "testing", "price": "1"})
    assert rows(world.provider) == before


def test_only_the_institutions_staff(world):
    """Another provider's staff: 404 (not visible); agency staff and enterprises: 403; nothing changes."""
    service = world.provider.services.first()
    before = rows(world.provider)
    base = f"/vouchers/providers/{world.provider.pk}/services/"
    assert login(world.lab2_user).get(base + "new/").status_code == 404
    assert login(world.lab2_user).post(f"{base}{service.pk}/", {"action": "withdraw"}).status_code == 404
    assert login(world.manager).get(base + "new/").status_code == 403
    assert login(world.manager).post(f"{base}{service.pk}/", {"action": "withdraw"}).status_code == 403
    assert login(world.ent_user).get(base + "new/").status_code == 404
    # a service id of another provider under this provider's URL is not found
    other = world.gz_provider.services.first()
    assert login(world.lab_user).get(f"{base}{other.pk}/").status_code == 404
    for actor in (world.lab2_user, world.manager, world.ent_user):
        with pytest.raises(PermissionDenied):
            catalogue.do_withdraw_service(actor=actor, service_id=service.pk)
        with pytest.raises(PermissionDenied):
            catalogue.do_add_service(actor=actor, provider_id=world.provider.pk,
                                     data={"name": "x", "category": "testing", "price": "1"})
    api = login(world.lab2_user).delete(f"/api/v1/vouchers/providers/{world.provider.pk}/services/{service.pk}")
    assert api.status_code == 404
    assert rows(world.provider) == before


def test_api_edit_and_withdraw(world):
    client = login(world.lab_user)
    service = world.provider.services.get(category="testing")
    url = f"/api/v1/vouchers/providers/{world.provider.pk}/services/{service.pk}"
    response = client.put(url, {"name": "EMC test", "category": "testing", "price": "9000", "description": "3 m"},
                          content_type="application/json")
    assert response.status_code == 200
    assert any(x["price"] == "9000.00" and x["description"] == "3 m" for x in response.json()["services"])
    response = client.delete(url)
    assert response.status_code == 200
    assert [x["withdrawn"] for x in response.json()["services"] if x["id"] == service.pk] == [True]
    assert client.delete(url).status_code == 409
