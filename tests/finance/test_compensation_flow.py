"""File → enrol → default → claim → review → approve within the caps → pay → recovery back to the pool."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from techsme.core.errors import Conflict
from techsme.core.ledger import verify_balances
from techsme.finance import accounts
from techsme.finance import services as s
from techsme.finance.models import ClaimState, LoanState
from tests.finance.conftest import default, defaulted_loan, enrolled_loan

D = Decimal
pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _claim(scheme, loan, loss="3000000", recovered="200000"):
    claim = s.do_create_claim(actor=scheme["officer"], loan_id=loan.pk, loss=loss, recovered_before=recovered,
                              explanation="借款人停产，抵押物处置中")
    s.do_add_claim_document(actor=scheme["officer"], claim_id=claim.pk, kind="default_notice",
                            upload=SimpleUploadedFile("notice.pdf", PDF))
    s.do_submit_claim(actor=scheme["officer"], claim_id=claim.pk)
    s.do_first_review(actor=scheme["reviewer"], claim_id=claim.pk)
    return claim


def test_compensation_is_the_share_of_the_net_loss_capped_per_loan(scheme):
    loan = defaulted_loan(scheme)
    claim = _claim(scheme, loan)
    claim.refresh_from_db()
    assert claim.requested_amount == D("1400000.00")  # 50% of (3,000,000 − 200,000)
    assert claim.first_review_due is not None
    s.do_approve_claim(actor=scheme["manager"], claim_id=claim.pk)
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED
    assert claim.approved_amount == D("1400000.00")
    assert accounts.balance(accounts.pool_code(scheme["pool"].pk)) == D("3600000.00")
    s.do_pay_claim(actor=scheme["manager2"], claim_id=claim.pk)
    claim.refresh_from_db()
    loan.refresh_from_db()
    assert claim.state == ClaimState.PAID and loan.state == LoanState.WRITTEN_OFF
    recovery = s.do_record_recovery(actor=scheme["officer"], claim_id=claim.pk, amount="400000",
                                    recovered_on=date.today(), request_key="r1")
    assert recovery.pool_share == D("200000.00")
    assert accounts.balance(accounts.pool_code(scheme["pool"].pk)) == D("3800000.00")
    assert verify_balances() == []


def test_caps_per_enterprise_limit_the_second_claim(scheme):
    first, second = enrolled_loan(scheme, "A-1", "5000000"), enrolled_loan(scheme, "A-2", "5000000")
    default(scheme, first)
    default(scheme, second)
    c1 = _claim(scheme, first, loss="5000000", recovered="0")
    c2 = _claim(scheme, second, loss="5000000", recovered="0")
    s.do_approve_claim(actor=scheme["manager"], claim_id=c1.pk)
    s.do_approve_claim(actor=scheme["manager"], claim_id=c2.pk)
    c1.refresh_from_db()
    c2.refresh_from_db()
    assert c1.approved_amount == D("2000000.00") and c1.capped_by == ["loan"]  # 50% of 5m capped at 2m per loan
    assert c2.approved_amount == D("1000000.00") and c2.capped_by == ["loan", "enterprise"]  # 3m per enterprise − 2m


def test_a_written_off_loan_takes_no_repayment(scheme):
    loan = defaulted_loan(scheme)
    with pytest.raises(Conflict):
        s.do_record_repayment(actor=scheme["officer"], loan_id=loan.pk, amount="1000", paid_on=date.today())


def test_losses_past_the_threshold_suspend_enrolments_until_resumed(scheme):
    from techsme.finance.models import AgreementState

    healthy = enrolled_loan(scheme, "OK-1", "5000000")
    assert healthy.agreement.state == AgreementState.ACTIVE
    defaulted_loan(scheme, "BAD-1", "1000000")  # 1m of 6m enrolled in default: 16.67% > 5%
    scheme["agreement"].refresh_from_db()
    assert scheme["agreement"].state == AgreementState.SUSPENDED
    assert scheme["agreement"].suspended_loss_ratio_pct == D("16.67")
    with pytest.raises(Conflict):
        enrolled_loan(scheme, "NEW-1")
    s.do_resume_agreement(actor=scheme["manager"], agreement_id=scheme["agreement"].pk,
                          reason="银行已完成风险整改，经评估恢复备案")
    assert enrolled_loan(scheme, "NEW-1").state == LoanState.ENROLLED


def test_a_batch_approves_in_one_movement_and_holds_what_fails(scheme):
    first, second, third = (enrolled_loan(scheme, f"B-{i}", "5000000") for i in range(3))
    for loan in (first, second, third):
        default(scheme, loan)
    c1, c2 = _claim(scheme, first, loss="5000000", recovered="0"), _claim(scheme, second, loss="5000000",
                                                                         recovered="0")
    c3 = s.do_create_claim(actor=scheme["officer"], loan_id=third.pk, loss="5000000", submit=True)
    s.do_first_review(actor=scheme["reviewer"], claim_id=c3.pk)  # no documents: held
    with translation.override("en"):
        results = s.do_approve_claims_batch(actor=scheme["manager"], claim_ids=[c1.pk, c2.pk, c3.pk],
                                            request_key="b1")
    assert results[c1.pk] == "" and results[c2.pk] == ""
    assert "No documents" in results[c3.pk]
    c1.refresh_from_db()
    c2.refresh_from_db()
    assert c1.approve_txn_id == c2.approve_txn_id
    assert (c1.approved_amount, c2.approved_amount) == (D("2000000.00"), D("1000000.00"))  # loan cap, then enterprise
    assert accounts.balance(accounts.pool_code(scheme["pool"].pk)) == D("2000000.00")
    assert verify_balances() == []
