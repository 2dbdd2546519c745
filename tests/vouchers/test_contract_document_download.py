"""Contract documents are downloaded through a scoped view, never from a public /media/ URL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from techsme.vouchers import services as s
from tests.vouchers.conftest import issue, key

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def with_document(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    voucher = issue(world, "5000")
    return s.do_record_contract(
        actor=world.ent_user, voucher_id=voucher.pk, provider_id=world.provider.pk, category="testing",
        amount="2000", description="EMC", submission_key=key(),
        document=SimpleUploadedFile("contract.pdf", b"%PDF-1.4 secret terms", "application/pdf"))


def test_enterprise_provider_and_agency_in_scope_download(world, with_document):
    url = f"/vouchers/contracts/{with_document.pk}/document/"
    for user in (world.ent_user, world.lab_user, world.manager, world.reviewer):
        response = login(user).get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content).startswith(b"%PDF-1.4 secret")
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
    api = login(world.ent_user).get(f"/api/v1/vouchers/contracts/{with_document.pk}/document")
    assert api.status_code == 200


def test_everyone_else_gets_404(world, with_document):
    url = f"/vouchers/contracts/{with_document.pk}/document/"
    for user in (world.gz_manager, world.other_user, world.gz_ent_user, world.lab2_user):
        assert login(user).get(url).status_code == 404, user
        assert login(user).get(f"/api/v1/vouchers/contracts/{with_document.pk}/document").status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_no_public_media_url(world, with_document):
    assert Client().get("/media/" + with_document.document.name).status_code == 404
    page = login(world.ent_user).get(f"/vouchers/contracts/{with_document.pk}/").content.decode()
    assert f"/vouchers/contracts/{with_document.pk}/document/" in page
    assert "/media/" not in page


def test_contract_without_document_is_404(world):
    voucher = issue(world, "5000")
    contract = s.do_record_contract(actor=world.ent_user, voucher_id=voucher.pk, provider_id=world.provider.pk,
                                    category="testing", amount="2000", description="EMC", submission_key=key())
    assert login(world.ent_user).get(f"/vouchers/contracts/{contract.pk}/document/").status_code == 404
