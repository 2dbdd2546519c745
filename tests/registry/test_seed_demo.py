"""The demo-data generator: deterministic, valid codes, demo users per role, idempotent."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from techsme.accounts.models import Membership, Organisation, User
from techsme.core.identifiers import industry_error, region_error, uscc_error
from techsme.core.models import AuditEvent
from techsme.core.permissions import can
from techsme.registry import demo
from techsme.registry.facts_fields import FACT_FIELDS, consistency_errors
from techsme.registry.models import AnnualFacts, Enterprise, IPAsset

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 26)


def _snapshot() -> list[tuple]:
    out = []
    for enterprise in Enterprise.objects.order_by("uscc"):
        years = enterprise.facts.order_by("tax_year")
        facts = [tuple(getattr(f, n) for n in ("tax_year", *FACT_FIELDS)) for f in years]
        assets = sorted((a.kind, a.number, a.title, a.granted_on, a.status) for a in enterprise.ip_assets.all())
        out.append((enterprise.uscc, enterprise.name, enterprise.region_code, enterprise.industry_code,
                    enterprise.founded_on, enterprise.address, tuple(facts), tuple(assets)))
    return out


def _wipe() -> None:
    IPAsset.objects.all().delete()
    AnnualFacts.objects.all().delete()
    Enterprise.objects.all().delete()
    Membership.objects.all().delete()
    Organisation.objects.all().delete()
    AuditEvent.objects.all().delete()
    User.objects.all().delete()


def test_same_seed_gives_identical_data_and_another_seed_does_not():
    first = demo.seed_demo(enterprises=50, seed=7, today=TODAY)
    assert first.created and first.enterprises == 50
    one = _snapshot()
    _wipe()
    demo.seed_demo(enterprises=50, seed=7, today=TODAY)
    assert _snapshot() == one
    _wipe()
    demo.seed_demo(enterprises=50, seed=8, today=TODAY)
    assert [r[0] for r in _snapshot()] != [r[0] for r in one]


def test_generated_codes_and_facts_are_valid():
    report = demo.seed_demo(enterprises=120, seed=42, today=TODAY)
    enterprises = list(Enterprise.objects.all())
    assert len(enterprises) == 120 == len({e.name for e in enterprises})
    for e in enterprises:
        assert uscc_error(e.uscc) is None, e.uscc
        assert region_error(e.region_code) is None, e.region_code
        assert industry_error(e.industry_code) is None, e.industry_code
        assert e.uscc[2:8] == e.region_code
        assert e.name.endswith("有限公司")
    assert {e.region_code[:2] for e in enterprises} >= {"44", "33", "51"}
    assert any(e.industry_code[:3] in ("F52", "K70") for e in enterprises)
    for facts in AnnualFacts.objects.select_related("enterprise"):
        values = {n: getattr(facts, n) for n in FACT_FIELDS}
        assert not consistency_errors(values, tax_year=facts.tax_year, founded_on=facts.enterprise.founded_on)
        assert facts.tax_year in (2023, 2024, 2025)
    assert IPAsset.objects.count() == report.ip_assets > 0
    assert set(report.edge_cases) >= {"tech staff exactly 10%", "R&D ratio exactly 6%", "501 employees",
                                      "revenue exactly 2亿", "serious dishonesty", "excluded industry"}
    ten = AnnualFacts.objects.get(enterprise__uscc=report.edge_cases["tech staff exactly 10%"], tax_year=2025)
    assert (ten.employees, ten.tech_staff) == (100, 10)
    six = AnnualFacts.objects.get(enterprise__uscc=report.edge_cases["R&D ratio exactly 6%"], tax_year=2025)
    assert six.rd_expense / six.revenue == Decimal("0.06")


def test_demo_users_one_per_role_and_the_demo_enterprise():
    demo.seed_demo(enterprises=20, seed=1, today=TODAY)
    for username in demo.DEMO_USERNAMES:
        user = User.objects.get(username=username)
        assert user.check_password(demo.DEMO_PASSWORD), username
    for username, role in demo.DEMO_USERS.items():
        assert Membership.objects.filter(user__username=username, role=role).exists(), username
    assert User.objects.get(username=demo.SUPERUSER).is_superuser
    assert User.objects.get(username=demo.AGENCY_ADMIN).is_staff
    enterprise = Enterprise.objects.get(name=demo.DEMO_ENTERPRISE_NAME)
    assert enterprise.region_code == "440305"
    assert sorted(enterprise.facts.values_list("tax_year", flat=True)) == [2023, 2024, 2025]
    assert enterprise.ip_assets.count() >= 4
    admin = User.objects.get(username=demo.ENTERPRISE_ADMIN)
    member = User.objects.get(username=demo.ENTERPRISE_MEMBER)
    assert can(admin, "enterprise.edit", enterprise) and can(member, "facts.edit", enterprise)
    reviewer = User.objects.get(username=demo.REVIEWER)
    reviewer_gz = User.objects.get(username=demo.REVIEWER_GZ)
    manager = User.objects.get(username=demo.MANAGER)
    assert can(reviewer, "enterprise.view", enterprise) and not can(reviewer_gz, "enterprise.view", enterprise)
    assert can(manager, "registry.import", enterprise)
    event = AuditEvent.objects.get(verb="registry.seed_demo")
    assert event.actor is None and event.changes["enterprises"] == 20


def test_second_run_does_nothing_and_says_so():
    out = StringIO()
    call_command("seed_demo", "--enterprises", "15", "--seed", "3", stdout=out)
    assert "15 enterprises" in out.getvalue()
    before = _snapshot()
    out = StringIO()
    call_command("seed_demo", "--enterprises", "30", "--seed", "4", stdout=out)
    assert "already" in out.getvalue()
    assert _snapshot() == before
    assert AuditEvent.objects.filter(verb="registry.seed_demo").count() == 1
