"""The evaluation pages: enterprise journey with the live score, review queue, publicity, public pages, scope."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from techsme.evaluation.models import Filing, FilingState, Objection, PublicityBatch, Registration

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _cache_table(db) -> None:
    call_command("createcachetable", verbosity=0)
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_enterprise_starts_edits_with_live_score_uploads_and_submits(flow) -> None:
    enterprise = flow.enterprise("sz")
    client = login(enterprise.test_admin)
    home = client.get(reverse("evaluation:home"))
    assert home.status_code == 200 and "self-evaluation" in home.content.decode()
    response = client.post(reverse("evaluation:start", args=[enterprise.pk]))
    filing = Filing.objects.get(enterprise=enterprise)
    assert response.status_code == 302 and response["Location"] == reverse("evaluation:edit", args=[filing.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tech-staff score" in text and 'id="live-score"' in text and "live-score.js" in text
    # the live score: a preview with other figures changes the score, nothing is saved
    before = dict(filing.facts)
    preview = client.post(reverse("evaluation:preview", args=[filing.pk]), {"tech_staff": "2", "employees": "30",
                                                                          "ip_class1": "1", "ip_class2": "0"})
    assert preview.status_code == 200
    low = re.search(r'data-score="([^"]*)"', preview.content.decode()).group(1)
    preview = client.post(reverse("evaluation:preview", args=[filing.pk]), {"tech_staff": "12", "employees": "30",
                                                                          "ip_class1": "1", "ip_class2": "0"})
    high = re.search(r'data-score="([^"]*)"', preview.content.decode()).group(1)
    assert low and high and float(low) < float(high)
    assert "To reach the next band" in preview.content.decode() or "highest band" in preview.content.decode()
    filing.refresh_from_db()
    assert filing.facts == before
    bad = client.post(reverse("evaluation:preview", args=[filing.pk]), {"employees": "many"})
    assert bad.status_code == 200 and "not updated" in bad.content.decode()
    # saving
    saved = client.post(reverse("evaluation:edit", args=[filing.pk]), {"tech_staff": "12", "employees": "30"})
    assert saved.status_code == 302
    filing.refresh_from_db()
    assert filing.facts["tech_staff"] == 12
    invalid = client.post(reverse("evaluation:edit", args=[filing.pk]), {"tech_staff": "40", "employees": "30"})
    assert invalid.status_code == 422
    # documents: type checked, served only through the scoped view
    client.post(reverse("evaluation:upload", args=[filing.pk]),
                {"file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")})
    client.post(reverse("evaluation:upload", args=[filing.pk]),
                {"file": SimpleUploadedFile("evil.html", b"<script>", content_type="application/pdf")})
    assert [d.original_name for d in filing.documents.all()] == ["plan.pdf"]
    document = filing.documents.get()
    download = client.get(reverse("evaluation:document", args=[filing.pk, document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf" and "attachment" in download["Content-Disposition"]
    assert login(flow["gz"]["reviewer"]).get(
        reverse("evaluation:document", args=[filing.pk, document.pk])).status_code == 404
    # attestation required
    client.post(reverse("evaluation:submit", args=[filing.pk]), {})
    filing.refresh_from_db()
    assert filing.state == FilingState.DRAFT
    client.post(reverse("evaluation:submit", args=[filing.pk]), {"attestation": "1"})
    filing.refresh_from_db()
    assert filing.state == FilingState.SUBMITTED and filing.staff_score is not None
    # frozen: the edit page sends back to the status page
    assert client.get(reverse("evaluation:edit", args=[filing.pk])).status_code == 302
    detail = client.get(reverse("evaluation:detail", args=[filing.pk])).content.decode()
    assert "Status history" in detail and "submitted" in detail


def test_review_queue_scope_and_decisions(flow) -> None:
    mine, other = flow.submitted("sz"), flow.submitted("gz")
    sz = login(flow["sz"]["reviewer"])
    page = sz.get(reverse("evaluation:queue"))
    text = page.content.decode()
    assert page.status_code == 200 and mine.enterprise.name in text and other.enterprise.name not in text
    assert "Days waiting" in text
    # another city's filing: invisible by URL, refused in a batch
    assert sz.get(reverse("evaluation:detail", args=[other.pk])).status_code == 404
    assert sz.post(reverse("evaluation:decide", args=[other.pk]), {"decision": "accept"}).status_code == 404
    assert sz.post(reverse("evaluation:queue"), {"filings": [mine.pk, other.pk], "decision": "accept"}).status_code \
        == 404
    other.refresh_from_db()
    assert other.state == FilingState.SUBMITTED
    # return needs reasons; the enterprise sees them
    sz.post(reverse("evaluation:decide", args=[mine.pk]), {"decision": "return", "reason": ""})
    mine.refresh_from_db()
    assert mine.state == FilingState.SUBMITTED
    sz.post(reverse("evaluation:decide", args=[mine.pk]), {"decision": "return", "reason": "请补充研发费用明细"})
    mine.refresh_from_db()
    assert mine.state == FilingState.RETURNED
    owner = login(flow.owner(mine))
    assert "请补充研发费用明细" in owner.get(reverse("evaluation:edit", args=[mine.pk])).content.decode()
    owner.post(reverse("evaluation:submit", args=[mine.pk]), {"attestation": "1"})
    mine.refresh_from_db()
    assert mine.state == FilingState.SUBMITTED
    # batch decision in the queue
    another = flow.submitted("sz")
    choice = {"filings": [mine.pk, another.pk], "decision": "accept"}
    confirm = sz.post(reverse("evaluation:queue"), choice)  # first the check, nothing decided yet
    assert confirm.status_code == 200 and "Every selected filing passes the criteria." in confirm.content.decode()
    assert set(Filing.objects.filter(pk__in=[mine.pk, another.pk]).values_list("state", flat=True)) == {"submitted"}
    response = sz.post(reverse("evaluation:queue"), choice | {"confirm": "1"})
    assert response.status_code == 302
    assert set(Filing.objects.filter(pk__in=[mine.pk, another.pk]).values_list("state", flat=True)) == {"accepted"}
    # an enterprise user cannot open the queue
    assert owner.get(reverse("evaluation:queue")).status_code == 403


def test_publish_object_resolve_close_and_public_pages(flow, settings) -> None:
    filings = [flow.accepted("sz") for _ in range(2)]
    manager = login(flow.publisher("sz"))
    assert flow.accepted("gz").enterprise.name not in manager.get(reverse("evaluation:publicity")).content.decode()
    response = manager.post(reverse("evaluation:publicity"), {"agency": flow["sz"]["agency"].pk,
                                                              "filings": [f.pk for f in filings]})
    batch = PublicityBatch.objects.get()
    assert response.status_code == 302 and batch.filings.count() == 2
    public = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    listing = public.get(reverse("evaluation:public_publicity")).content.decode()
    assert batch.code in listing
    page = public.get(reverse("evaluation:public_batch", args=[batch.pk]))
    assert filings[0].enterprise.name in page.content.decode()
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    url = reverse("evaluation:objection", args=[batch.pk])
    data = {"filing": filings[0].pk, "name": "张三", "contact": "13900000000", "text": "知识产权权属存疑"}
    assert public.post(url, data).status_code == 403  # CSRF
    data["csrfmiddlewaretoken"] = token
    assert public.post(url, data | {"contact": ""}).status_code == 302
    assert not Objection.objects.exists()  # contact details are required
    settings.EVALUATION_OBJECTIONS_PER_IP = 2
    assert public.post(url, data).status_code == 302
    assert public.post(url, data).status_code == 302
    assert public.post(url, data).status_code == 429  # rate-limited per address
    assert Objection.objects.count() == 2
    # the agency resolves both and closes after the period (the batch is dated in the past)
    for objection in Objection.objects.all():
        manager.post(reverse("evaluation:objection_resolve", args=[objection.pk]),
                     {"decision": "dismiss", "resolution": "经核查，权属清晰。"})
    assert login(flow.publisher("gz")).get(reverse("evaluation:batch", args=[batch.pk])).status_code == 404
    past = batch.published_on - timedelta(days=30)
    PublicityBatch.objects.filter(pk=batch.pk).update(published_on=past, ends_on=past + timedelta(days=14))
    manager.post(reverse("evaluation:batch_close", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "closed"
    registrations = list(Registration.objects.order_by("pk"))
    assert len(registrations) == 2
    number = registrations[0].number
    # public database, export, verification, statistics
    found = public.get(reverse("evaluation:public_database"), {"q": filings[0].enterprise.name}).content.decode()
    assert number in found
    by_uscc = public.get(reverse("evaluation:public_database"), {"uscc": filings[0].enterprise.uscc})
    assert number in by_uscc.content.decode()
    csv = public.get(reverse("evaluation:database_export", args=["csv"]))
    assert csv.status_code == 200 and number in csv.content.decode("utf-8-sig")
    assert public.get(reverse("evaluation:database_export", args=["xlsx"])).status_code == 200
    valid = public.get(reverse("evaluation:verify", args=[number]))
    assert valid.status_code == 200 and 'data-state="registered"' in valid.content.decode()
    assert public.get(reverse("evaluation:verify", args=["2026000000099999"])).status_code == 404
    assert public.get(reverse("evaluation:statistics")).status_code == 200
    # the certificate: for the enterprise, not for another city's staff
    owner = login(flow.owner(registrations[0].filing))
    pdf = owner.get(reverse("evaluation:certificate", args=[registrations[0].pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert login(flow["gz"]["reviewer"]).get(
        reverse("evaluation:certificate", args=[registrations[0].pk])).status_code == 404


def test_objection_after_the_period_is_refused(flow) -> None:
    batch = flow.published("sz")
    PublicityBatch.objects.filter(pk=batch.pk).update(ends_on=batch.published_on + timedelta(days=1))
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("evaluation:public_batch", args=[batch.pk])).content.decode()
    assert "has ended" in page


def test_pages_render_in_chinese(flow) -> None:
    filing = flow.submitted("sz")
    client = login(flow["sz"]["reviewer"])
    with translation.override("zh-hans"):
        for url in (reverse("evaluation:queue"), reverse("evaluation:detail", args=[filing.pk]),
                    reverse("evaluation:public_database"), reverse("evaluation:public_publicity"),
                    reverse("evaluation:statistics"), reverse("evaluation:home")):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            assert response.status_code == 200, url
            assert 'lang="zh-hans"' in response.content.decode()


def test_demo_data_show_on_every_page() -> None:
    from datetime import date

    from techsme.accounts.models import User
    from techsme.evaluation.demo import seed_evaluation_demo
    from techsme.registry import demo

    today = date(2026, 11, 26)
    demo.seed_demo(enterprises=250, seed=7, today=today)
    seed_evaluation_demo(today=today)
    reviewer = login(User.objects.get(username=demo.REVIEWER))
    queue = reviewer.get(reverse("evaluation:queue"))
    assert queue.status_code == 200 and queue.content.decode().count('name="filings"') >= 5
    manager = login(User.objects.get(username=demo.MANAGER))
    assert manager.get(reverse("evaluation:publicity")).status_code == 200
    for batch in PublicityBatch.objects.all():
        assert manager.get(reverse("evaluation:batch", args=[batch.pk])).status_code == 200
        public_page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("evaluation:public_batch", args=[batch.pk]))
        assert public_page.status_code == 200
    root = login(User.objects.get(username=demo.SUPERUSER))
    for filing in Filing.objects.all():
        assert root.get(reverse("evaluation:detail", args=[filing.pk])).status_code == 200, filing.state
    assert "1" in root.get(reverse("evaluation:import")).content.decode()  # the filing waiting to be routed
    public = Client(HTTP_ACCEPT_LANGUAGE="en")
    database = public.get(reverse("evaluation:public_database")).content.decode()
    assert "revoked" in database and "lapsed" in database
    stats = public.get(reverse("evaluation:statistics")).content.decode()
    assert "Score distribution" in stats
    enterprise_admin = login(User.objects.get(username=demo.ENTERPRISE_ADMIN))
    home = enterprise_admin.get(reverse("evaluation:home")).content.decode()
    assert "self-evaluation" in home  # the demo enterprise can start this year's filing


def test_registered_enterprise_reports_a_name_change_within_three_months(flow) -> None:
    from datetime import date

    from techsme.evaluation.models import ChangeReport
    from techsme.evaluation.services import change_report_deadline, do_report_change

    registration = flow.registered("sz")[0]
    owner = login(flow.owner(registration.filing))
    url = reverse("evaluation:report_change", args=[registration.pk])
    owner.post(url, {"kind": "name", "changed_on": "2026-10-01", "new_name": "", "description": "更名"})
    assert not ChangeReport.objects.exists()  # the new name is required
    owner.post(url, {"kind": "name", "changed_on": "2026-10-01", "new_name": "新名称科技有限公司",
                     "description": "工商变更登记"})
    report = ChangeReport.objects.get()
    assert report.new_name == "新名称科技有限公司" and not report.late
    page = owner.get(reverse("evaluation:detail", args=[registration.filing_id])).content.decode()
    assert "新名称科技有限公司" in page
    late = do_report_change(actor=flow.owner(registration.filing), registration=registration, kind="major",
                            changed_on=date(2026, 5, 1), description="主营业务变更", today=date(2026, 11, 26))
    assert late.late
    assert change_report_deadline(date(2026, 11, 30)) == date(2027, 2, 28)
    # another city's reviewer cannot post a report for it
    assert login(flow["gz"]["reviewer"]).post(url, {"kind": "major"}).status_code == 404
