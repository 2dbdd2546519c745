"""Who sees which loan and claim (reads: 200 or 404) and who may take which step (writes: 403 lane, 404 scope),
table-driven over the API; the criteria refusal and the override over the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from techsme.accounts.services import do_create_api_token
from techsme.finance import services as s
from tests.finance.conftest import default, enrolled_loan, loan_data

pytestmark = pytest.mark.django_db
BASE = "/api/v1/finance"
PDF = b"%PDF-1.4\n%%EOF\n"


def api(user) -> Client:
    _token, secret = do_create_api_token(actor=user, name="test")
    return Client(headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"})


@pytest.fixture
def world(scheme, make_enterprise, make_user):
    other = make_enterprise(region_code="440305")
    scheme["other_ent_admin"] = make_user("enterprise_admin", other.organisation)
    loan = default(scheme, enrolled_loan(scheme))
    claim = s.do_create_claim(actor=scheme["officer"], loan_id=loan.pk, loss="1000000")
    s.do_add_claim_document(actor=scheme["officer"], claim_id=claim.pk, kind="default_notice",
                            upload=SimpleUploadedFile("n.pdf", PDF))
    s.do_submit_claim(actor=scheme["officer"], claim_id=claim.pk)
    scheme["loan"], scheme["claim"] = loan, claim
    return scheme


READS = [
    # user, loan, claim
    ("manager", 200, 200),
    ("reviewer", 200, 200),
    ("gz_manager", 404, 404),
    ("officer", 200, 200),
    ("other_officer", 404, 404),
    ("ent_admin", 200, 404),
    ("other_ent_admin", 404, 404),
]


@pytest.mark.parametrize(("who", "loan_status", "claim_status"), READS)
def test_reads_are_scoped(world, who, loan_status, claim_status):
    client = api(world[who])
    assert client.get(f"{BASE}/loans/{world['loan'].pk}").status_code == loan_status
    assert client.get(f"{BASE}/claims/{world['claim'].pk}").status_code == claim_status
    listed = {row["id"] for row in client.get(f"{BASE}/claims").json()}
    assert (world["claim"].pk in listed) == (claim_status == 200)


WRITES = [
    # user, claim step, expected status
    ("officer", "first-review", 403),
    ("ent_admin", "first-review", 404),
    ("other_officer", "first-review", 404),
    ("gz_manager", "first-review", 404),
    ("reviewer", "first-review", 200),
]


@pytest.mark.parametrize(("who", "step", "status"), WRITES)
def test_claim_steps_keep_to_their_lane(world, who, step, status):
    r = api(world[who]).post(f"{BASE}/claims/{world['claim'].pk}/{step}", {}, content_type="application/json")
    assert r.status_code == status, r.content


def test_approval_is_for_managers_not_reviewers(world):
    s.do_first_review(actor=world["reviewer"], claim_id=world["claim"].pk)
    url = f"{BASE}/claims/{world['claim'].pk}/approve"
    assert api(world["reviewer"]).post(url, {}, content_type="application/json").status_code == 403
    assert api(world["officer"]).post(url, {}, content_type="application/json").status_code == 403
    r = api(world["manager"]).post(url, {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["approved_amount"] == "500000.00"
    # four eyes: the approving officer may not pay; a second manager pays
    pay = f"{BASE}/claims/{world['claim'].pk}/pay"
    refused = api(world["manager"]).post(pay, {}, content_type="application/json")
    assert refused.status_code == 409 and "four eyes" in refused.json()["detail"]
    assert api(world["manager2"]).post(pay, {}, content_type="application/json").json()["state"] == "paid"


def test_an_ineligible_loan_is_refused_then_enrolled_by_override(scheme, make_enterprise):
    world = scheme
    outsider = make_enterprise(region_code="440106")  # Guangzhou: outside the agreement's region rule
    loan = s.do_create_loan(actor=world["officer"], agreement_id=world["agreement"].pk,
                            enterprise_uscc=outsider.uscc, **loan_data(contract_number="X-9"))
    assert loan.eligible is False
    url = f"{BASE}/loans/{loan.pk}/accept"
    refused = api(world["manager"]).post(url, {}, content_type="application/json")
    assert refused.status_code == 409
    with_reason = api(world["manager"]).post(url, {"override_reason": "ok"}, content_type="application/json")
    assert with_reason.status_code == 403  # a programme manager may not override
    done = api(world["admin"]).post(url, {"override_reason": "链主企业，局务会同意"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["overridden"] == ["not_eligible"]


def test_bad_input_is_a_422_with_the_field(world):
    r = api(world["officer"]).post(f"{BASE}/loans", {**loan_data(), "agreement_id": world["agreement"].pk,
                                                     "enterprise_uscc": world["enterprise"].uscc,
                                                     "granted_on": "2999-01-01", "amount": "-5"},
                                   content_type="application/json")
    assert r.status_code == 422
