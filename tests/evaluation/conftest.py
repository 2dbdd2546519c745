"""Evaluation fixtures: filings walked through the real service verbs (the file SQLite test database that the
numbering concurrency test needs is configured in tests/conftest.py)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

YEAR = 2026
PUBLISHED_ON = date(2026, 9, 1)


@dataclass
class Flow:
    """Two cities (see ``two_regions``) plus a publisher each, and helpers that use the service verbs."""

    regions: dict
    make_user: Any
    make_enterprise: Any
    extra: dict = field(default_factory=dict)

    def __getitem__(self, key: str) -> dict:
        return self.regions[key]

    def enterprise(self, key: str = "sz", **facts: Any):
        """A new enterprise of the region (with its admin user) and facts of the previous year."""
        from techsme.registry.models import AnnualFacts

        county = self.regions[key]["enterprise"].region_code
        enterprise = self.make_enterprise(region_code=county, contact_email=f"{key}@example.com")
        admin = self.make_user("enterprise_admin", enterprise.organisation, email=f"admin-{enterprise.pk}@example.com")
        # 70 points (staff 20, R&D 50, no IP): eligible unless ``facts`` say otherwise.
        values = {"employees": 30, "tech_staff": 10, "ip_class1": 0, "ip_class2": 0,
                  "revenue": Decimal("20000000.00"), "total_cost_expense": Decimal("18000000.00"),
                  "total_assets": Decimal("15000000.00"),
                  "rd_expense": Decimal("1500000.00")} | facts
        AnnualFacts.objects.create(enterprise=enterprise, tax_year=YEAR - 1, **values)
        enterprise.test_admin = admin
        return enterprise

    @staticmethod
    def owner(filing: Any):
        """The enterprise administrator of the filing's enterprise."""
        return filing.enterprise.organisation.memberships.filter(role="enterprise_admin").first().user

    def draft(self, key: str = "sz", enterprise=None, **facts: Any):
        from techsme.evaluation.services import do_start_filing

        enterprise = enterprise or self.enterprise(key, **facts)
        admin = getattr(enterprise, "test_admin", None) or enterprise.organisation.memberships.get(
            role="enterprise_admin").user
        filing = do_start_filing(actor=admin, enterprise=enterprise, year=YEAR)
        filing.test_admin = admin
        return filing

    def submitted(self, key: str = "sz", **facts: Any):
        from techsme.evaluation.services import do_submit_filing

        filing = self.draft(key, **facts)
        submitted = do_submit_filing(actor=filing.test_admin, filing=filing, attestation=True)
        submitted.test_admin = filing.test_admin
        return submitted

    def accepted(self, key: str = "sz", checked: bool = True, **facts: Any):
        from techsme.evaluation.services import do_decide_filing, do_record_onsite_check

        filing = self.submitted(key, **facts)
        reviewer = self.regions[key]["reviewer"]
        if checked and filing.needs_onsite_check:
            do_record_onsite_check(actor=reviewer, filing=filing, result="passed", notes="ok")
        accepted = do_decide_filing(actor=reviewer, filing=filing, decision="accept")
        accepted.test_admin = filing.test_admin
        return accepted

    def publisher(self, key: str = "sz"):
        if f"pm-{key}" not in self.extra:
            self.extra[f"pm-{key}"] = self.make_user("programme_manager", self.regions[key]["agency"])
        return self.extra[f"pm-{key}"]

    def published(self, key: str = "sz", n: int = 1, published_on: date = PUBLISHED_ON):
        """A publicity batch of ``n`` newly accepted filings of the region."""
        from techsme.evaluation.services import do_publish_batch

        filings = [self.accepted(key) for _ in range(n)]
        return do_publish_batch(actor=self.publisher(key), agency=self.regions[key]["agency"],
                                filing_ids=[f.pk for f in filings], published_on=published_on)

    def registered(self, key: str = "sz", n: int = 1):
        from techsme.evaluation.services import do_close_batch

        batch = self.published(key, n)
        return do_close_batch(actor=self.publisher(key), batch=batch, today=batch.ends_on + timedelta(days=1))


@pytest.fixture
def flow(two_regions, make_user, make_enterprise) -> Flow:
    return Flow(two_regions, make_user, make_enterprise)
