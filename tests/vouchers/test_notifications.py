"""E-mails after commit: application decided / voucher issued, redemption, reimbursement — to the organisation's
members; nothing is sent when the step is refused or rolled back."""

import pytest
from django.db import transaction

from techsme.accounts.models import Membership
from techsme.core.errors import Conflict
from techsme.vouchers import services as s
from tests.vouchers.conftest import contract, key

pytestmark = pytest.mark.django_db


@pytest.fixture
def emails(world, make_user):
    for user, email in ((world.ent_user, "boss@ent.example"), (world.lab_user, "lab@lab.example"),
                        (world.other_user, "other@ent2.example")):
        user.email = email
        user.save(update_fields=["email"])
    colleague = make_user("enterprise_member", world.enterprise.organisation, username="colleague",
                          email="colleague@ent.example")
    make_user("enterprise_member", world.enterprise.organisation, username="no-mail")  # no address: skipped
    make_user("enterprise_member", world.enterprise.organisation, username="gone", email="gone@ent.example",
              is_active=False)
    return colleague


def apply(world, amount="5000"):
    return s.do_apply(actor=world.ent_user, programme_id=world.programme.pk, enterprise_id=world.enterprise.pk,
                      amount=amount, purpose="EMC", submission_key=key())


def test_voucher_issued_mail_goes_to_the_enterprise_after_commit(world, emails, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    application = apply(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        application = s.do_decide_application(actor=world.manager, application_id=application.pk, approve=True)
    assert mailoutbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    (mail,) = mailoutbox
    assert sorted(mail.to) == ["boss@ent.example", "colleague@ent.example"]
    assert application.voucher.code in mail.body
    assert "Innovation voucher issued" in mail.subject and "创新券" in mail.subject


def test_rejection_mail_with_reason(world, emails, mailoutbox, django_capture_on_commit_callbacks):
    application = apply(world)
    with django_capture_on_commit_callbacks(execute=True):
        s.do_decide_application(actor=world.manager, application_id=application.pk, approve=False,
                                reason="Purpose outside the programme")
    (mail,) = mailoutbox
    assert "rejected" in mail.subject and "Purpose outside the programme" in mail.body


def test_redemption_and_reimbursement_mails(world, emails, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = s.do_decide_application(actor=world.manager, application_id=apply(world, "10000").pk,
                                              approve=True)
    voucher = application.voucher
    c = contract(world, voucher, "4000")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        s.do_redeem(actor=world.lab_user, contract_id=c.pk, voucher_code=voucher.code)
    (mail,) = mailoutbox
    assert "boss@ent.example" in mail.to and "lab@lab.example" not in mail.to
    assert voucher.code in mail.subject and "¥2,000.00" in mail.body
    s.do_confirm_delivery(actor=world.lab_user, contract_id=c.pk, report="EMC test report 2026-001")
    s.do_verify_contract(actor=world.reviewer, contract_id=c.pk)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        s.do_reimburse(actor=world.manager, programme_id=world.programme.pk, period=s.current_period())
    (mail,) = mailoutbox
    assert mail.to == ["lab@lab.example"] and "¥2,000.00" in mail.body
    assert Membership.objects.filter(user__email="other@ent2.example").exists()
    assert all("other@ent2.example" not in m.to for m in mailoutbox)


def test_refused_or_rolled_back_steps_send_nothing(world, emails, mailoutbox, django_capture_on_commit_callbacks):
    application = apply(world)
    with django_capture_on_commit_callbacks(execute=True):
        s.do_decide_application(actor=world.manager, application_id=application.pk, approve=True)
        with pytest.raises(Conflict):
            s.do_decide_application(actor=world.manager, application_id=application.pk, approve=True)
    assert len(mailoutbox) == 1
    second = apply(world, "1000")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            s.do_decide_application(actor=world.manager, application_id=second.pk, approve=True)
            raise RuntimeError("rolled back")
    assert callbacks == [] and mailoutbox == []
