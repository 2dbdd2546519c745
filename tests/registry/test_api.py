"""The registry JSON API: scope (404 outside it), token auth, error shapes, facts, IP, import."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from techsme.accounts.services import do_create_api_token
from techsme.core.identifiers import make_uscc
from techsme.registry.models import AnnualFacts, Enterprise, IPAsset

from .helpers import csv_bytes, fact_row

pytestmark = pytest.mark.django_db
BASE = "/api/v1"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_client(user) -> Client:
    _token, key = do_create_api_token(actor=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _facts(enterprise, year=2024, **values):
    return AnnualFacts.objects.create(enterprise=enterprise, tax_year=year, employees=50, tech_staff=10,
                                      revenue=Decimal("5000000.00"), **values)


def test_list_is_scoped_with_filters_and_pagination(two_regions, make_enterprise):
    for _ in range(3):
        make_enterprise(region_code="440306", industry_code="C3911")
    _facts(two_regions["sz"]["enterprise"])
    client = client_for(two_regions["sz"]["reviewer"])
    body = client.get(f"{BASE}/enterprises").json()
    assert body["total"] == 4
    assert all(item["region_code"].startswith("4403") for item in body["items"])
    assert two_regions["gz"]["enterprise"].pk not in {i["id"] for i in body["items"]}
    page = client.get(f"{BASE}/enterprises", {"limit": 2, "offset": 2}).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (4, 2, 2, 2)
    assert client.get(f"{BASE}/enterprises", {"industry": "C39"}).json()["total"] == 3
    assert client.get(f"{BASE}/enterprises", {"region": "440305"}).json()["total"] == 1
    assert client.get(f"{BASE}/enterprises", {"size": "21-100"}).json()["total"] == 1
    gz_uscc = two_regions["gz"]["enterprise"].uscc
    assert client.get(f"{BASE}/enterprises", {"q": gz_uscc}).json()["total"] == 0


def test_detail_and_facts_of_another_region_are_404(two_regions):
    gz = two_regions["gz"]["enterprise"]
    _facts(gz, 2024)
    client = client_for(two_regions["sz"]["reviewer"])
    for path in (f"/enterprises/{gz.pk}", f"/enterprises/{gz.pk}/facts", f"/enterprises/{gz.pk}/facts/2024",
                 f"/enterprises/{gz.pk}/ip"):
        response = client.get(BASE + path)
        assert response.status_code == 404, path
        assert gz.name not in response.content.decode() and gz.uscc not in response.content.decode()
    admin = client_for(two_regions["sz"]["admin"])
    put = admin.put(f"{BASE}/enterprises/{gz.pk}/facts/2024", {"employees": "1"}, content_type="application/json")
    assert put.status_code == 404
    patch = admin.patch(f"{BASE}/enterprises/{gz.pk}", {"name": "x"}, content_type="application/json")
    assert patch.status_code == 404
    assert AnnualFacts.objects.get(enterprise=gz).employees == 50
    # A nonexistent id looks the same as a foreign one.
    assert client.get(f"{BASE}/enterprises/999999").status_code == 404


def test_detail_in_scope(two_regions):
    sz = two_regions["sz"]["enterprise"]
    _facts(sz, 2023)
    _facts(sz, 2024)
    body = client_for(two_regions["sz"]["reviewer"]).get(f"{BASE}/enterprises/{sz.pk}").json()
    assert body["uscc"] == sz.uscc and body["latest_year"] == 2024 and "南山区" in body["region_name"]
    assert body["industry_name"] == "应用软件开发"
    facts = client_for(two_regions["sz"]["ent_admin"]).get(f"{BASE}/enterprises/{sz.pk}/facts").json()
    assert [f["tax_year"] for f in facts] == [2024, 2023]
    assert Decimal(facts[0]["revenue"]) == Decimal("5000000.00")


def test_token_auth(two_regions):
    user = two_regions["sz"]["reviewer"]
    assert token_client(user).get(f"{BASE}/enterprises").status_code == 200
    assert Client().get(f"{BASE}/enterprises").status_code == 401
    bad = Client(headers={"Authorization": "Bearer tsme_not-a-real-token"})
    assert bad.get(f"{BASE}/enterprises").status_code == 401


def test_register_enterprise_and_422_shape(two_regions):
    client = token_client(two_regions["sz"]["admin"])
    data = {"uscc": make_uscc("440305", 4242), "name": "新注册科技有限公司", "region_code": "440305",
            "industry_code": "i6513", "founded_on": "2020-02-02"}
    response = client.post(f"{BASE}/enterprises", data, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["industry_code"] == "I6513"
    again = client.post(f"{BASE}/enterprises", data, content_type="application/json")
    assert again.status_code == 422
    body = again.json()
    assert set(body) == {"detail", "errors"} and body["errors"][0]["field"] == "uscc" and body["errors"][0]["message"]
    bad = client.post(f"{BASE}/enterprises", {"name": "x", "founded_on": "yesterday"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "founded_on"
    missing = client.post(f"{BASE}/enterprises", {"name": "只有名字"}, content_type="application/json")
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} >= {"uscc", "region_code", "industry_code", "founded_on"}


def test_register_outside_region_is_403_and_reviewer_cannot_register(two_regions):
    data = {"uscc": make_uscc("440106", 4243), "name": "广州某科技有限公司", "region_code": "440106",
            "industry_code": "I6513", "founded_on": "2020-02-02"}
    response = client_for(two_regions["sz"]["admin"]).post(f"{BASE}/enterprises", data,
                                                           content_type="application/json")
    assert response.status_code == 403 and response.json()["detail"]
    data["region_code"] = "440305"
    response = client_for(two_regions["sz"]["reviewer"]).post(f"{BASE}/enterprises", data,
                                                              content_type="application/json")
    assert response.status_code == 403
    assert not Enterprise.objects.filter(uscc=data["uscc"]).exists()


def test_patch_enterprise(two_regions):
    sz = two_regions["sz"]["enterprise"]
    client = client_for(two_regions["sz"]["ent_admin"])
    response = client.patch(f"{BASE}/enterprises/{sz.pk}", {"address": "深圳湾科技生态园"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["address"] == "深圳湾科技生态园"
    response = client.patch(f"{BASE}/enterprises/{sz.pk}", {"name": ""}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "name"
    reviewer = client_for(two_regions["sz"]["reviewer"])
    assert reviewer.patch(f"{BASE}/enterprises/{sz.pk}", {"address": "x"},
                          content_type="application/json").status_code == 403


def test_put_facts_parses_raw_values_and_reports_field_errors(two_regions):
    sz = two_regions["sz"]["enterprise"]
    client = token_client(two_regions["sz"]["ent_admin"])
    url = f"{BASE}/enterprises/{sz.pk}/facts/2024"
    good = {"employees": "120", "tech_staff": 40, "revenue": "12,345,678.9", "hnte_certificate_valid": "是",
            "audited_books": "", "rd_expense": "800000"}
    response = client.put(url, good, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["employees"] == 120 and Decimal(body["revenue"]) == Decimal("12345678.90")
    assert body["hnte_certificate_valid"] is True and body["audited_books"] is True
    assert client.get(url).json()["tech_staff"] == 40
    bad = {"employees": "ten", "tech_staff": 5, "revenu": "1", "serious_dishonesty": "maybe"}
    response = client.put(url, bad, content_type="application/json")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"employees", "revenu", "serious_dishonesty"}
    inconsistent = client.put(url, {"employees": 10, "tech_staff": 11}, content_type="application/json")
    assert inconsistent.status_code == 422 and inconsistent.json()["errors"][0]["field"] == "tech_staff"
    assert AnnualFacts.objects.get(enterprise=sz, tax_year=2024).employees == 120
    future = client.put(f"{BASE}/enterprises/{sz.pk}/facts/2099", {"employees": 1}, content_type="application/json")
    assert future.status_code == 422
    assert client.get(f"{BASE}/enterprises/{sz.pk}/facts/2019").status_code == 404


def test_reviewer_cannot_put_facts(two_regions):
    sz = two_regions["sz"]["enterprise"]
    response = client_for(two_regions["sz"]["reviewer"]).put(
        f"{BASE}/enterprises/{sz.pk}/facts/2024", {"employees": 1}, content_type="application/json")
    assert response.status_code == 403
    assert not AnnualFacts.objects.exists()


def test_ip_assets(two_regions):
    sz = two_regions["sz"]["enterprise"]
    client = client_for(two_regions["sz"]["ent_admin"])
    url = f"{BASE}/enterprises/{sz.pk}/ip"
    created = client.post(url, {"kind": "invention_patent", "number": "ZL202010000001.2", "title": "一种方法",
                                "granted_on": "2022-05-06"}, content_type="application/json")
    assert created.status_code == 201, created.content
    asset = created.json()
    assert asset["ip_class"] == 1 and asset["status"] == "valid"
    patched = client.patch(f"{url}/{asset['id']}", {"status": "expired"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["status"] == "expired"
    assert [a["number"] for a in client.get(url).json()] == ["ZL202010000001.2"]
    duplicate = client.post(url, {"kind": "invention_patent", "number": "ZL202010000001.2", "title": "x"},
                            content_type="application/json")
    assert duplicate.status_code == 422
    assert client.post(url, {"kind": "trademark", "number": "1", "title": "x"},
                       content_type="application/json").status_code == 422
    # Another enterprise's asset id under this enterprise: 404.
    other = IPAsset.objects.create(enterprise=two_regions["gz"]["enterprise"], kind="design", number="D1", title="t")
    assert client.patch(f"{url}/{other.pk}", {"title": "mine"}, content_type="application/json").status_code == 404
    other.refresh_from_db()
    assert other.title == "t"


def test_import_endpoint(two_regions):
    client = token_client(two_regions["sz"]["admin"])
    good = SimpleUploadedFile("good.csv", csv_bytes([fact_row(1), fact_row(2)]), content_type="text/csv")
    response = client.post(f"{BASE}/imports", {"file": good})
    assert response.status_code == 200, response.content
    assert response.json()["enterprises_created"] == 2 and response.json()["ok"] is True
    rows = [fact_row(3), fact_row(4, region="440106")]
    bad = SimpleUploadedFile("bad.csv", csv_bytes(rows), content_type="text/csv")
    response = client.post(f"{BASE}/imports", {"file": bad})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "region_code", "message": response.json()["errors"][0]["message"],
                                          "row": 3}]
    assert not Enterprise.objects.filter(uscc=rows[0]["uscc"]).exists()
    reviewer = token_client(two_regions["sz"]["reviewer"])
    again = SimpleUploadedFile("good.csv", csv_bytes([fact_row(5)]), content_type="text/csv")
    assert reviewer.post(f"{BASE}/imports", {"file": again}).status_code == 403


def test_openapi_documents_error_responses(two_regions):
    schema = client_for(two_regions["sz"]["reviewer"]).get(f"{BASE}/openapi.json").json()
    responses = schema["paths"]["/api/v1/enterprises/{enterprise_id}"]["get"]["responses"]
    assert {"200", "401", "403", "404", "422"} <= set(responses)


@pytest.mark.parametrize(("language", "expected"), [("en", "outside your region"), ("zh-hans", "管辖范围")])
def test_import_errors_are_in_the_requested_language(two_regions, language, expected):
    client = token_client(two_regions["sz"]["admin"])
    bad = SimpleUploadedFile("bad.csv", csv_bytes([fact_row(7, region="440106")]), content_type="text/csv")
    response = client.post(f"{BASE}/imports", {"file": bad}, headers={"Accept-Language": language})
    assert response.status_code == 422
    assert expected in response.json()["errors"][0]["message"]
