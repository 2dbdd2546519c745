"""Every deciding voucher verb checks the criteria it rests on: it refuses, or an agency administrator overrides with a
reason (kept on the record, audited, shown with a warning mark). Each test here fails on the code before the checks.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from techsme.core.errors import InvalidInput, PermissionDenied
from techsme.core.models import AuditEvent
from techsme.registry.models import Enterprise
from techsme.vouchers import services as s
from techsme.vouchers.models import Application, Contract, ContractState, Voucher
from techsme.vouchers.services.criteria import CriteriaNotMet
from tests.vouchers.conftest import contract, issue, key

pytestmark = pytest.mark.django_db


def _apply(w, amount: str = "20000") -> Application:
    return s.do_apply(actor=w.ent_user, programme_id=w.programme.pk, enterprise_id=w.enterprise.pk, amount=amount,
                      purpose="EMC testing", submission_key=key())


def _moved_away(w) -> None:
    """After applying, the enterprise moved to Guangzhou: it no longer meets the Shenzhen programme's rule."""
    Enterprise.objects.filter(pk=w.enterprise.pk).update(region_code="440106")


def test_approval_of_an_enterprise_no_longer_eligible_is_refused_with_the_reason(world):
    w = world
    application = _apply(w)
    _moved_away(w)
    free = w.programme.budget_account.balance
    with override("en"), pytest.raises(CriteriaNotMet, match="does not meet the programme's eligibility rule"):
        s.do_decide_application(actor=w.manager, application_id=application.pk, approve=True)
    application.refresh_from_db()
    w.programme.budget_account.refresh_from_db()
    assert application.state == "submitted" and not Voucher.objects.filter(application=application).exists()
    assert w.programme.budget_account.balance == free
    # The programme manager may not waive the rule, even with a reason.
    with pytest.raises(PermissionDenied):
        s.do_decide_application(actor=w.manager, application_id=application.pk, approve=True,
                                override_reason="I know them")
    # A rejection needs no override.
    assert s.do_decide_application(actor=w.manager, application_id=application.pk, approve=False,
                                   reason="moved away").state == "rejected"


def test_agency_administrator_overrides_with_a_reason_that_is_kept_and_audited(world):
    w = world
    application = _apply(w)
    _moved_away(w)
    with pytest.raises(CriteriaNotMet) as refused:
        s.do_decide_application(actor=w.admin, application_id=application.pk, approve=True)
    assert refused.value.may_override
    decided = s.do_decide_application(actor=w.admin, application_id=application.pk, approve=True,
                                      override_reason="Moved last week; the project stays in Shenzhen")
    assert decided.state == "approved" and decided.overridden == ["not_eligible"]
    assert decided.override_reason == "Moved last week; the project stays in Shenzhen"
    assert decided.overridden_by == w.admin
    event = AuditEvent.objects.filter(verb="vouchers.issue_voucher").latest("pk")
    assert event.changes["overridden"] == ["not_eligible"]
    assert event.changes["override_reason"].startswith("Moved last week")


def test_no_override_issues_a_voucher_that_is_already_expired(world):
    w = world
    application = _apply(w)
    later = w.programme.valid_until + timedelta(days=1)
    for actor, reason in ((w.manager, ""), (w.admin, "urgent")):
        with override("en"), pytest.raises(CriteriaNotMet, match="a voucher issued now could not be used"):
            s.do_decide_application(actor=actor, application_id=application.pk, approve=True,
                                    override_reason=reason, today=later)
    assert not Voucher.objects.filter(application=application).exists()


def test_the_decision_api_refuses_with_409_and_the_reason(world):
    from techsme.accounts.services import do_create_api_token

    w = world
    application = _apply(w)
    _moved_away(w)

    def client(user):
        return Client(headers={"Authorization": f"Bearer {do_create_api_token(actor=user, name='t')[1]}",
                               "Accept-Language": "en"})

    url = f"/api/v1/vouchers/applications/{application.pk}/decision"
    r = client(w.manager).post(url, {"decision": "approve"}, content_type="application/json")
    assert r.status_code == 409 and "eligibility rule" in r.json()["detail"]
    r = client(w.admin).post(url, {"decision": "approve", "override_reason": "checked on site"},
                             content_type="application/json")
    assert r.status_code == 200 and r.json()["overridden"] == ["not_eligible"]


def _delivered(w, with_document: bool = True) -> Contract:
    voucher = issue(w, "20000")
    c = contract(w, voucher, "10000", document=with_document)
    s.do_redeem(actor=w.lab_user, contract_id=c.pk, voucher_code=voucher.code)
    return s.do_confirm_delivery(actor=w.lab_user, contract_id=c.pk, report="EMC report SZ-2026-7")


