"""The review queue filters by industry (GB/T 4754 section or division, like the agency enterprise list), inside the
reviewer's region."""

import pytest
from django.urls import reverse

from techsme.evaluation.models import EvaluationYear
from techsme.evaluation.selectors import review_queue

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def filings(flow, make_enterprise) -> dict:
    EvaluationYear.objects.create(year=YEAR, onsite_check_first_time=False)
    out = {}
    for key, region, industry in (("software", "440305", "I6513"), ("telecom", "440305", "I6311"),
                                  ("factory", "440305", "C3911"), ("gz_software", "440106", "I6513")):
        enterprise = make_enterprise(region_code=region, industry_code=industry)
        admin = flow.make_user("enterprise_admin", enterprise.organisation, email=f"{key}@example.com")
        enterprise.test_admin = admin
        from techsme.registry.models import AnnualFacts

        AnnualFacts.objects.create(enterprise=enterprise, tax_year=YEAR - 1, employees=30, tech_staff=10)
        filing = flow.draft(enterprise=enterprise)
        from techsme.evaluation.services import do_submit_filing

        out[key] = do_submit_filing(actor=admin, filing=filing, attestation=True)
    return out


def test_section_and_division(flow, filings) -> None:
    reviewer = flow["sz"]["reviewer"]
    section = set(review_queue(reviewer, industry="I"))
    assert section == {filings["software"], filings["telecom"]}  # not the Guangzhou one: outside the region
    assert set(review_queue(reviewer, industry="i65")) == {filings["software"]}
    assert set(review_queue(reviewer, industry="C")) == {filings["factory"]}
    assert set(review_queue(reviewer)) == {filings["software"], filings["telecom"], filings["factory"]}
    assert set(review_queue(flow["gz"]["reviewer"], industry="I65")) == {filings["gz_software"]}


def test_queue_page_offers_and_applies_the_filter(client, flow, filings) -> None:
    client.force_login(flow["sz"]["reviewer"])
    page = client.get(reverse("evaluation:queue"), {"industry": "I65"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="industry"' in html and '<option value="I65" selected>' in html
    assert filings["software"].enterprise.name in html
    assert filings["telecom"].enterprise.name not in html and filings["factory"].enterprise.name not in html
    assert filings["gz_software"].enterprise.name not in html


def test_industry_filter_does_not_widen_the_scope(client, flow, filings) -> None:
    client.force_login(flow["gz"]["reviewer"])
    html = client.get(reverse("evaluation:queue"), {"industry": "C"}).content.decode()
    assert filings["factory"].enterprise.name not in html
