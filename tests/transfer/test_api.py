"""The transfer API: public reads, token writes through the same verbs, bounded schemas and documented errors."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from techsme.accounts.services import do_create_api_token
from techsme.transfer.models import ContractState, Outcome
from tests.transfer.conftest import OUTCOME, patent

pytestmark = pytest.mark.django_db(transaction=True)
API = "/api/v1/transfer"


def token_client(user) -> Client:
    _token, key = do_create_api_token(actor=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})


def test_outcome_from_draft_to_published_through_the_api(market):
    staff, reviewer = token_client(market["staff"]), token_client(market["sz_reviewer"])
    body = {**OUTCOME, "patent_numbers": [patent()], "price_min": "800000", "price_max": "2000000"}
    created = staff.post(f"{API}/outcomes", body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert Client().get(f"{API}/outcomes/{pk}").status_code == 404  # a draft is not public
    assert staff.post(f"{API}/outcomes/{pk}/submit", {}, content_type="application/json").json()["state"] == \
        "submitted"
    assert token_client(market["gz_reviewer"]).post(f"{API}/outcomes/{pk}/approve", {},
                                                    content_type="application/json").status_code == 404
    assert reviewer.post(f"{API}/outcomes/{pk}/approve", {"note": "ok"},
                         content_type="application/json").json()["state"] == "published"
    found = Client().get(f"{API}/outcomes/", {"q": "固态电解质"}).json()
    assert found["total"] == 1 and found["items"][0]["patent_numbers"] == [patent()]
    assert Client().get(f"{API}/outcomes/", {"limit": 1000}).status_code == 422


def test_bad_input_is_a_clear_422(market):
    staff = token_client(market["staff"])
    bad_check = patent()[:-1] + ("0" if patent()[-1] != "0" else "1")
    response = staff.post(f"{API}/outcomes", {**OUTCOME, "patent_numbers": [bad_check]},
                          content_type="application/json")
    assert response.status_code == 422
    assert any(e["field"] == "patent_numbers" and "check character" in e["message"]
               for e in response.json()["errors"])
    assert staff.post(f"{API}/outcomes", {**OUTCOME, "trl": 12}, content_type="application/json").status_code == 422
    assert staff.post(f"{API}/outcomes", {**OUTCOME, "price_min": "1.234"},
                      content_type="application/json").status_code == 422
    assert Client().post(f"{API}/outcomes", OUTCOME, content_type="application/json").status_code == 401
    assert Outcome.objects.count() == 0


def test_need_matches_and_interest_through_the_api(market, publish):
    outcome = publish()
    ent = token_client(market["buyer_admin"])
    deadline = (timezone.localdate() + timedelta(days=30)).isoformat()
    created = ent.post(f"{API}/needs", {"title": "动力电池安全性提升", "summary": "希望引进固态电解质提高锂电池安全性",
                                        "details": "机密参数", "industry_code": "C3841", "budget": "1500000",
                                        "deadline": deadline, "min_trl": 5}, content_type="application/json")
    assert created.status_code == 201 and created.json()["details"] == "机密参数"
    need_id = created.json()["id"]
    matches = ent.get(f"{API}/needs/{need_id}/matches").json()
    assert matches[0]["outcome_id"] == outcome.pk and matches[0]["reasons"]["parts"]["field"] == 1.0
    public = Client().get(f"{API}/needs/").json()
    assert public[0]["title"] == "动力电池安全性提升" and "details" not in public[0]
    assert token_client(market["staff"]).get(f"{API}/needs/{need_id}").json()["details"] is None
    answer = ent.post(f"{API}/matches/{matches[0]['id']}/interest", {}, content_type="application/json")
    assert answer.json()["need_interested"] is True
    assert ent.post(f"{API}/matches/{matches[0]['id']}/interest", {},
                    content_type="application/json").status_code == 409
    assert token_client(market["staff"]).get(f"{API}/needs/{need_id}").json()["details"] == "机密参数"
    assert token_client(market["gz_ent_admin"]).post(f"{API}/matches/{matches[0]['id']}/interest", {},
                                                     content_type="application/json").status_code == 404


def test_contract_registration_and_refusal_codes(market):
    seller = token_client(market["sz_ent_admin"])
    today = timezone.localdate()
    body = {"title": "技术开发合同", "buyer_name": "买方", "category": "development", "subtype": "commissioned",
            "industry_code": "C3841", "contract_amount": "1000000", "signed_on": today.isoformat()}
    created = seller.post(f"{API}/contracts", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["state"] == ContractState.SUBMITTED
    pk = created.json()["id"]
    registrar = token_client(market["sz_reviewer"])
    refused = registrar.post(f"{API}/contracts/{pk}/register", {"tech_amount": "2000000"},
                             content_type="application/json")
    assert refused.status_code == 409 and "exceed" in refused.json()["detail"]
    done = registrar.post(f"{API}/contracts/{pk}/register", {"tech_amount": "900000"},
                          content_type="application/json").json()
    assert done["state"] == "registered" and done["registration_number"].startswith(str(today.year))
    assert Client().get(f"{API}/contracts/verify/{done['registration_number']}").json()["registered"] is True
    assert Client().get(f"{API}/contracts/verify/2099000000000000").json()["registered"] is False
    assert token_client(market["gz_ent_admin"]).get(f"{API}/contracts/{pk}").status_code == 404
    turnover = Client().get(f"{API}/statistics/turnover", {"level": 4}).json()
    assert turnover == [{"key": "4403", "year": today.year, "contracts": 1, "contract_amount": "1000000.00",
                         "tech_amount": "900000.00"}]
    assert Client().get(f"{API}/statistics/turnover", {"by": "x"}).status_code == 422
    assert Client().get(f"{API}/statistics/turnover", {"year_from": 1800}).status_code == 422


def test_challenge_escrow_and_award_through_the_api(market):
    poster = token_client(market["buyer_admin"])
    deadline = (timezone.localdate() + timedelta(days=20)).isoformat()
    created = poster.post(f"{API}/challenges", {"title": "揭榜", "problem": "p", "milestones": "m", "criteria": "c",
                                                "industry_code": "C3841", "prize": "100000", "deadline": deadline},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["escrowed"] == "100000.00"
    pk = created.json()["id"]
    entry = token_client(market["staff"]).post(f"{API}/challenges/{pk}/entries", {"proposal": "方案"},
                                               content_type="application/json").json()
    early = poster.post(f"{API}/entries/{entry['id']}/award", {"acceptance": "验收"}, content_type="application/json")
    assert early.status_code == 409
    poster.post(f"{API}/challenges/{pk}/close", {}, content_type="application/json")
    assert poster.post(f"{API}/entries/{entry['id']}/award", {"acceptance": "验收"},
                       content_type="application/json").json()["state"] == "won"
    assert Client().get(f"{API}/challenges/").json()[0]["escrowed"] == "0.00"


def test_openapi_documents_the_transfer_endpoints():
    schema = Client().get("/api/v1/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/transfer/")]
    assert len(paths) >= 25
    register = schema["paths"]["/api/v1/transfer/contracts/{contract_id}/register"]["post"]
    assert {"401", "403", "404", "409", "422"} <= set(register["responses"])