def test_delivery_needs_a_report_of_what_was_delivered(world):
    w = world
    voucher = issue(w, "20000")
    c = contract(w, voucher, "10000")
    s.do_redeem(actor=w.lab_user, contract_id=c.pk, voucher_code=voucher.code)
    with pytest.raises(InvalidInput) as refused:
        s.do_confirm_delivery(actor=w.lab_user, contract_id=c.pk)
    assert refused.value.errors[0].field == "report"
    assert Contract.objects.get(pk=c.pk).state == ContractState.REDEEMED


def test_verification_without_a_contract_document_needs_an_override(world):
    w = world
    c = _delivered(w, with_document=False)
    with override("en"), pytest.raises(CriteriaNotMet, match="No contract document"):
        s.do_verify_contract(actor=w.reviewer, contract_id=c.pk)
    with pytest.raises(PermissionDenied):
        s.do_verify_contract(actor=w.reviewer, contract_id=c.pk, override_reason="seen on paper")
    assert Contract.objects.get(pk=c.pk).state == ContractState.DELIVERED
    verified = s.do_verify_contract(actor=w.admin, contract_id=c.pk, override_reason="Paper contract seen")
    assert verified.state == ContractState.VERIFIED and verified.overridden == ["no_document"]
    # With the document, the reviewer verifies without any override.
    other = _delivered(w)
    assert s.do_verify_contract(actor=w.reviewer, contract_id=other.pk).overridden == []


def test_a_fully_refunded_delivery_cannot_be_verified_for_payment_even_by_override(world):
    w = world
    c = _delivered(w)
    s.do_refund_contract(actor=w.manager, contract_id=c.pk, amount=str(c.redeemed_amount), reason="not done",
                         request_key=key())
    with pytest.raises(CriteriaNotMet) as refused:
        s.do_verify_contract(actor=w.admin, contract_id=c.pk, override_reason="anyway")
    assert not refused.value.may_override


def test_reimbursement_holds_a_verified_contract_without_evidence_and_pays_the_rest_once(world):
    w = world
    good = _delivered(w)
    s.do_verify_contract(actor=w.reviewer, contract_id=good.pk)
    # A row verified before the criteria existed (no report, no document, no override) is held, not paid.
    legacy = _delivered(w, with_document=False)
    Contract.objects.filter(pk=legacy.pk).update(state=ContractState.VERIFIED, verified_at=timezone.now(),
                                                 delivery_report="")
    period = s.current_period()
    preview = s.reimbursement_preview(w.programme, period)
    assert [c.pk for c in preview.payable] == [good.pk]
    assert [(c.pk, sorted(p.code for p in problems)) for c, problems in preview.held] == [
        (legacy.pk, ["no_delivery_report", "no_document"])]
    batches = s.do_reimburse(actor=w.manager, programme_id=w.programme.pk, period=period)
    good.refresh_from_db()
    assert [b.amount for b in batches] == [good.net_amount] and good.state == ContractState.REIMBURSED
    assert Contract.objects.get(pk=legacy.pk).state == ContractState.VERIFIED
    held = AuditEvent.objects.filter(verb="vouchers.reimbursement_held").latest("pk")
    assert str(legacy.pk) in held.changes["held"]
    assert s.do_reimburse(actor=w.manager, programme_id=w.programme.pk, period=period) == []


def test_the_database_refuses_a_redemption_above_the_contract(world):
    from django.db import IntegrityError, transaction

    w = world
    c = _delivered(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=c.pk).update(redeemed_amount=c.amount + 1)


def test_pages_mark_the_failed_criteria_and_the_override(world):
    w = world
    application = _apply(w)
    _moved_away(w)
    manager = Client(headers={"Accept-Language": "en"})
    manager.force_login(w.manager)
    page = manager.get(f"/vouchers/programmes/{w.programme.pk}/").content.decode()
    assert "⚠" in page and "fails criteria" in page
    r = manager.post(f"/vouchers/applications/{application.pk}/", {"decision": "approve", "amount": "", "reason": ""})
    body = r.content.decode()
    assert r.status_code == 422 and "does not meet the programme&#x27;s eligibility rule" in body
    assert 'name="override"' not in body  # a programme manager is not offered the override
    admin = Client(headers={"Accept-Language": "en"})
    admin.force_login(w.admin)
    r = admin.post(f"/vouchers/applications/{application.pk}/", {"decision": "approve", "override": "on"})
    assert r.status_code == 422 and "Give the reason for the override" in r.content.decode()
    r = admin.post(f"/vouchers/applications/{application.pk}/",
                   {"decision": "approve", "override": "on", "override_reason": "Project stays in Shenzhen"})
    assert r.status_code == 302
    page = admin.get(f"/vouchers/applications/{application.pk}/").content.decode()
    assert "Approved by override" in page and "Project stays in Shenzhen" in page
    listing = admin.get(f"/vouchers/programmes/{w.programme.pk}/").content.decode()
    assert 'id="overridden-applications"' in listing and "Project stays in Shenzhen" in listing

