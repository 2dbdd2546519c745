"""The voucher pages render for each role in both languages, refuse outsiders, apply a double-submitted form once."""

import pytest
from django.test import Client

from techsme.vouchers.models import Application, Contract
from tests.vouchers.conftest import contract, issue

pytestmark = pytest.mark.django_db


def login(user, lang="en") -> Client:
    client = Client(headers={"Accept-Language": lang})
    client.force_login(user)
    return client


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_pages_render_for_every_role(world, lang):
    w = world
    voucher = issue(w, "10000")
    c = contract(w, voucher, "4000")
    pages = {
        w.manager: ["/vouchers/", f"/vouchers/programmes/{w.programme.pk}/", "/vouchers/programmes/new/",
                    f"/vouchers/applications/{voucher.application_id}/", f"/vouchers/vouchers/{voucher.pk}/",
                    f"/vouchers/contracts/{c.pk}/", f"/vouchers/providers/{w.provider.pk}/"],
        w.ent_user: ["/vouchers/", f"/vouchers/programmes/{w.programme.pk}/",
                     f"/vouchers/programmes/{w.programme.pk}/apply/", f"/vouchers/vouchers/{voucher.pk}/",
                     f"/vouchers/vouchers/{voucher.pk}/contract/", f"/vouchers/contracts/{c.pk}/"],
        w.lab_user: ["/vouchers/", f"/vouchers/contracts/{c.pk}/", f"/vouchers/providers/{w.provider.pk}/",
                     f"/vouchers/programmes/{w.gz_programme.pk}/register/"],
    }
    for user, urls in pages.items():
        client = login(user, lang)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user, url, response.status_code)
    dash = login(w.manager, lang).get(f"/vouchers/programmes/{w.programme.pk}/").content.decode()
    assert "<svg" in dash
    if lang == "zh-hans":
        assert "创新券" in dash
    public = Client().get(f"/vouchers/verify/?code={voucher.code}")
    assert public.status_code == 200 and w.enterprise.name in public.content.decode()


def test_outsiders_get_404_or_403(world):
    w = world
    voucher = issue(w, "10000")
    c = contract(w, voucher, "4000")
    for user in (w.gz_manager, w.gz_ent_user, w.other_user, w.lab2_user):
        client = login(user)
        for url in (f"/vouchers/vouchers/{voucher.pk}/", f"/vouchers/applications/{voucher.application_id}/",
                    f"/vouchers/contracts/{c.pk}/"):
            assert client.get(url).status_code == 404, (user, url)
    assert login(w.gz_manager).get(f"/vouchers/providers/{w.provider.pk}/").status_code == 404
    assert login(w.lab_user).get(f"/vouchers/programmes/{w.programme.pk}/apply/").status_code == 403
    response = login(w.ent_user).post(f"/vouchers/programmes/{w.programme.pk}/", {"action": "fund",
                                                                                 "fund-amount": "1"})
    assert response.status_code == 403


def test_double_submitted_application_form_applies_once(world):
    w = world
    client = login(w.ent_user)
    data = {"enterprise": w.enterprise.pk, "amount": "5000", "purpose": "EMC test", "submission_key": "tok-1"}
    first = client.post(f"/vouchers/programmes/{w.programme.pk}/apply/", data)
    second = client.post(f"/vouchers/programmes/{w.programme.pk}/apply/", data, follow=True)
    assert first.status_code == 302
    assert "already submitted" in second.content.decode()
    assert Application.objects.count() == 1


def test_refused_form_shows_the_message_and_changes_nothing(world):
    w = world
    client = login(w.ent_user)
    response = client.post(f"/vouchers/programmes/{w.programme.pk}/apply/", {
        "enterprise": w.enterprise.pk, "amount": "99999", "purpose": "x", "submission_key": "tok-2"})
    assert response.status_code == 422
    assert "cap per application" in response.content.decode()
    assert Application.objects.count() == 0


def test_provider_redeems_on_the_contract_page(world):
    w = world
    voucher = issue(w, "10000")
    c = contract(w, voucher, "4000")
    client = login(w.lab_user)
    bad = client.post(f"/vouchers/contracts/{c.pk}/", {"action": "redeem", "redeem-voucher_code": "nonsense"})
    assert bad.status_code == 422 and "not a valid voucher code" in bad.content.decode()
    ok = client.post(f"/vouchers/contracts/{c.pk}/", {"action": "redeem", "redeem-voucher_code": voucher.code})
    assert ok.status_code == 302
    assert str(Contract.objects.get(pk=c.pk).redeemed_amount) == "2000.00"
