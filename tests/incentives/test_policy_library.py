"""The public policy library lists every parameter and result, with citations, history and flags."""

import pytest
from django.test import Client

from techsme.rules import parameter_listing, variables_metadata


@pytest.mark.django_db
def test_every_parameter_is_listed_with_its_citation() -> None:
    body = Client().get("/incentives/policy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for p in parameter_listing():
        assert f"/incentives/policy/parameters/{p['path']}/" in body
        assert p["history"][-1]["reference"]["document"] in body
    assert "UNCONFIRMED" in body


@pytest.mark.django_db
def test_every_parameter_page_shows_history_citations_and_users() -> None:
    client = Client()
    for p in parameter_listing():
        response = client.get(f"/incentives/policy/parameters/{p['path']}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, p["path"]
        body = response.content.decode()
        assert p["label"]["zh"] in body
        for entry in p["history"]:
            assert entry["reference"]["document"] in body
            if entry["reference"].get("href"):
                assert entry["reference"]["href"] in body
        for name in p["used_by"]:
            assert f"/incentives/policy/variables/{name}/" in body
        assert p["last_value_still_valid_on"] in body
        if any(h["unconfirmed"] for h in p["history"]):
            assert "待核实" in body


@pytest.mark.django_db
def test_variables_and_search_in_both_languages() -> None:
    client = Client()
    for v in variables_metadata():
        if not v["is_input"]:
            assert client.get(f"/incentives/policy/variables/{v['name']}/").status_code == 200
    zh = client.get("/incentives/policy/", {"q": "加计扣除"}).context
    assert any(p["path"] == "rd.rate.general" for p in zh["parameters"])
    assert all(p["path"] != "eit.rate.hnte" for p in zh["parameters"])
    en = client.get("/incentives/policy/", {"q": "small low-profit"}).context
    assert {p["path"] for p in en["parameters"]} >= {"eit.small_low_profit.income_limit"}
    assert client.get("/incentives/policy/parameters/no.such.thing/").status_code == 404
