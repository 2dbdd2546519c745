"""Every kind of bad input is refused with a clear message, and nothing changes (no rows, no movements)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from techsme.core.errors import Conflict, InvalidInput, PermissionDenied
from techsme.core.models import AuditEvent, LedgerTransaction
from techsme.vouchers import services as s
from techsme.vouchers.models import Application, Contract
from tests.vouchers.conftest import contract, issue, key

D = Decimal
pytestmark = pytest.mark.django_db


def snapshot():
    return (Application.objects.count(), Contract.objects.count(), LedgerTransaction.objects.count(),
            AuditEvent.objects.count())


def refused(exc_type, match, func, **kwargs):
    before = snapshot()
    with pytest.raises(exc_type, match=match) as info:
        func(**kwargs)
    assert snapshot() == before
    return info.value


def apply(w, amount, **extra):
    args = dict(actor=w.ent_user, programme_id=w.programme.pk, enterprise_id=w.enterprise.pk, amount=amount,
                purpose="testing", submission_key=key())
    args.update(extra)
    return args


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.001", ""])
def test_amount_not_positive_or_malformed(world, amount):
    refused(InvalidInput, None, s.do_apply, **apply(world, amount))


def test_above_cap_per_application(world):
    refused(InvalidInput, "cap per application", s.do_apply, **apply(world, "20000.01"))


def test_above_cap_per_enterprise_per_year(world):
    issue(world, "20000")
    issue(world, "20000")
    refused(InvalidInput, "cap per enterprise per year", s.do_apply, **apply(world, "10000.01"))


def test_above_remaining_budget(world):
    w = world
    programme = s.do_create_programme(
        actor=w.manager, agency=w.sz, name="小额券", year=w.year, budget="1000", cap_per_enterprise_year="5000",
        cap_per_application="5000", max_contract_share="0.5", categories=["testing"],
        valid_until=w.programme.valid_until)
    refused(InvalidInput, "remaining budget", s.do_apply, **apply(w, "1500", programme_id=programme.pk))


def test_not_eligible(world):
    w = world
    refused(InvalidInput, "not eligible", s.do_apply, **apply(w, "1000", enterprise_id=w.gz_enterprise.pk,
                                                              actor=w.gz_ent_user))


def test_duplicate_submission(world):
    args = apply(world, "1000")
    first = s.do_apply(**args)
    error = refused(s.DuplicateSubmission, "already submitted", s.do_apply, **args)
    assert error.existing == first


def test_approval_above_applied_amount_and_budget(world):
    w = world
    application = s.do_apply(**apply(w, "5000"))
    refused(InvalidInput, "cannot exceed", s.do_decide_application, actor=w.manager,
            application_id=application.pk, approve=True, amount="6000")
    refused(InvalidInput, "reason", s.do_decide_application, actor=w.manager, application_id=application.pk,
            approve=True, amount="4000")


def test_above_contract_share_and_balance(world):
    w = world
    voucher = issue(w, "6000")
    c = contract(w, voucher, "20000")
    refused(InvalidInput, "at most 50% of the contract", s.do_redeem, actor=w.lab_user, contract_id=c.pk,
            voucher_code=voucher.code, amount="10000.01")
    refused(InvalidInput, "balance", s.do_redeem, actor=w.lab_user, contract_id=c.pk, voucher_code=voucher.code,
            amount="7000")


def test_expired_voucher(world):
    w = world
    voucher = issue(w, "6000")
    c = contract(w, voucher, "2000")
    late = voucher.valid_until + timedelta(days=1)
    refused(Conflict, "expired", s.do_redeem, actor=w.lab_user, contract_id=c.pk, voucher_code=voucher.code,
            today=late)
    refused(Conflict, "expired", s.do_record_contract, actor=w.ent_user, voucher_id=voucher.pk,
            provider_id=w.provider.pk, category="testing", amount="100", description="x", submission_key=key(),
            today=late)


def test_foreign_voucher_without_recognition(world):
    w = world
    voucher = issue(w, "6000")
    refused(InvalidInput, "does not recognise", s.do_record_contract, actor=w.ent_user, voucher_id=voucher.pk,
            provider_id=w.gz_provider.pk, category="testing", amount="100", description="x", submission_key=key())


def test_provider_redeeming_someone_elses_voucher(world):
    w = world
    voucher = issue(w, "6000")
    c = contract(w, voucher, "2000")
    other = s.do_apply(actor=w.other_user, programme_id=w.programme.pk, enterprise_id=w.other.pk, amount="3000",
                       purpose="x", submission_key=key())
    other_voucher = s.do_decide_application(actor=w.manager, application_id=other.pk, approve=True).voucher
    refused(InvalidInput, "another enterprise", s.do_redeem, actor=w.lab_user, contract_id=c.pk,
            voucher_code=other_voucher.code)
    refused(InvalidInput, "not a valid voucher code", s.do_redeem, actor=w.lab_user, contract_id=c.pk,
            voucher_code="IV2026-000001-AAAAAAAAAAAA")
    # another provider cannot touch this contract at all
    refused(PermissionDenied, None, s.do_redeem, actor=w.lab2_user, contract_id=c.pk, voucher_code=voucher.code)


def test_double_redemption_applies_once(world):
    w = world
    voucher = issue(w, "6000")
    c = contract(w, voucher, "2000")
    s.do_redeem(actor=w.lab_user, contract_id=c.pk, voucher_code=voucher.code)
    refused(Conflict, "state", s.do_redeem, actor=w.lab_user, contract_id=c.pk, voucher_code=voucher.code)


def test_wrong_roles_and_regions(world):
    w = world
    application = s.do_apply(**apply(w, "1000"))
    refused(PermissionDenied, None, s.do_decide_application, actor=w.gz_manager, application_id=application.pk,
            approve=True)
    refused(PermissionDenied, None, s.do_decide_application, actor=w.ent_user, application_id=application.pk,
            approve=True)
    refused(PermissionDenied, None, s.do_apply, **apply(w, "1000", actor=w.other_user))


def test_messages_are_translated(world):
    with translation.override("zh-hans"):
        with pytest.raises(InvalidInput) as info:
            s.do_apply(**apply(world, "20000.01"))
    message = info.value.errors[0].message
    assert "上限" in message, message
