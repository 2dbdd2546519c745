"""Every error of the API is JSON in the one shape; malformed requests are 4xx with a reason, never 5xx or HTML."""

import json

import pytest
from django.test import Client, override_settings

from techsme.accounts.services import do_create_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(two_regions):
    return two_regions["sz"]["reviewer"]


@pytest.fixture
def enterprise_admin(two_regions):
    return two_regions["sz"]["ent_admin"]


def _bearer(user) -> dict:
    _token, key = do_create_api_token(actor=user, name="test")
    return {"Authorization": f"Bearer {key}", "Accept-Language": "en"}  # messages asserted in English


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"] and isinstance(body["errors"], list)
    return body


@pytest.mark.parametrize("header", ["Bearer tsme_not-a-real-key", "Bearer ", "Basic dXNlcjpwYXNz", "tsme_x"])
def test_a_bad_token_on_a_write_is_401_not_a_csrf_403(two_regions, header):
    enterprise = two_regions["sz"]["enterprise"]
    client = Client(enforce_csrf_checks=True)
    response = client.patch(f"/api/v1/enterprises/{enterprise.pk}", data=json.dumps({"name": "x"}),
                            content_type="application/json", headers={"Authorization": header})
    _error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_bad_token_is_not_rescued_by_a_session(enterprise_admin, two_regions):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enterprise_admin)
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer tsme_wrong"})
    _error(response, 401)


def test_a_session_write_without_csrf_is_a_json_403(enterprise_admin, two_regions):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enterprise_admin)
    enterprise = two_regions["sz"]["enterprise"]
    response = client.patch(f"/api/v1/enterprises/{enterprise.pk}", data=json.dumps({"name": "x"}),
                            content_type="application/json")
    _error(response, 403)


@pytest.mark.parametrize("body", ["[]", "[{\"name\": \"x\"}]", "\"text\"", "42", "null", "true"])
def test_a_body_that_is_not_a_json_object_is_refused(enterprise_admin, two_regions, body):
    enterprise = two_regions["sz"]["enterprise"]
    before = enterprise.name
    response = Client().patch(f"/api/v1/enterprises/{enterprise.pk}", data=body, content_type="application/json",
                              headers=_bearer(enterprise_admin))
    assert "JSON object" in _error(response, 400)["detail"]
    enterprise.refresh_from_db()
    assert enterprise.name == before


def test_invalid_json_is_400_with_the_reason(enterprise_admin, two_regions):
    enterprise = two_regions["sz"]["enterprise"]
    response = Client().patch(f"/api/v1/enterprises/{enterprise.pk}", data="{\"name\": ",
                              content_type="application/json", headers=_bearer(enterprise_admin))
    assert "not valid JSON" in _error(response, 400)["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_an_undeclared_content_type_is_415(enterprise_admin, two_regions, content_type):
    enterprise = two_regions["sz"]["enterprise"]
    response = Client().patch(f"/api/v1/enterprises/{enterprise.pk}", data="{\"name\": \"x\"}",
                              content_type=content_type, headers=_bearer(enterprise_admin))
    assert content_type in _error(response, 415)["detail"]


def test_multipart_without_a_boundary_is_400(reviewer):
    response = Client().post("/api/v1/imports", data=b"--x\r\n", content_type="multipart/form-data",
                             headers=_bearer(reviewer))
    assert "boundary" in _error(response, 400)["detail"]


@pytest.mark.parametrize("path", [
    "/api/v1/enterprises/99999999999999999999999",  # beyond 64 bits
    "/api/v1/enterprises/-1",
    "/api/v1/enterprises?offset=-1",
    "/api/v1/enterprises?limit=0",
    "/api/v1/enterprises?limit=100000",
    "/api/v1/evaluation/filings?year=1565",
    "/api/v1/evaluation/filings?year=2999",
    "/api/v1/evaluation/filings?year=-1",
    "/api/v1/evaluation/filings?year=0",
    "/api/v1/evaluation/filings?offset=-5",
    "/api/v1/evaluation/filings?offset=99999999999999999999",
])
def test_out_of_bounds_parameters_are_422(reviewer, path):
    body = _error(Client().get(path, headers=_bearer(reviewer)), 422)
    assert body["errors"] and all(e["field"] and e["message"] for e in body["errors"])


def test_unknown_api_paths_are_json_404(reviewer):
    _error(Client().get("/api/v1/no-such-thing", headers=_bearer(reviewer)), 404)


def test_an_unexpected_failure_is_a_logged_json_500(reviewer, monkeypatch, caplog):
    from techsme.accounts import api as accounts_api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(accounts_api, "roles", broken)
    with override_settings(DEBUG=False):
        response = Client(raise_request_exception=False).get("/api/v1/me", headers=_bearer(reviewer))
    body = _error(response, 500)
    assert "boom" not in body["detail"]
    assert any("boom" in (r.exc_text or "") or (r.exc_info and "boom" in str(r.exc_info[1])) for r in caplog.records)


def test_a_lone_surrogate_in_a_body_is_400(reviewer):
    body = '{"facts": [{"\\udbc0x": 1}]}'
    response = Client().post("/api/v1/assess", data=body, content_type="application/json", headers=_bearer(reviewer))
    assert "invalid character" in _error(response, 400)["detail"]


@pytest.mark.parametrize("value", ["5", "20240101", "1e9"])
def test_a_date_is_written_as_a_date_not_a_number(db, value):
    _error(Client().get(f"/api/v1/parameters?at={value}"), 422)
    assert Client().get("/api/v1/parameters?at=2024-01-01").status_code == 200


def test_a_lookup_of_a_missing_object_is_a_json_404(reviewer, monkeypatch):
    from techsme.accounts import api as accounts_api
    from techsme.accounts.models import Organisation

    def missing(*args, **kwargs):
        return Organisation.objects.get(pk=10**12)

    monkeypatch.setattr(accounts_api, "roles", missing)
    _error(Client().get("/api/v1/me", headers=_bearer(reviewer)), 404)


@pytest.mark.parametrize("row", [{"": 1}, {" tax_year": 2024}, {"employees": [1, 2]}, {"employees": {"a": 1}}])
def test_assess_refuses_rows_that_are_not_flat_facts(reviewer, row):
    response = Client().post("/api/v1/assess", data=json.dumps({"facts": [row]}), content_type="application/json",
                             headers=_bearer(reviewer))
    _error(response, 422)
