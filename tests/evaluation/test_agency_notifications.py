"""E-mails to the agency staff covering the enterprise (objection, change report, annual update, defence) and to the
enterprise at each step — sent only after the commit."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from techsme.evaluation.models import EvaluationYear
from techsme.evaluation.services import (
    agency_recipients,
    do_lodge_objection,
    do_record_annual_update,
    do_record_onsite_check,
    do_report_change,
    do_revoke_decide,
    do_revoke_defence,
    do_revoke_notice,
)
from techsme.registry.models import AnnualFacts

from .conftest import PUBLISHED_ON, YEAR

pytestmark = pytest.mark.django_db
TODAY = date(YEAR, 11, 2)


@pytest.fixture(autouse=True)
def _no_first_time_checks(db) -> None:
    EvaluationYear.objects.create(year=YEAR, onsite_check_first_time=False)


@pytest.fixture
def staff(flow, make_org, make_user) -> dict:
    """E-mail addresses for the staff of both cities, plus a province admin (covers both), a Shenzhen programme
    manager, a Shenzhen reviewer without an address and an inactive Shenzhen admin."""
    out = {}
    for key in ("sz", "gz"):
        for role in ("reviewer", "admin"):
            user = flow[key][role]
            user.email = f"{key}-{role}@agency.example"
            user.save()
            out[f"{key}-{role}"] = user.email
    province = make_org("agency", "440000", "province")
    make_user("agency_admin", province, email="province-admin@agency.example")
    make_user("programme_manager", flow["sz"]["agency"], email="sz-pm@agency.example")
    make_user("agency_reviewer", flow["sz"]["agency"])
    make_user("agency_admin", flow["sz"]["agency"], email="sz-gone@agency.example", is_active=False)
    return out


def _sent_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def test_recipients_are_the_staff_whose_region_covers_the_enterprise(flow, staff) -> None:
    assert agency_recipients("440305") == sorted(
        ["sz-reviewer@agency.example", "sz-admin@agency.example", "province-admin@agency.example"])
    assert agency_recipients("440106") == sorted(
        ["gz-reviewer@agency.example", "gz-admin@agency.example", "province-admin@agency.example"])
    assert agency_recipients("110105") == []


def test_objection_notifies_the_region_and_its_programme_managers(flow, staff,
                                                                  django_capture_on_commit_callbacks) -> None:
    batch = flow.published("sz")
    filing = batch.filings.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_lodge_objection(batch=batch, filing=filing, name="张三", contact="13800000000", text="数据不实",
                           today=PUBLISHED_ON)
    assert {to for m in mail.outbox for to in m.to} == {
        "sz-reviewer@agency.example", "sz-admin@agency.example", "province-admin@agency.example",
        "sz-pm@agency.example"}
    assert all(len(m.to) == 1 for m in mail.outbox)  # one message each: staff do not see each other's address
    assert filing.enterprise.name in mail.outbox[0].subject


def test_nothing_is_sent_when_the_transaction_rolls_back(flow, staff, django_capture_on_commit_callbacks) -> None:
    from django.db import transaction

    batch = flow.published("sz")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            do_lodge_objection(batch=batch, filing=batch.filings.get(), name="a", contact="b", text="c",
                               today=PUBLISHED_ON)
            raise RuntimeError
    assert callbacks == [] and mail.outbox == []


def test_change_report_notifies_the_agency(flow, staff, django_capture_on_commit_callbacks) -> None:
    (registration,) = flow.registered("sz")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        do_report_change(actor=flow.owner(registration.filing), registration=registration, kind="major",
                         changed_on=TODAY - timedelta(days=200), description="Sold the R&D division.", today=TODAY)
    assert _sent_to("sz-admin@agency.example") and _sent_to("sz-reviewer@agency.example")
    assert not _sent_to("gz-admin@agency.example")
    assert "late" in _sent_to("sz-admin@agency.example")[0].body
    assert _sent_to(flow.owner(registration.filing).email)  # the enterprise's receipt


def test_annual_update_notifies_agency_and_enterprise(flow, staff, django_capture_on_commit_callbacks) -> None:
    (registration,) = flow.registered("sz")
    AnnualFacts.objects.create(enterprise=registration.enterprise, tax_year=YEAR, employees=30, tech_staff=10)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_record_annual_update(actor=flow.owner(registration.filing), registration=registration,
                                now=timezone.make_aware(timezone.datetime(YEAR + 1, 2, 1, 12)))
    assert _sent_to("sz-reviewer@agency.example") and _sent_to("province-admin@agency.example")
    assert not _sent_to("gz-reviewer@agency.example")
    assert registration.number in _sent_to(flow.owner(registration.filing).email)[0].body


def test_defence_notifies_the_agency_and_the_decision_not_to_revoke_the_enterprise(
        flow, staff, django_capture_on_commit_callbacks) -> None:
    (registration,) = flow.registered("sz")
    owner = flow.owner(registration.filing)
    revocation = do_revoke_notice(actor=flow["sz"]["admin"], registration=registration, ground="conditions_not_met",
                                  notice_text="Revenue above the limit.", today=TODAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        revocation = do_revoke_defence(actor=owner, revocation=revocation, text="Restated.", today=TODAY)
    assert _sent_to("sz-admin@agency.example") and _sent_to("sz-reviewer@agency.example")
    assert not _sent_to("gz-admin@agency.example")
    assert _sent_to(owner.email)  # receipt
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        do_revoke_decide(actor=flow["sz"]["admin"], revocation=revocation, decision="not_revoked",
                         reason="The restated accounts meet the limit.", today=TODAY)
    (message,) = _sent_to(owner.email)
    assert registration.number in message.subject and "restated accounts" in message.body


def test_enterprise_is_told_of_every_step(flow, django_capture_on_commit_callbacks) -> None:
    """submit → on-site check → accept → publish → register each send the enterprise an e-mail."""
    from techsme.evaluation.services import do_close_batch, do_decide_filing, do_publish_batch

    EvaluationYear.objects.filter(year=YEAR).update(onsite_check_first_time=True)
    with django_capture_on_commit_callbacks(execute=True):
        filing = flow.submitted("sz")
    owner = flow.owner(filing)
    steps = [len(_sent_to(owner.email))]
    reviewer = flow["sz"]["reviewer"]
    with django_capture_on_commit_callbacks(execute=True):
        do_record_onsite_check(actor=reviewer, filing=filing, result="passed")
    steps.append(len(_sent_to(owner.email)))
    with django_capture_on_commit_callbacks(execute=True):
        do_decide_filing(actor=reviewer, filing=filing, decision="accept")
    steps.append(len(_sent_to(owner.email)))
    with django_capture_on_commit_callbacks(execute=True):
        batch = do_publish_batch(actor=flow.publisher("sz"), agency=flow["sz"]["agency"], filing_ids=[filing.pk],
                                 published_on=PUBLISHED_ON)
    steps.append(len(_sent_to(owner.email)))
    with django_capture_on_commit_callbacks(execute=True):
        do_close_batch(actor=flow.publisher("sz"), batch=batch, today=batch.ends_on + timedelta(days=1))
    steps.append(len(_sent_to(owner.email)))
    assert steps == [1, 2, 3, 4, 5]
