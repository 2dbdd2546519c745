"""The decision API refuses accepting a filing that fails a criterion (409 with the reason), takes an explicit
override only from an agency administrator (403 otherwise, 422 without a reason), and checks a selection first."""

import pytest
from django.test import Client

from techsme.accounts.services import do_create_api_token
from techsme.evaluation.models import Filing
from tests.evaluation.test_api import _cache_table  # noqa: F401 — the autouse cache table of the API tests

pytestmark = pytest.mark.django_db
BASE = "/api/v1/evaluation"
LOW_SCORE = {"rd_expense": 0}
RESTRICTED = {"restricted_industry": True}


def api(user) -> Client:
    """A token client that reads the messages in English."""
    _token, key = do_create_api_token(actor=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})


def test_single_decision_is_refused_with_the_reason(flow) -> None:
    filing = flow.submitted("sz", **LOW_SCORE)
    reviewer = api(flow["sz"]["reviewer"])
    refused = reviewer.post(f"{BASE}/filings/{filing.pk}/decision", {"decision": "accept"},
                            content_type="application/json")
    assert refused.status_code == 409
    assert "below 60 points" in refused.json()["detail"] and filing.enterprise.name in refused.json()["detail"]
    forbidden = reviewer.post(f"{BASE}/filings/{filing.pk}/decision",
                              {"decision": "accept", "override": True, "override_reason": "ok"},
                              content_type="application/json")
    assert forbidden.status_code == 403
    admin = api(flow["sz"]["admin"])
    missing = admin.post(f"{BASE}/filings/{filing.pk}/decision", {"decision": "accept", "override": True},
                         content_type="application/json")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "override_reason"
    assert Filing.objects.get(pk=filing.pk).state == "submitted"
    done = admin.post(f"{BASE}/filings/{filing.pk}/decision",
                      {"decision": "accept", "override": True, "override_reason": "研发投入已另行核实。"},
                      content_type="application/json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["state"] == "accepted" and body["override"]["reason"] == "研发投入已另行核实。"
    assert body["override"]["criteria"] == ["score_below_60"] and body["failed_criteria"] == ["score_below_60"]


def test_the_decision_has_no_default(flow) -> None:
    filing = flow.submitted("sz")
    response = api(flow["sz"]["reviewer"]).post(f"{BASE}/filings/{filing.pk}/decision", {},
                                                content_type="application/json")
    assert response.status_code == 422
    assert Filing.objects.get(pk=filing.pk).state == "submitted"


def test_batch_decision_api_refuses_a_filing_failing_a_hard_condition(flow) -> None:
    ids = [flow.submitted("sz").pk, flow.submitted("sz", **RESTRICTED).pk]
    reviewer = api(flow["sz"]["reviewer"])
    refused = reviewer.post(f"{BASE}/decisions", {"filings": ids, "decision": "accept"},
                            content_type="application/json")
    assert refused.status_code == 409 and "1 of the 2 selected filings" in refused.json()["detail"]
    assert set(Filing.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"submitted"}
    empty = reviewer.post(f"{BASE}/decisions", {"filings": [], "decision": "accept"},
                          content_type="application/json")
    assert empty.status_code == 422


def test_check_counts_each_failed_criterion_and_changes_nothing(flow) -> None:
    ids = [flow.submitted("sz").pk, flow.submitted("sz", **LOW_SCORE).pk, flow.submitted("sz", **LOW_SCORE).pk,
           flow.submitted("sz", **RESTRICTED).pk]
    checked = api(flow["sz"]["reviewer"]).post(f"{BASE}/decisions/check", {"filings": ids},
                                               content_type="application/json")
    assert checked.status_code == 200, checked.content
    body = checked.json()
    assert body["selected"] == 4 and body["failing"] == 3
    assert {c["code"]: c["count"] for c in body["criteria"]} == {"score_below_60": 2, "restricted_industry": 1}
    assert set(Filing.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"submitted"}
    other = flow.submitted("gz").pk
    assert api(flow["sz"]["reviewer"]).post(f"{BASE}/decisions/check", {"filings": [other]},
                                            content_type="application/json").status_code == 404
