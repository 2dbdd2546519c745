"""The evaluation JSON API: the whole journey, documented error codes (403/404/409/422/429) and scope."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from techsme.accounts.services import do_create_api_token
from techsme.evaluation.models import Filing, PublicityBatch

pytestmark = pytest.mark.django_db
BASE = "/api/v1/evaluation"


@pytest.fixture(autouse=True)
def _cache_table(db) -> None:
    call_command("createcachetable", verbosity=0)
    from django.core.cache import cache

    cache.clear()


def api(user) -> Client:
    _token, key = do_create_api_token(actor=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_journey_over_the_api(flow) -> None:
    enterprise = flow.enterprise("sz")
    ent = api(enterprise.test_admin)
    started = ent.post(f"{BASE}/enterprises/{enterprise.pk}/filings", content_type="application/json")
    assert started.status_code == 201, started.content
    filing_id = started.json()["id"]
    assert started.json()["state"] == "draft" and started.json()["facts"]["employees"] == 30
    again = ent.post(f"{BASE}/enterprises/{enterprise.pk}/filings", content_type="application/json")
    assert again.status_code == 409 and again.json()["detail"]
    preview = ent.post(f"{BASE}/filings/{filing_id}/preview", {"tech_staff": "3"}, content_type="application/json")
    assert preview.status_code == 200 and preview.json()["explanation"]["schema"] == "techsme.explanation/v1"
    assert Filing.objects.get(pk=filing_id).facts["tech_staff"] == 10  # the preview saved nothing
    bad = ent.patch(f"{BASE}/filings/{filing_id}/facts", {"tech_staff": "x", "colour": "red"},
                    content_type="application/json")
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"colour", "tech_staff"}
    bad = ent.patch(f"{BASE}/filings/{filing_id}/facts", {"tech_staff": "x"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "tech_staff"
    ok = ent.patch(f"{BASE}/filings/{filing_id}/facts", {"tech_staff": "12", "ip_class1": "1"},
                   content_type="application/json")
    assert ok.status_code == 200 and ok.json()["facts"]["tech_staff"] == 12
    doc = ent.post(f"{BASE}/filings/{filing_id}/documents",
                   {"file": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, content_type="image/png")})
    assert doc.status_code == 201 and doc.json()["content_type"] == "image/png"
    wrong = ent.post(f"{BASE}/filings/{filing_id}/documents",
                     {"file": SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="image/png")})
    assert wrong.status_code == 422
    assert ent.post(f"{BASE}/filings/{filing_id}/submit", {"attestation": False},
                    content_type="application/json").status_code == 409
    submitted = ent.post(f"{BASE}/filings/{filing_id}/submit", {"attestation": True},
                         content_type="application/json")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert submitted.json()["score"] is not None
    assert ent.patch(f"{BASE}/filings/{filing_id}/facts", {"tech_staff": "11"},
                     content_type="application/json").status_code == 409  # frozen
    # the enterprise cannot decide its own filing
    assert ent.post(f"{BASE}/filings/{filing_id}/decision", {"decision": "accept"},
                    content_type="application/json").status_code == 403
    reviewer = api(flow["sz"]["reviewer"])
    queue = reviewer.get(f"{BASE}/queue")
    assert queue.status_code == 200 and filing_id in [i["id"] for i in queue.json()["items"]]
    assert reviewer.post(f"{BASE}/filings/{filing_id}/decision", {"decision": "reject"},
                         content_type="application/json").status_code == 422  # reasons required
    if submitted.json()["needs_onsite_check"]:
        assert reviewer.post(f"{BASE}/filings/{filing_id}/onsite-check", {"result": "passed"},
                             content_type="application/json").status_code == 200
    accepted = reviewer.post(f"{BASE}/filings/{filing_id}/decision", {"decision": "accept"},
                             content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert reviewer.post(f"{BASE}/filings/{filing_id}/decision", {"decision": "accept"},
                         content_type="application/json").status_code == 409  # already accepted
    manager = api(flow.publisher("sz"))
    batch = manager.post(f"{BASE}/batches", {"agency": flow["sz"]["agency"].pk, "filings": [filing_id]},
                         content_type="application/json")
    assert batch.status_code == 201, batch.content
    batch_id = batch.json()["id"]
    public = Client()
    assert batch_id in [b["id"] for b in public.get(f"{BASE}/batches?state=open").json()]
    entries = public.get(f"{BASE}/batches/{batch_id}").json()["entries"]
    assert entries[0]["filing_id"] == filing_id and "contact" not in entries[0]
    missing = public.post(f"{BASE}/batches/{batch_id}/objections",
                          {"filing_id": filing_id, "name": "王", "text": "有疑问"}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "contact"
    lodged = public.post(f"{BASE}/batches/{batch_id}/objections",
                         {"filing_id": filing_id, "name": "王", "contact": "wang@example.cn", "text": "有疑问"},
                         content_type="application/json")
    assert lodged.status_code == 201
    assert manager.post(f"{BASE}/batches/{batch_id}/close").status_code == 409  # still in publicity
    objections = manager.get(f"{BASE}/batches/{batch_id}/objections").json()
    assert objections[0]["contact"] == "wang@example.cn"
    assert manager.post(f"{BASE}/objections/{objections[0]['id']}/resolution",
                        {"decision": "dismiss", "resolution": "不成立"},
                        content_type="application/json").status_code == 200
    past = PublicityBatch.objects.get(pk=batch_id).published_on - timedelta(days=40)
    PublicityBatch.objects.filter(pk=batch_id).update(published_on=past, ends_on=past + timedelta(days=14))
    closed = manager.post(f"{BASE}/batches/{batch_id}/close")
    assert closed.status_code == 200, closed.content
    number = closed.json()[0]["number"]
    assert public.get(f"{BASE}/verify/{number}").json()["state"] == "registered"
    assert public.get(f"{BASE}/verify/nonsense").status_code == 404
    found = public.get(f"{BASE}/registrations", {"uscc": enterprise.uscc}).json()
    assert found["count"] == 1 and found["items"][0]["number"] == number
    assert public.get(f"{BASE}/registrations", {"state": "weird"}).status_code == 422
    assert ent.get(f"{BASE}/filings/{filing_id}").json()["registration_number"] == number
    registration_id = Filing.objects.get(pk=filing_id).registration.pk
    pdf = ent.get(f"{BASE}/registrations/{registration_id}/certificate")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert api(flow["gz"]["reviewer"]).get(f"{BASE}/registrations/{registration_id}/certificate").status_code == 404


def test_changing_an_id_never_reaches_another_region(flow) -> None:
    gz_filing = flow.submitted("gz")
    gz_registration = flow.registered("gz")[0]
    sz_reviewer, sz_manager = api(flow["sz"]["reviewer"]), api(flow.publisher("sz"))
    sz_enterprise = api(flow.enterprise("sz").test_admin)
    for client in (sz_reviewer, sz_enterprise):
        assert client.get(f"{BASE}/filings/{gz_filing.pk}").status_code == 404
        assert client.post(f"{BASE}/filings/{gz_filing.pk}/decision", {"decision": "accept"},
                           content_type="application/json").status_code == 404
        assert client.patch(f"{BASE}/filings/{gz_filing.pk}/facts", {"employees": "1"},
                            content_type="application/json").status_code == 404
        assert gz_filing.pk not in [f["id"] for f in client.get(f"{BASE}/filings").json()["items"]]
    assert sz_reviewer.post(f"{BASE}/decisions", {"filings": [gz_filing.pk], "decision": "accept"},
                            content_type="application/json").status_code == 404
    assert sz_enterprise.post(f"{BASE}/enterprises/{gz_filing.enterprise_id}/filings",
                              content_type="application/json").status_code == 404
    batch = gz_registration.filing.batch
    assert sz_manager.post(f"{BASE}/batches/{batch.pk}/close").status_code == 404
    assert sz_manager.get(f"{BASE}/batches/{batch.pk}/objections").status_code == 404
    assert sz_manager.post(f"{BASE}/batches", {"agency": flow["sz"]["agency"].pk, "filings": [gz_filing.pk]},
                           content_type="application/json").status_code == 404
    sz_admin = api(flow["sz"]["admin"])
    assert sz_admin.post(f"{BASE}/registrations/{gz_registration.pk}/revocations",
                         {"ground": "fraud", "notice_text": "x"}, content_type="application/json").status_code == 404
    gz_filing.refresh_from_db()
    assert gz_filing.state == "submitted"
    assert Client().get(f"{BASE}/filings/{gz_filing.pk}").status_code == 401


def test_public_objections_are_rate_limited(flow, settings) -> None:
    batch = flow.published("sz")
    PublicityBatch.objects.filter(pk=batch.pk).update(published_on=batch.published_on.today(),
                                                      ends_on=batch.published_on.today() + timedelta(days=14))
    filing = batch.filings.get()
    settings.EVALUATION_OBJECTIONS_PER_IP = 1
    body = {"filing_id": filing.pk, "name": "李", "contact": "li@example.cn", "text": "x"}
    public = Client()
    assert public.post(f"{BASE}/batches/{batch.pk}/objections", body, content_type="application/json").status_code \
        == 201
    assert public.post(f"{BASE}/batches/{batch.pk}/objections", body, content_type="application/json").status_code \
        == 429


def test_offline_import_over_the_api(two_regions, make_user, django_capture_on_commit_callbacks) -> None:
    from techsme.core.exports import write_csv
    from tests.evaluation.test_bulk_import import COLUMNS, offline_rows

    manager = api(make_user("programme_manager", two_regions["sz"]["agency"]))
    data = write_csv(offline_rows(3), COLUMNS)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"{BASE}/imports", {"file": SimpleUploadedFile("x.csv", data)})
    assert response.status_code == 202, response.content
    assert response.json()["filings"] == 3 and Filing.objects.filter(state="submitted").count() == 3
    rows = offline_rows(2, start=60000)
    rows[0]["employees"] = "lots"
    bad = manager.post(f"{BASE}/imports", {"file": SimpleUploadedFile("y.csv", io.BytesIO(
        write_csv(rows, COLUMNS)).getvalue())})
    assert bad.status_code == 422 and bad.json()["errors"][0]["row"] == 2
    reviewer = api(two_regions["sz"]["reviewer"])
    assert reviewer.post(f"{BASE}/imports", {"file": SimpleUploadedFile("x.csv", data)}).status_code == 403
