"""Fixtures of the voucher tests: a Shenzhen programme with a funded budget, an enterprise, an approved provider.

Concurrency tests rely on the file SQLite test database of ``tests/conftest.py`` (separate connections must wait
for the write lock instead of failing). Browser tests use the one session-wide ``browser`` fixture of
``tests/conftest.py``.
"""

import itertools
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

D = Decimal
_keys = itertools.count(1)



@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English (the default language of the site is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def key() -> str:
    return f"k{next(_keys)}"


@pytest.fixture
def world(make_org, make_user, make_enterprise):
    from techsme.vouchers import services as s

    year = timezone.localdate().year
    sz = make_org("agency", "440300", "city", name="深圳市科技局")
    gz = make_org("agency", "440100", "city", name="广州市科技局")
    manager = make_user("programme_manager", sz, username="sz-manager")
    reviewer = make_user("agency_reviewer", sz, username="sz-reviewer")
    admin = make_user("agency_admin", sz, username="sz-admin")
    gz_manager = make_user("programme_manager", gz, username="gz-manager")
    enterprise = make_enterprise(name="深圳测试科技有限公司", region_code="440305")
    ent_user = make_user("enterprise_admin", enterprise.organisation, username="sz-ent")
    other = make_enterprise(name="深圳另一科技有限公司", region_code="440306")
    other_user = make_user("enterprise_admin", other.organisation, username="sz-ent2")
    gz_enterprise = make_enterprise(name="广州测试科技有限公司", region_code="440106")
    gz_ent_user = make_user("enterprise_admin", gz_enterprise.organisation, username="gz-ent")
    lab = make_org("provider", "440305", name="深圳检测研究院")
    lab_user = make_user("provider_staff", lab, username="lab")
    lab2 = make_org("provider", "440106", name="广州分析测试中心")
    lab2_user = make_user("provider_staff", lab2, username="lab2")
    programme = s.do_create_programme(
        actor=manager, agency=sz, name="深圳科技创新券", year=year, budget="100000",
        cap_per_enterprise_year="50000", cap_per_application="20000", max_contract_share="0.5",
        categories=["testing", "rd", "patent"], valid_until=date(year, 12, 31),
        eligibility_rule=[[{"condition": "region_prefix", "value": "4403"}]],
    )
    gz_programme = s.do_create_programme(
        actor=gz_manager, agency=gz, name="广州科技创新券", year=year, budget="50000",
        cap_per_enterprise_year="30000", cap_per_application="10000", max_contract_share="0.3",
        categories=["testing"], valid_until=date(year, 12, 31),
        eligibility_rule=[[{"condition": "region_prefix", "value": "4401"}]],
    )
    provider = s.do_register_provider(
        actor=lab_user, organisation_id=lab.pk, programme_id=programme.pk, institution="深圳检测研究院",
        accreditation="CNAS L1234", services=[{"name": "EMC test", "category": "testing", "price": "8000"},
                                              {"name": "Material analysis", "category": "rd", "price": "12000"}],
    )
    s.do_decide_provider(actor=manager, provider_id=provider.pk, approve=True)
    gz_provider = s.do_register_provider(
        actor=lab2_user, organisation_id=lab2.pk, programme_id=gz_programme.pk, institution="广州分析测试中心",
        accreditation="CMA 2020", services=[{"name": "Chemical analysis", "category": "testing", "price": "5000"}],
    )
    s.do_decide_provider(actor=gz_manager, provider_id=gz_provider.pk, approve=True)
    return SimpleNamespace(**locals())


def issue(w, amount: str = "20000", approved: str | None = None):
    """Apply and approve: the voucher of ``w.enterprise`` in ``w.programme``."""
    from techsme.vouchers import services as s

    application = s.do_apply(actor=w.ent_user, programme_id=w.programme.pk, enterprise_id=w.enterprise.pk,
                             amount=amount, purpose="EMC testing of a new product", submission_key=key())
    application = s.do_decide_application(actor=w.manager, application_id=application.pk, approve=True,
                                          amount=approved, reason="partly" if approved else "")
    return application.voucher


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def contract(w, voucher, amount: str = "10000", category: str = "testing", provider=None, document: bool = True):
    """Record a contract of ``voucher`` (with a small PDF as its contract document unless ``document=False``)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from techsme.vouchers import services as s

    upload = SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf") if document else None
    return s.do_record_contract(actor=w.ent_user, voucher_id=voucher.pk, provider_id=(provider or w.provider).pk,
                                category=category, amount=amount, description="EMC test of model X",
                                submission_key=key(), document=upload)
