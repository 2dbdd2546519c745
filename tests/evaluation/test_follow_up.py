"""The agency's follow-up page: pending revocations (deadline, days left) and change reports awaiting review;
acknowledging a report and starting a revocation notice from a major change. Scoped to the region."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from techsme.core.errors import Conflict, PermissionDenied
from techsme.core.models import AuditEvent
from techsme.evaluation.models import ChangeReport, EvaluationYear, Revocation, RevocationState
from techsme.evaluation.selectors import change_reports_awaiting, pending_revocations
from techsme.evaluation.services import (
    do_acknowledge_change_report,
    do_report_change,
    do_revoke_from_change_report,
    do_revoke_notice,
)

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_first_time_checks(db) -> None:
    EvaluationYear.objects.create(year=YEAR, onsite_check_first_time=False)


def _report(flow, registration, kind: str = "major") -> ChangeReport:
    today = timezone.localdate()
    return do_report_change(actor=flow.owner(registration.filing), registration=registration, kind=kind,
                            changed_on=today - timedelta(days=10),
                            new_name="新名称科技有限公司" if kind == "name" else "",
                            description="Sold the R&D division.", today=today)


def test_pending_revocations_with_days_left(flow) -> None:
    first, second = flow.registered("sz", n=2)
    today = timezone.localdate()
    do_revoke_notice(actor=flow["sz"]["admin"], registration=first, ground="fraud", notice_text="x",
                     defence_deadline=today + timedelta(days=7), today=today)
    do_revoke_notice(actor=flow["sz"]["admin"], registration=second, ground="fraud", notice_text="y",
                     defence_deadline=today + timedelta(days=2), today=today)
    rows = pending_revocations(flow["sz"]["reviewer"])
    assert [(r.registration_id, r.days_left) for r in rows] == [(second.pk, 2), (first.pk, 7)]
    assert pending_revocations(flow["gz"]["reviewer"]) == []
    Revocation.objects.filter(registration=first).update(state=RevocationState.DECIDED)
    assert [r.registration_id for r in pending_revocations(flow["sz"]["admin"])] == [second.pk]


def test_acknowledge_a_change_report(flow) -> None:
    (registration,) = flow.registered("sz")
    report = _report(flow, registration, "name")
    assert list(change_reports_awaiting(flow["sz"]["reviewer"])) == [report]
    assert not change_reports_awaiting(flow["gz"]["reviewer"]).exists()
    with pytest.raises(PermissionDenied):
        do_acknowledge_change_report(actor=flow["gz"]["reviewer"], report=report)
    with pytest.raises(PermissionDenied):
        do_acknowledge_change_report(actor=flow.owner(registration.filing), report=report)
    done = do_acknowledge_change_report(actor=flow["sz"]["reviewer"], report=report, note="Name updated.")
    assert done.acknowledged_by == flow["sz"]["reviewer"] and done.acknowledgement_note == "Name updated."
    assert AuditEvent.objects.filter(verb="evaluation.change_report.acknowledge").count() == 1
    assert not change_reports_awaiting(flow["sz"]["reviewer"]).exists()
    with pytest.raises(Conflict):
        do_acknowledge_change_report(actor=flow["sz"]["admin"], report=report)


def test_revocation_from_a_major_change(flow) -> None:
    (registration,) = flow.registered("sz")
    name_change = _report(flow, registration, "name")
    with pytest.raises(Conflict):
        do_revoke_from_change_report(actor=flow["sz"]["admin"], report=name_change, notice_text="x")
    report = _report(flow, registration, "major")
    with pytest.raises(PermissionDenied):  # reviewers may acknowledge, only administrators give notice
        do_revoke_from_change_report(actor=flow["sz"]["reviewer"], report=report, notice_text="x")
    with pytest.raises(PermissionDenied):
        do_revoke_from_change_report(actor=flow["gz"]["admin"], report=report, notice_text="x")
    revocation = do_revoke_from_change_report(actor=flow["sz"]["admin"], report=report,
                                              notice_text="The R&D division was sold.")
    report.refresh_from_db()
    assert report.revocation == revocation and report.acknowledged_at is not None
    assert revocation.state == RevocationState.NOTICE and revocation.ground == "conditions_not_met"
    assert AuditEvent.objects.filter(verb="evaluation.change_report.revoke").exists()
    with pytest.raises(Conflict):
        do_revoke_from_change_report(actor=flow["sz"]["admin"], report=report, notice_text="again")


def test_follow_up_page_and_its_forms(client, flow) -> None:
    first, second = flow.registered("sz", n=2)
    do_revoke_notice(actor=flow["sz"]["admin"], registration=first, ground="fraud", notice_text="x")
    report = _report(flow, second, "major")
    client.force_login(flow["sz"]["admin"])
    queue = client.get(reverse("evaluation:queue"))
    assert reverse("evaluation:follow_up") in queue.content.decode()
    page = client.get(reverse("evaluation:follow_up"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert first.number in html and second.number in html and "Days left" in html
    assert reverse("evaluation:change_report_revoke", args=[report.pk]) in html
    response = client.post(reverse("evaluation:change_report_revoke", args=[report.pk]),
                           {"ground": "conditions_not_met", "notice_text": "The R&D division was sold."})
    assert response.status_code == 302
    assert Revocation.objects.filter(registration=second, state=RevocationState.NOTICE).exists()
    report.refresh_from_db()
    assert report.acknowledged_at is not None


def test_follow_up_page_is_scoped(client, flow) -> None:
    (registration,) = flow.registered("sz")
    report = _report(flow, registration)
    client.force_login(flow["gz"]["admin"])
    page = client.get(reverse("evaluation:follow_up"))
    assert page.status_code == 200 and registration.number not in page.content.decode()
    assert client.post(reverse("evaluation:change_report_acknowledge", args=[report.pk])).status_code == 404
    assert client.post(reverse("evaluation:change_report_revoke", args=[report.pk]),
                       {"notice_text": "x"}).status_code == 404
    report.refresh_from_db()
    assert report.acknowledged_at is None and report.revocation is None
    client.force_login(flow.owner(registration.filing))  # enterprise staff have no follow-up page
    assert client.get(reverse("evaluation:follow_up")).status_code == 403
    client.force_login(flow["sz"]["reviewer"])
    assert client.post(reverse("evaluation:change_report_acknowledge", args=[report.pk]),
                       {"note": "ok"}).status_code == 302
    report.refresh_from_db()
    assert report.acknowledged_at is not None


def test_follow_up_page_in_chinese(client, flow) -> None:
    (registration,) = flow.registered("sz")
    do_revoke_notice(actor=flow["sz"]["admin"], registration=registration, ground="fraud", notice_text="x",
                     defence_deadline=date.today() + timedelta(days=5))
    client.force_login(flow["sz"]["reviewer"])
    html = client.get(reverse("evaluation:follow_up"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "剩余天数" in html and "待处理的撤销和变更报告" in html


def test_follow_up_over_the_api(flow) -> None:
    from django.core.management import call_command
    from django.test import Client

    from techsme.accounts.services import do_create_api_token

    call_command("createcachetable", verbosity=0)

    def api(user) -> Client:  # noqa: ANN001
        _token, key = do_create_api_token(actor=user, name="test")
        return Client(headers={"Authorization": f"Bearer {key}"})

    base = "/api/v1/evaluation/change-reports"
    first, second = flow.registered("sz", n=2)
    report = _report(flow, first, "name")
    major = _report(flow, second, "major")
    assert api(flow["gz"]["reviewer"]).post(f"{base}/{report.pk}/acknowledgement", {},
                                            content_type="application/json").status_code == 404
    done = api(flow["sz"]["reviewer"]).post(f"{base}/{report.pk}/acknowledgement", {"note": "ok"},
                                            content_type="application/json")
    assert done.status_code == 200 and done.json()["acknowledged_at"] and done.json()["acknowledgement_note"] == "ok"
    assert api(flow["sz"]["reviewer"]).post(f"{base}/{report.pk}/acknowledgement", {},
                                            content_type="application/json").status_code == 409
    assert api(flow["sz"]["reviewer"]).post(f"{base}/{major.pk}/revocation", {"notice_text": "x"},
                                            content_type="application/json").status_code == 403
    assert api(flow["gz"]["admin"]).post(f"{base}/{major.pk}/revocation", {"notice_text": "x"},
                                         content_type="application/json").status_code == 404
    started = api(flow["sz"]["admin"]).post(f"{base}/{major.pk}/revocation", {"notice_text": "Sold the R&D unit."},
                                            content_type="application/json")
    assert started.status_code == 201 and started.json()["state"] == "notice"
    queue = api(flow["sz"]["reviewer"]).get("/api/v1/evaluation/queue", {"industry": "C"})
    assert queue.status_code == 200 and queue.json()["count"] == 0
