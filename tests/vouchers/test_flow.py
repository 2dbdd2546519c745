"""The whole voucher flow on the service layer: every step a ledger movement and an audit event."""

from decimal import Decimal

import pytest

from techsme.core.errors import Conflict, InvalidInput
from techsme.core.ledger import balance_from_legs, verify_balances
from techsme.core.models import AuditEvent, LedgerTransaction
from techsme.vouchers import selectors
from techsme.vouchers import services as s
from techsme.vouchers.models import ApplicationState, ContractState, VoucherState
from tests.vouchers.conftest import contract, issue, key

D = Decimal
pytestmark = pytest.mark.django_db


def test_full_flow_moves_money_through_the_ledger(world):
    w = world
    budget = w.programme.budget_account
    assert budget.balance == D("100000.00")
    voucher = issue(w, "20000", approved="15000")
    assert voucher.application.state == ApplicationState.APPROVED
    assert voucher.amount == D("15000.00")
    budget.refresh_from_db()
    assert budget.balance == D("85000.00")
    assert voucher.account.balance == D("15000.00")
    c = contract(w, voucher, "10000")
    assert c.state == ContractState.RECORDED
    c = s.do_redeem(actor=w.lab_user, contract_id=c.pk, voucher_code=voucher.code)
    assert c.state == ContractState.REDEEMED
    assert c.redeemed_amount == D("5000.00")  # 50% of the contract
    voucher.account.refresh_from_db()
    assert voucher.account.balance == D("10000.00")
    c = s.do_confirm_delivery(actor=w.lab_user, contract_id=c.pk, report="EMC test report 2026-001")
    c = s.do_verify_contract(actor=w.reviewer, contract_id=c.pk)
    assert c.state == ContractState.VERIFIED
    batches = s.do_reimburse(actor=w.manager, programme_id=w.programme.pk, period=s.current_period())
    assert len(batches) == 1 and batches[0].amount == D("5000.00")
    c.refresh_from_db()
    assert c.state == ContractState.REIMBURSED and c.batch == batches[0]
    assert s.do_reimburse(actor=w.manager, programme_id=w.programme.pk, period=s.current_period()) == []
    assert balance_from_legs(f"provider:{w.provider.pk}:paid") == D("5000.00")
    assert balance_from_legs(f"provider:{w.provider.pk}:receivable") == D("0.00")
    figures = selectors.programme_figures(w.programme)
    assert (figures.funded, figures.free, figures.committed, figures.used, figures.paid) == (
        D("100000.00"), D("85000.00"), D("10000.00"), D("5000.00"), D("5000.00"))
    assert figures.by_category[0]["key"] == "testing"
    assert verify_balances() == []
    kinds = set(LedgerTransaction.objects.values_list("kind", flat=True))
    assert {"fund", "voucher_issue", "voucher_redeem", "voucher_reimburse"} <= kinds
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"vouchers.apply", "vouchers.issue_voucher", "vouchers.record_contract", "vouchers.redeem",
            "vouchers.confirm_delivery", "vouchers.verify", "vouchers.reimburse"} <= verbs


def test_voucher_code_is_verifiable_and_not_guessable(world):
    voucher = issue(world)
    assert selectors.verify_code(voucher.code).valid
    assert selectors.verify_code(voucher.code.lower()).enterprise == world.enterprise.name
    forged = voucher.code[:-1] + ("A" if voucher.code[-1] != "A" else "B")
    assert not selectors.verify_code(forged).valid
    assert not selectors.verify_code("IV2026-000001").valid


def test_rejection_needs_a_reason_and_moves_no_money(world):
    w = world
    application = s.do_apply(actor=w.ent_user, programme_id=w.programme.pk, enterprise_id=w.enterprise.pk,
                             amount="5000", purpose="x", submission_key=key())
    with pytest.raises(InvalidInput):
        s.do_decide_application(actor=w.manager, application_id=application.pk, approve=False)
    application = s.do_decide_application(actor=w.manager, application_id=application.pk, approve=False,
                                          reason="Not a technology service")
    assert application.state == ApplicationState.REJECTED
    w.programme.budget_account.refresh_from_db()
    assert w.programme.budget_account.balance == D("100000.00")
    with pytest.raises(Conflict):
        s.do_decide_application(actor=w.manager, application_id=application.pk, approve=True)


