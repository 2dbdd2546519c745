"""Closing a programme while approvals run: every yuan is either issued before the close or returned by it — never
both, never lost, and no voucher is issued after the close (real separate connections; SQLite file DB and
PostgreSQL)."""

from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from techsme.core.ledger import verify_balances
from techsme.core.models import LedgerAccount, LedgerTransaction
from techsme.vouchers import services as s
from techsme.vouchers.models import Programme, Voucher
from techsme.vouchers.services import programmes as ps
from tests.vouchers.test_concurrency import run_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_close_races_with_approvals(make_org, make_user, make_enterprise):
    agency = make_org("agency", "440300", "city")
    manager = make_user("programme_manager", agency)
    year = timezone.localdate().year
    programme = s.do_create_programme(
        actor=manager, agency=agency, name="race", year=year, budget="1000", cap_per_enterprise_year="500",
        cap_per_application="500", max_contract_share="0.5", categories=["testing"],
        valid_until=timezone.localdate().replace(month=12, day=31))
    applications = []
    for i in range(10):
        enterprise = make_enterprise(region_code="440305")
        user = make_user("enterprise_admin", enterprise.organisation)
        applications.append(s.do_apply(actor=user, programme_id=programme.pk, enterprise_id=enterprise.pk,
                                       amount="100", purpose="t", submission_key=f"cl{i}").pk)
    source_before = LedgerAccount.objects.get(code="world:finance:440300").balance

    def work(i):
        if i == 10:
            return ps.do_close_programme(actor=manager, programme_id=programme.pk, reason="race").state
        return s.do_decide_application(actor=manager, application_id=applications[i], approve=True).state

    results = run_threads(11, work)
    assert results[10] == ("ok", "closed"), results
    outcome = Counter(kind for kind, _v in results[:10])
    assert set(outcome) <= {"ok", "refused"}, results
    assert all("closed" in v for kind, v in results[:10] if kind == "refused"), results
    issued = Voucher.objects.count()
    assert issued == outcome["ok"]
    programme = Programme.objects.get(pk=programme.pk)
    programme.budget_account.refresh_from_db()
    assert programme.budget_account.balance == Decimal("0.00")
    source = LedgerAccount.objects.get(code="world:finance:440300").balance
    assert source - source_before == Decimal("1000.00") - Decimal("100.00") * issued
    close = LedgerTransaction.objects.filter(idempotency_key=f"programme:{programme.pk}:close").first()
    if issued < 10:
        assert close is not None
    assert all(v.issue_transaction_id < (close.pk if close else 10**12) for v in Voucher.objects.all())
    assert verify_balances() == []
