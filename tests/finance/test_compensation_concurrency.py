"""Concurrent approvals on real, separate connections never pass the pool's balance or a cap.

Runs on the configured database: SQLite (file test database) by default, PostgreSQL with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/techsme_finance .venv/bin/pytest tests/finance``.
"""

import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from techsme.core.errors import Conflict
from techsme.core.ledger import verify_balances
from techsme.finance import accounts
from techsme.finance import services as s
from techsme.finance.models import Claim, ClaimState
from techsme.registry.models import AnnualFacts
from tests.finance.conftest import TODAY, loan_data

D = Decimal
pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n%%EOF\n"


def _claims(scheme: dict[str, Any], make_enterprise: Any, n: int) -> list[int]:
    """``n`` claims under review, each due 1,000,000 (50% of a 2,000,000 loss), each of another enterprise."""
    loans = []
    for i in range(n):
        enterprise = make_enterprise(region_code="440305")
        AnnualFacts.objects.create(enterprise=enterprise, tax_year=2024, employees=50)
        loan = s.do_create_loan(actor=scheme["officer"], agreement_id=scheme["agreement"].pk,
                                enterprise_uscc=enterprise.uscc,
                                **loan_data(contract_number=f"C-{i}", amount="2000000"))
        s.do_accept_loan(actor=scheme["manager"], loan_id=loan.pk)
        loans.append(loan)
    ids = []
    for loan in loans:
        s.do_report_default(actor=scheme["officer"], loan_id=loan.pk, defaulted_on=TODAY - timedelta(days=10))
        claim = s.do_create_claim(actor=scheme["officer"], loan_id=loan.pk, loss="2000000")
        s.do_add_claim_document(actor=scheme["officer"], claim_id=claim.pk, kind="default_notice",
                                upload=SimpleUploadedFile("n.pdf", PDF))
        s.do_submit_claim(actor=scheme["officer"], claim_id=claim.pk)
        s.do_first_review(actor=scheme["reviewer"], claim_id=claim.pk)
        ids.append(claim.pk)
    return ids


def _approve_all(user: Any, ids: list[int]) -> Counter:
    barrier = threading.Barrier(len(ids))
    results: list[str] = ["missing"] * len(ids)

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=20)
            s.do_approve_claim(actor=user, claim_id=ids[i])
            results[i] = "approved"
        except Conflict:
            results[i] = "refused"
        except Exception as exc:  # reported by the assertion below
            results[i] = f"error: {exc!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(ids))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return Counter(results)


def test_concurrent_approvals_never_overdraw_the_pool(scheme, make_enterprise):
    ids = _claims(scheme, make_enterprise, 8)  # 8 × 1,000,000 due; the pool holds 5,000,000
    counts = _approve_all(scheme["manager"], ids)
    assert counts == Counter({"approved": 5, "refused": 3}), counts
    assert accounts.balance(accounts.pool_code(scheme["pool"].pk)) == D("0.00")
    approved = Claim.objects.filter(state=ClaimState.APPROVED)
    assert sum(c.approved_amount for c in approved) == D("5000000.00")
    assert verify_balances() == []


def test_concurrent_approvals_never_pass_the_year_cap(scheme, make_enterprise):
    s.do_fund_pool(actor=scheme["manager"], pool_id=scheme["pool"].pk, amount="30000000", request_key="more")
    ids = _claims(scheme, make_enterprise, 12)  # 12 × 1,000,000 due; the cap per year is 10,000,000
    counts = _approve_all(scheme["manager"], ids)
    assert counts == Counter({"approved": 10, "refused": 2}), counts
    year_cap = f"riskpool:{scheme['pool'].pk}:cap:agreement:{scheme['agreement'].pk}:year:{TODAY.year}"
    assert accounts.balance(year_cap) == D("0.00")
    assert sum(c.approved_amount for c in Claim.objects.filter(state=ClaimState.APPROVED)) == D("10000000.00")
    assert verify_balances() == []