def test_expiry_returns_the_unspent_value_and_is_idempotent(world):
    w = world
    voucher = issue(w, "20000")
    c = contract(w, voucher, "8000")
    s.do_redeem(actor=w.lab_user, contract_id=c.pk, voucher_code=voucher.code)
    after = voucher.valid_until.replace(year=voucher.valid_until.year + 1, month=1, day=1)
    with pytest.raises(Conflict):
        s.do_expire_voucher(actor=None, voucher_id=voucher.pk, today=voucher.valid_until)
    first = s.expire_due_vouchers(today=after)
    assert first["expired"] == 1 and D(first["returned"]) == D("16000.00")
    again = s.expire_due_vouchers(today=after)
    assert again["expired"] == 0
    voucher.refresh_from_db()
    voucher.account.refresh_from_db()
    assert voucher.state == VoucherState.EXPIRED and voucher.account.balance == 0
    w.programme.budget_account.refresh_from_db()
    assert w.programme.budget_account.balance == D("96000.00")  # 100000 − 4000 redeemed
    # A refund after expiry goes on to the budget, not to the closed voucher.
    s.do_refund_contract(actor=w.manager, contract_id=c.pk, amount="1000", reason="partly undelivered",
                         request_key="r1")
    voucher.account.refresh_from_db()
    w.programme.budget_account.refresh_from_db()
    assert voucher.account.balance == 0 and w.programme.budget_account.balance == D("97000.00")
    assert verify_balances() == []


def test_expire_command(world):
    from django.core.management import call_command

    issue(world, "3000")
    call_command("expire_vouchers", "--today", f"{world.programme.valid_until.year + 1}-01-02")
    world.programme.budget_account.refresh_from_db()
    assert world.programme.budget_account.balance == D("100000.00")


def test_cancellation_and_partial_refunds_are_movements(world):
    w = world
    voucher = issue(w, "20000")
    c = contract(w, voucher, "10000")
    s.do_redeem(actor=w.lab_user, contract_id=c.pk, voucher_code=voucher.code, amount="4000")
    s.do_refund_contract(actor=w.manager, contract_id=c.pk, amount="1500", reason="part", request_key="a")
    with pytest.raises(s.DuplicateSubmission):
        s.do_refund_contract(actor=w.manager, contract_id=c.pk, amount="1500", reason="part", request_key="a")
    with pytest.raises(InvalidInput):
        s.do_refund_contract(actor=w.manager, contract_id=c.pk, amount="3000", reason="too much", request_key="b")
    c = s.do_cancel_contract(actor=w.manager, contract_id=c.pk, reason="not delivered")
    assert c.state == ContractState.CANCELLED and c.net_amount == 0
    voucher.account.refresh_from_db()
    assert voucher.account.balance == D("20000.00")
    voucher = s.do_cancel_voucher(actor=w.manager, voucher_id=voucher.pk, reason="enterprise withdrew")
    voucher.account.refresh_from_db()
    assert voucher.state == VoucherState.CANCELLED and voucher.account.balance == 0
    w.programme.budget_account.refresh_from_db()
    assert w.programme.budget_account.balance == D("100000.00")
    assert LedgerTransaction.objects.filter(kind="voucher_refund").count() == 2
    assert LedgerTransaction.objects.filter(kind="voucher_cancel").count() == 1
    assert verify_balances() == []


def test_cross_region_recognition(world):
    w = world
    voucher = issue(w, "10000")
    with pytest.raises(InvalidInput, match="does not recognise"):
        contract(w, voucher, "5000", provider=w.gz_provider)
    s.do_set_recognition(actor=w.gz_manager, programme_id=w.gz_programme.pk, recognised=[w.programme.pk])
    c = contract(w, voucher, "5000", provider=w.gz_provider)
    c = s.do_redeem(actor=w.lab2_user, contract_id=c.pk, voucher_code=voucher.code)
    assert c.redeemed_amount == D("2500.00")  # the voucher's programme sets the share (50%)
