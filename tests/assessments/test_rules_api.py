"""The HTTP surface of the rules engine: assess, parameters, variables."""

import pytest
from django.test import Client

from techsme.core.identifiers import make_uscc


def _facts(**over):
    row = {
        "uscc": make_uscc("440305", 777), "name": "深圳测试科技有限公司", "tax_year": 2024,
        "region_code": "440305", "industry_code": "I6513", "founded_on": "2016-05-01",
        "employees": 100, "tech_staff": 35, "revenue": "50000000", "total_cost_expense": "40000000",
        "total_assets": "60000000", "rd_expense": "3500000", "taxable_income_before_incentives": "5000000",
        "rd_core_expense": "3000000", "rd_other_expense": "400000", "ip_class1": 2, "ip_class2": 3,
    }
    row.update(over)
    return row


@pytest.fixture
def api_client(two_regions) -> Client:
    client = Client()
    client.force_login(two_regions["sz"]["ent_admin"])
    return client


def test_assess_returns_contract_columns_and_explanation(api_client):
    body = {"facts": [_facts()], "explain": True}
    response = api_client.post("/api/v1/assess", body, content_type="application/json")
    assert response.status_code == 200, response.content
    result = response.json()["results"][0]
    for column in ("techsme_staff_score", "techsme_rd_score", "techsme_ip_score", "techsme_score", "techsme_route",
                   "techsme_eligible", "rd_deduction_rate", "rd_extra_deduction", "eit_regime", "eit_payable",
                   "eit_payable_without_incentives", "eit_saving"):
        assert column in result
    # 35/100 tech staff → 20; R&D 3.5M / 50M = 7% → 50; Class I → 30.
    assert (result["techsme_staff_score"], result["techsme_rd_score"], result["techsme_ip_score"]) == (20, 50, 30)
    assert result["techsme_eligible"] is True
    assert result["explanation"]


def test_assess_reports_bad_rows_without_failing_the_request(api_client):
    bad = _facts(uscc="91440300000000000X")
    response = api_client.post("/api/v1/assess", {"facts": [_facts(), bad]}, content_type="application/json")
    body = response.json()
    assert response.status_code == 200
    assert body["bad_rows"] == 1
    assert body["results"][1]["errors"]


def test_assess_requires_authentication(db):
    response = Client().post("/api/v1/assess", {"facts": [_facts()]}, content_type="application/json")
    assert response.status_code == 401


def test_parameters_are_public_and_cited(db):
    response = Client().get("/api/v1/parameters?at=2024-06-30")
    assert response.status_code == 200
    listing = response.json()
    assert listing
    for item in listing:
        for value in item["history"]:
            assert value.get("reference"), item["path"]


def test_parameters_reject_a_malformed_date(db):
    assert Client().get("/api/v1/parameters?at=2024-13-40").status_code == 422


def test_variables_have_bilingual_labels(db):
    response = Client().get("/api/v1/variables")
    assert response.status_code == 200
    for variable in response.json():
        assert variable["label_en"] and variable["label_zh"]
