"""Many concurrent issuances against one programme budget never overspend (real separate connections).

SQLite: the file test database (see tests/vouchers/conftest.py). PostgreSQL: ``DATABASE_URL=postgres://…``.
"""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, connections

from techsme.core.errors import Conflict
from techsme.core.ledger import verify_balances
from techsme.vouchers import services as s
from techsme.vouchers.models import Application, ApplicationState, Voucher

D = Decimal
pytestmark = pytest.mark.django_db(transaction=True)


def run_threads(n, work):
    barrier = threading.Barrier(n)
    results = [("missing", None)] * n

    def target(i):
        from django.utils import translation

        translation.activate("en")
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", work(i))
        except Conflict as exc:
            results[i] = ("refused", str(exc))
        except Exception as exc:  # reported by the test
            results[i] = ("error", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def test_concurrent_issuances_never_overspend(make_org, make_user, make_enterprise):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("needs the file SQLite test database")
    agency = make_org("agency", "440300", "city")
    manager = make_user("programme_manager", agency)
    from django.utils import timezone

    year = timezone.localdate().year
    programme = s.do_create_programme(
        actor=manager, agency=agency, name="budget 1000", year=year, budget="1000", cap_per_enterprise_year="500",
        cap_per_application="500", max_contract_share="0.5", categories=["testing"],
        valid_until=timezone.localdate().replace(month=12, day=31))
    applications = []
    for i in range(20):
        enterprise = make_enterprise(region_code="440305")
        user = make_user("enterprise_admin", enterprise.organisation)
        applications.append(s.do_apply(actor=user, programme_id=programme.pk, enterprise_id=enterprise.pk,
                                       amount="100", purpose="test", submission_key=f"c{i}").pk)
    results = run_threads(20, lambda i: s.do_decide_application(actor=manager, application_id=applications[i],
                                                                 approve=True).state)
    outcome = Counter(kind for kind, _value in results)
    assert outcome == {"ok": 10, "refused": 10}, results
    assert all("remaining budget" in value for kind, value in results if kind == "refused")
    programme.budget_account.refresh_from_db()
    assert programme.budget_account.balance == D("0.00")
    assert Voucher.objects.count() == 10
    assert Application.objects.filter(state=ApplicationState.APPROVED).count() == 10
    assert Application.objects.filter(state=ApplicationState.SUBMITTED).count() == 10
    assert verify_balances() == []


def test_concurrent_redemptions_of_one_voucher_never_overspend(make_org, make_user, make_enterprise):
    from django.utils import timezone

    agency = make_org("agency", "440300", "city")
    manager = make_user("programme_manager", agency)
    lab_org = make_org("provider", "440305")
    lab = make_user("provider_staff", lab_org)
    enterprise = make_enterprise(region_code="440305")
    ent = make_user("enterprise_admin", enterprise.organisation)
    programme = s.do_create_programme(
        actor=manager, agency=agency, name="redeem race", year=timezone.localdate().year, budget="10000",
        cap_per_enterprise_year="10000", cap_per_application="10000", max_contract_share="0.5",
        categories=["testing"], valid_until=timezone.localdate().replace(month=12, day=31))
    provider = s.do_register_provider(actor=lab, organisation_id=lab_org.pk, programme_id=programme.pk,
                                      institution="lab", accreditation="CNAS",
                                      services=[{"name": "t", "category": "testing", "price": "1"}])
    s.do_decide_provider(actor=manager, provider_id=provider.pk, approve=True)
    application = s.do_apply(actor=ent, programme_id=programme.pk, enterprise_id=enterprise.pk, amount="10000",
                             purpose="x", submission_key="r")
    voucher = s.do_decide_application(actor=manager, application_id=application.pk, approve=True).voucher
    contracts = [s.do_record_contract(actor=ent, voucher_id=voucher.pk, provider_id=provider.pk, category="testing",
                                      amount="6000", description="x", submission_key=f"r{i}").pk for i in range(10)]
    results = run_threads(10, lambda i: s.do_redeem(actor=lab, contract_id=contracts[i],
                                                    voucher_code=voucher.code).redeemed_amount)
    paid = sorted(value for kind, value in results if kind == "ok")
    assert Counter(kind for kind, _v in results) == {"ok": 4, "refused": 6}, results
    assert paid == [D("1000.00"), D("3000.00"), D("3000.00"), D("3000.00")]
    voucher.account.refresh_from_db()
    assert voucher.account.balance == D("0.00")
    assert verify_balances() == []
