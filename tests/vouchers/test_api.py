"""The voucher API: every step of the flow over HTTP, error shapes, and scope (other ids → 404/403)."""

from decimal import Decimal

import pytest
from django.test import Client

from techsme.accounts.services import do_create_api_token
from techsme.core.models import LedgerTransaction
from techsme.vouchers.models import Contract

pytestmark = pytest.mark.django_db
BASE = "/api/v1/vouchers"


def api(user) -> Client:
    _token, secret = do_create_api_token(actor=user, name="test")
    return Client(headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"})


def test_whole_flow_over_the_api(world):
    w = world
    ent, manager, lab, reviewer = api(w.ent_user), api(w.manager), api(w.lab_user), api(w.reviewer)
    r = ent.post(f"{BASE}/programmes/{w.programme.pk}/applications", {"enterprise_id": w.enterprise.pk,
                 "amount": "12000", "purpose": "EMC test"}, content_type="application/json",
                 headers={"Idempotency-Key": "abc-1"})
    assert r.status_code == 201, r.content
    application_id = r.json()["id"]
    again = ent.post(f"{BASE}/programmes/{w.programme.pk}/applications", {"enterprise_id": w.enterprise.pk,
                     "amount": "12000", "purpose": "EMC test"}, content_type="application/json",
                     headers={"Idempotency-Key": "abc-1"})
    assert again.status_code == 409 and "already submitted" in again.json()["detail"]
    r = ent.post(f"{BASE}/applications/{application_id}/decision", {"decision": "approve"},
                 content_type="application/json")
    assert r.status_code == 403
    r = manager.post(f"{BASE}/applications/{application_id}/decision", {"decision": "approve", "amount": "10000",
                     "reason": "cap of the call"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["approved_amount"] == "10000.00"
    voucher_id = r.json()["voucher_id"]
    voucher = ent.get(f"{BASE}/vouchers/{voucher_id}").json()
    assert voucher["balance"] == "10000.00"
    public = Client().get(f"{BASE}/verify/{voucher['code']}")
    assert public.status_code == 200 and public.json()["valid"] is True and "balance" not in public.json()
    r = ent.post(f"{BASE}/contracts", {"voucher_id": voucher_id, "provider_id": w.provider.pk, "category": "testing",
                 "amount": "30000", "description": "EMC test"}, content_type="application/json",
                 headers={"Idempotency-Key": "c-1"})
    assert r.status_code == 201, r.content
    contract_id = r.json()["id"]
    r = lab.post(f"{BASE}/contracts/{contract_id}/redeem", {"voucher_code": "IV2026-000999-AAAAAAAAAAAA"},
                 content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "voucher_code"
    r = lab.post(f"{BASE}/contracts/{contract_id}/redeem", {"voucher_code": voucher["code"]},
                 content_type="application/json")
    assert r.status_code == 200 and r.json()["redeemed_amount"] == "10000.00"  # the balance, below 50%
    r = lab.post(f"{BASE}/contracts/{contract_id}/delivery", {}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "report"
    r = lab.post(f"{BASE}/contracts/{contract_id}/delivery", {"report": "EMC report SZ-2026-7 issued"},
                 content_type="application/json")
    assert r.status_code == 200 and r.json()["delivery_report"] == "EMC report SZ-2026-7 issued"
    # No contract document (the API records none): the reviewer is stopped, the agency administrator overrides.
    r = reviewer.post(f"{BASE}/contracts/{contract_id}/verification", {}, content_type="application/json")
    assert r.status_code == 409 and "contract document" in r.json()["detail"]
    r = reviewer.post(f"{BASE}/contracts/{contract_id}/verification", {"override_reason": "paper contract seen"},
                      content_type="application/json")
    assert r.status_code == 403
    r = api(w.admin).post(f"{BASE}/contracts/{contract_id}/verification",
                          {"override_reason": "Paper contract checked at the counter"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["overridden"] == ["no_document"], r.content
    r = manager.post(f"{BASE}/programmes/{w.programme.pk}/reimbursements", {"period": "2026q4"},
                     content_type="application/json")
    assert r.status_code == 200 and r.json()[0]["amount"] == "10000.00"
    assert lab.get(f"{BASE}/reimbursements").json()[0]["amount"] == "10000.00"
    dash = manager.get(f"{BASE}/programmes/{w.programme.pk}/dashboard").json()
    assert (dash["used"], dash["paid"], dash["free"]) == ("10000.00", "10000.00", "90000.00")
    assert ent.get(f"{BASE}/programmes/{w.programme.pk}/dashboard").status_code == 404


def test_error_responses(world):
    w = world
    ent = api(w.ent_user)
    url = f"{BASE}/programmes/{w.programme.pk}/applications"
    r = ent.post(url, {"enterprise_id": w.enterprise.pk, "amount": "-1", "purpose": "x"},
                 content_type="application/json", headers={"Idempotency-Key": "n1"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount"
    r = ent.post(url, {"enterprise_id": w.enterprise.pk, "amount": "99999", "purpose": "x"},
                 content_type="application/json", headers={"Idempotency-Key": "n2"})
    assert r.status_code == 422 and "cap per application" in r.json()["errors"][0]["message"]
    assert Client().get(f"{BASE}/vouchers").status_code == 401
    r = ent.post(url, {"enterprise_id": w.gz_enterprise.pk, "amount": "100", "purpose": "x"},
                 content_type="application/json", headers={"Idempotency-Key": "n3"})
    assert r.status_code == 403


def test_scope_other_ids_are_404(world):
    from tests.vouchers.conftest import contract, issue

    w = world
    voucher = issue(w, "5000")
    c = contract(w, voucher, "2000")
    gz_ent, gz_manager, lab2, other = api(w.gz_ent_user), api(w.gz_manager), api(w.lab2_user), api(w.other_user)
    for client in (gz_ent, gz_manager, other, lab2):
        assert client.get(f"{BASE}/vouchers/{voucher.pk}").status_code == 404
        assert client.get(f"{BASE}/applications/{voucher.application_id}").status_code == 404
        assert client.get(f"{BASE}/contracts/{c.pk}").status_code == 404
    assert lab2.post(f"{BASE}/contracts/{c.pk}/redeem", {"voucher_code": voucher.code},
                     content_type="application/json").status_code == 404
    assert gz_manager.post(f"{BASE}/applications/{voucher.application_id}/decision", {"decision": "reject",
                           "reason": "x"}, content_type="application/json").status_code == 404
    assert gz_manager.post(f"{BASE}/vouchers/{voucher.pk}/cancel", {"reason": "x"},
                           content_type="application/json").status_code == 404
    assert gz_manager.post(f"{BASE}/programmes/{w.programme.pk}/reimbursements", {"period": "2026Q4"},
                           content_type="application/json").status_code == 403
    assert gz_manager.post(f"{BASE}/programmes/{w.programme.pk}/fund", {"amount": "1"},
                           content_type="application/json", headers={"Idempotency-Key": "f"}).status_code == 403
    # the enterprise sees its contract but may not redeem it (provider's step) → 403, nothing moved
    before = LedgerTransaction.objects.count()
    assert api(w.ent_user).post(f"{BASE}/contracts/{c.pk}/redeem", {"voucher_code": voucher.code},
                                content_type="application/json").status_code == 403
    assert LedgerTransaction.objects.count() == before
    assert Contract.objects.get(pk=c.pk).redeemed_amount == Decimal("0.00")
    # providers: the Guangzhou lab cannot see the Shenzhen registration
    assert lab2.get(f"{BASE}/providers/{w.provider.pk}").status_code == 404
    assert [p["id"] for p in lab2.get(f"{BASE}/providers").json()] == [w.gz_provider.pk]


def test_openapi_documents_the_error_responses():
    from techsme.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith("/api/v1/vouchers/")}
    assert len(paths) >= 20
    for path, operations in paths.items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/vouchers/verify/"):
                continue
            assert {"401", "403", "404", "409", "422"} <= {str(code) for code in operation["responses"]}, (path, method)
