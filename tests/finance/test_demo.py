"""The finance demo holds every state of the workflows, gives the bank and the agency real to-dos, and runs once."""

import pytest
from django.db.models import Count
from django.utils import translation

from techsme.accounts.models import User
from techsme.core.hooks import todos_for
from techsme.core.ledger import verify_balances
from techsme.finance.demo import seed_finance_demo
from techsme.finance.models import AdmissionState, Agreement, BankAdmission, Claim, ClaimState, Loan, LoanState
from techsme.registry.demo import seed_demo

pytestmark = pytest.mark.django_db


def _states(model):
    return set(model.objects.values_list("state", flat=True).annotate(n=Count("pk")))


def test_the_demo_holds_every_state_and_real_work():
    seed_demo(enterprises=300, seed=7)
    assert seed_finance_demo()
    assert _states(Loan) == set(LoanState.values)
    assert _states(Claim) == set(ClaimState.values)
    assert _states(BankAdmission) == set(AdmissionState.values)
    assert {"active", "suspended"} <= _states(Agreement)
    assert BankAdmission.objects.exclude(overridden=[]).exists() and Loan.objects.exclude(overridden=[]).exists()
    assert verify_balances() == []
    with translation.override("en"):
        bank = {str(t.label): t.count for t in todos_for(User.objects.get(username="bank")) if t.count}
        assert any("file" in label for label in bank) and any("complete" in label for label in bank), bank
        agency = {str(t.label) for t in todos_for(User.objects.get(username="agency-admin"))}
        assert {"Loans filed by banks to confirm", "Compensation claims to decide", "Approved compensation to pay"} \
            <= agency
    assert seed_finance_demo() == {}  # idempotent
