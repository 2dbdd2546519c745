"""Shared fixtures: organisations, users of every role, enterprises — all real rows in the test database."""

import itertools
import os
from collections.abc import Callable
from datetime import date

import pytest

os.environ.setdefault("TECHSME_ENV", "test")

PASSWORD = "Test-pass-2026!"
_serials = itertools.count(1)


@pytest.fixture
def make_org(db) -> Callable:
    from techsme.accounts.models import Organisation

    def make(kind: str = "agency", region_code: str = "440300", level: str = "", name: str = "") -> Organisation:
        if kind == "agency" and not level:
            level = "city"
        return Organisation.objects.create(
            kind=kind, region_code=region_code, level=level if kind == "agency" else "",
            name=name or f"{kind} {region_code} {next(_serials)}",
        )

    return make


@pytest.fixture
def make_user(db) -> Callable:
    from techsme.accounts.models import Membership, User

    def make(role: str, org, username: str = "", **extra) -> User:
        user = User.objects.create_user(username=username or f"{role}-{next(_serials)}", password=PASSWORD, **extra)
        Membership.objects.create(user=user, organisation=org, role=role)
        return user

    return make


@pytest.fixture
def make_enterprise(db, make_org) -> Callable:
    from techsme.core.identifiers import make_uscc
    from techsme.registry.models import Enterprise

    def make(name: str = "", region_code: str = "440305", industry_code: str = "I6513", with_org: bool = True,
             **extra) -> Enterprise:
        serial = next(_serials)
        org = make_org("enterprise", region_code, name=name or f"企业{serial}") if with_org else None
        return Enterprise.objects.create(
            organisation=org, uscc=make_uscc(region_code, serial + 1000), name=name or f"测试科技有限公司{serial}",
            region_code=region_code, industry_code=industry_code, founded_on=date(2015, 3, 1), **extra,
        )

    return make


@pytest.fixture
def two_regions(make_org, make_user, make_enterprise) -> dict:
    """Shenzhen (4403) and Guangzhou (4401) each with an agency, a reviewer, an admin and an enterprise + its admin."""
    out: dict = {}
    for key, city, county in (("sz", "440300", "440305"), ("gz", "440100", "440106")):
        agency = make_org("agency", city, "city", name=f"agency {key}")
        enterprise = make_enterprise(region_code=county)
        out[key] = {
            "agency": agency,
            "reviewer": make_user("agency_reviewer", agency, username=f"{key}-reviewer"),
            "admin": make_user("agency_admin", agency, username=f"{key}-admin", is_staff=True),
            "enterprise": enterprise,
            "ent_admin": make_user("enterprise_admin", enterprise.organisation, username=f"{key}-ent"),
        }
    return out
