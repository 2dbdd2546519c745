"""Transfer pages render in both languages, forms show the services' errors and lose nothing, decisions are
buttons that say why they were refused, and the certificate is a real PDF."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from techsme.transfer import services
from techsme.transfer.models import ContractState, Match, Outcome, TechContract
from tests.transfer.conftest import OUTCOME, patent

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = ["/transfer/", "/transfer/outcomes/", "/transfer/outcomes/?q=电池&trl=5&bri=1", "/transfer/needs/",
          "/transfer/belt-and-road/", "/transfer/challenges/", "/transfer/statistics/", "/transfer/brokers/",
          "/transfer/products/", "/transfer/contracts/rules/"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_public_pages_render_in_both_languages(client, market, publish, language):
    outcome = publish(belt_and_road=True)
    client.cookies["django_language"] = language
    for url in [*PUBLIC, f"/transfer/outcomes/{outcome.pk}/"]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "None" not in body.replace("display:none", ""), url
    english = client.get("/transfer/belt-and-road/").content.decode()
    assert OUTCOME["title_en"] in english and "Technology offers open to Belt and Road partners" in english


def test_home_in_chinese_uses_the_translations(client, market):
    body = client.get("/transfer/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "技术转移" in body and "Research outcomes from universities" not in body


def test_outcome_form_shows_service_errors_and_keeps_the_input(client, market):
    client.force_login(market["staff"])
    data = {**OUTCOME, "modes": ["licence"], "patent_numbers": "ZL2019101234567", "trl": "6"}
    with translation.override("en"):
        response = client.post("/transfer/outcomes/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    body = response.content.decode()
    assert "check character" in body or "8 or 12 digits" in body
    assert OUTCOME["summary_zh"] in body  # nothing typed is lost
    assert Outcome.objects.count() == 0
    data["patent_numbers"] = patent()
    response = client.post("/transfer/outcomes/new/", {**data, "submit": "1"})
    assert response.status_code == 302
    assert Outcome.objects.get().state == "submitted"


def test_moderator_sees_the_criteria_and_publishes_with_a_button(client, market):
    outcome = services.do_save_outcome(actor=market["staff"], organisation=market["university"],
                                       data={**OUTCOME, "patent_numbers": patent(), "summary_zh": "短"})
    services.do_submit_outcome(actor=market["staff"], outcome_id=outcome.pk)
    client.force_login(market["sz_reviewer"])
    queue = client.get("/transfer/moderation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert outcome.title_zh in queue and "1 problem" in queue
    client.post(f"/transfer/outcomes/{outcome.pk}/approve/", {"note": ""}, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/transfer/outcomes/{outcome.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "too short" in page
    assert Outcome.objects.get(pk=outcome.pk).state == "submitted"
    client.force_login(market["gz_reviewer"])
    assert client.get(f"/transfer/outcomes/{outcome.pk}/").status_code == 404


def test_need_page_explains_each_match(client, market, publish, post_need):
    publish()
    need = post_need()
    client.force_login(market["buyer_admin"])
    body = client.get(f"/transfer/needs/{need.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for words in ("Shared terms", "same industry class", "readiness level 6 against at least 5 wanted", "固态"):
        assert words in body
    match = Match.objects.get(need=need)
    assert client.get(f"/transfer/matches/{match.pk}/").status_code == 200
    client.force_login(market["gz_ent_admin"])
    assert client.get(f"/transfer/matches/{match.pk}/").status_code == 404


def test_contract_pages_register_and_certificate(client, market):
    enterprise = market["sz_enterprise"]
    client.force_login(market["sz_ent_admin"])
    signed = timezone.localdate() - timedelta(days=3)
    response = client.post("/transfer/contracts/new/", {
        "title": "专利转让", "buyer_name": "买方", "buyer_country": "CN", "category": "transfer:patent",
        "industry_code": enterprise.industry_code, "contract_amount": "1000000", "signed_on": signed.isoformat(),
        "patent_numbers": patent()})
    contract = TechContract.objects.get()
    assert response.status_code == 302 and contract.seller == enterprise.organisation
    client.force_login(market["sz_reviewer"])
    page = client.get(f"/transfer/contracts/{contract.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Registration decision" in page and "EIT exemption of technology-transfer income" in page
    client.post(f"/transfer/contracts/{contract.pk}/register/", {"category": "transfer:patent",
                                                                 "tech_amount": "2000000"})
    assert TechContract.objects.get().state == ContractState.SUBMITTED
    client.post(f"/transfer/contracts/{contract.pk}/register/", {"category": "transfer:patent",
                                                                 "tech_amount": "950000"})
    contract.refresh_from_db()
    assert contract.state == ContractState.REGISTERED
    pdf = client.get(f"/transfer/contracts/{contract.pk}/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert contract.registration_number.encode() in pdf.content
    assert client.get(f"/transfer/verify/{contract.registration_number}/").status_code == 200
    assert client.get("/transfer/verify/123/").status_code == 404
    client.force_login(market["gz_ent_admin"])
    assert client.get(f"/transfer/contracts/{contract.pk}/certificate.pdf").status_code == 404


def test_todos_for_each_role(market, publish, post_need):
    from techsme.core.hooks import todos_for

    outcome = services.do_save_outcome(actor=market["staff"], organisation=market["university"],
                                       data={**OUTCOME, "patent_numbers": patent()})
    services.do_submit_outcome(actor=market["staff"], outcome_id=outcome.pk)
    assert any("moderate" in str(t.label) for t in todos_for(market["sz_reviewer"]))
    assert not any("moderate" in str(t.label) for t in todos_for(market["gz_reviewer"]))
    publish()
    post_need()
    assert any("Good matches" in str(t.label) for t in todos_for(market["buyer_admin"]))
