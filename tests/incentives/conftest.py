"""Incentives fixtures: enterprises with annual facts in two regions, logged-in clients."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

YEAR = 2024

BASE_FACTS: dict[str, Any] = {
    "employees": 120, "tech_staff": 30, "revenue": Decimal("30000000"), "total_cost_expense": Decimal("25000000"),
    "total_assets": Decimal("20000000"), "rd_expense": Decimal("1500000"),
    "taxable_income_before_incentives": Decimal("3500000"), "rd_core_expense": Decimal("1400000"),
    "rd_other_expense": Decimal("100000"), "ip_class1": 0, "ip_class2": 3,
}


@pytest.fixture
def add_facts(db) -> Callable:
    from techsme.registry.models import AnnualFacts

    def add(enterprise, year: int = YEAR, **values: Any) -> AnnualFacts:
        return AnnualFacts.objects.create(enterprise=enterprise, tax_year=year, **{**BASE_FACTS, **values})

    return add


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(two_regions, add_facts, make_enterprise, make_user) -> dict:
    """two_regions plus facts for both enterprises, a programme manager in Shenzhen and a second SZ enterprise."""
    sz, gz = two_regions["sz"], two_regions["gz"]
    add_facts(sz["enterprise"])
    add_facts(gz["enterprise"])
    sz["manager"] = make_user("programme_manager", sz["agency"], username="sz-manager", email="m@example.org")
    gz["manager"] = make_user("programme_manager", gz["agency"], username="gz-manager")
    return two_regions
