"""The permission module: region prefixes by agency level, organisations for enterprise staff, superusers."""

import pytest

from techsme.core.permissions import ACTIONS, agency_prefixes, can, scope
from techsme.registry.models import AnnualFacts, Enterprise


@pytest.fixture
def world(make_org, make_user, make_enterprise) -> dict:
    sz = make_enterprise(region_code="440305")  # Nanshan, Shenzhen
    gz = make_enterprise(region_code="440106")  # Tianhe, Guangzhou
    bj = make_enterprise(region_code="110108")  # Haidian, Beijing
    for e in (sz, gz, bj):
        AnnualFacts.objects.create(enterprise=e, tax_year=2024, employees=10)
    agencies = {
        "national": make_org("agency", "100000", "national"),
        "province": make_org("agency", "440000", "province"),
        "city": make_org("agency", "440300", "city"),
        "district": make_org("agency", "440305", "district"),
    }
    users = {level: make_user("agency_reviewer", org) for level, org in agencies.items()}
    return {"sz": sz, "gz": gz, "bj": bj, "users": users, "make_user": make_user}


def _visible(user, action="enterprise.view") -> set[str]:
    return set(scope(user, action, Enterprise.objects.all()).values_list("region_code", flat=True))


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("national", {"440305", "440106", "110108"}),
        ("province", {"440305", "440106"}),
        ("city", {"440305"}),
        ("district", {"440305"}),
    ],
)
def test_agency_levels_see_their_region_prefix(world, level, expected):
    user = world["users"][level]
    assert _visible(user) == expected
    for key in ("sz", "gz", "bj"):
        enterprise = world[key]
        assert can(user, "enterprise.view", enterprise) == (enterprise.region_code in expected)
    # Nested lookups (facts → enterprise → region) follow the same scope.
    facts = scope(user, "enterprise.view", AnnualFacts.objects.all())
    assert {f.enterprise.region_code for f in facts} == expected


def test_prefixes_by_level(world):
    assert agency_prefixes(world["users"]["national"]) == [""]
    assert agency_prefixes(world["users"]["province"]) == ["44"]
    assert agency_prefixes(world["users"]["city"]) == ["4403"]
    assert agency_prefixes(world["users"]["district"]) == ["440305"]


def test_city_4403_sees_440305_not_440106(world):
    city = world["users"]["city"]
    assert can(city, "enterprise.view", world["sz"])
    assert not can(city, "enterprise.view", world["gz"])


def test_district_sees_only_its_district(make_org, make_user, make_enterprise):
    district = make_user("agency_reviewer", make_org("agency", "440305", "district"))
    inside = make_enterprise(region_code="440305")
    sibling = make_enterprise(region_code="440304")
    assert can(district, "enterprise.view", inside)
    assert not can(district, "enterprise.view", sibling)
    assert _visible(district) == {"440305"}


def test_enterprise_staff_see_only_their_organisation(world):
    make_user = world["make_user"]
    admin = make_user("enterprise_admin", world["sz"].organisation)
    assert set(scope(admin, "enterprise.view", Enterprise.objects.all())) == {world["sz"]}
    assert can(admin, "enterprise.view", world["sz"])
    assert can(admin, "enterprise.edit", world["sz"])
    assert not can(admin, "enterprise.view", world["gz"])
    # An enterprise role gives nothing region-wide, even in the enterprise's own district.
    assert not can(admin, "registry.export")


def test_role_must_allow_the_action(world):
    reviewer = world["users"]["city"]
    assert can(reviewer, "enterprise.view", world["sz"])
    assert not can(reviewer, "enterprise.edit", world["sz"])
    assert not scope(reviewer, "enterprise.edit", Enterprise.objects.all()).exists()


def test_superuser_sees_all(world, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x-pass-2026")
    assert _visible(root) == {"440305", "440106", "110108"}
    for action in ACTIONS:
        assert can(root, action, world["gz"])


def test_inactive_user_sees_nothing(world):
    user = world["users"]["national"]
    user.is_active = False
    user.save()
    assert not can(user, "enterprise.view", world["sz"])
    assert not can(user, "enterprise.view")
    assert not scope(user, "enterprise.view", Enterprise.objects.all()).exists()


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), "enterprise.view", world["sz"])
    assert not scope(AnonymousUser(), "enterprise.view", Enterprise.objects.all()).exists()


def test_user_without_memberships_sees_nothing(world, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x-pass-2026")
    assert not can(nobody, "enterprise.view")
    assert not scope(nobody, "enterprise.view", Enterprise.objects.all()).exists()


def test_unknown_action_is_an_error(world, django_user_model):
    root = django_user_model.objects.create_superuser("root2", "r@example.org", "x-pass-2026")
    for user in (world["users"]["city"], root):
        with pytest.raises(KeyError):
            can(user, "enterprise.launch_rocket", world["sz"])
    with pytest.raises(KeyError):
        scope(world["users"]["city"], "enterprise.launch_rocket", Enterprise.objects.all())


def test_superusers_only_action(world, django_user_model):
    root = django_user_model.objects.create_superuser("root3", "r3@example.org", "x-pass-2026")
    assert can(root, "system.admin")
    for user in world["users"].values():
        assert not can(user, "system.admin")


def test_unknown_action_is_an_error_for_everyone(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    root = django_user_model.objects.create_superuser("root4", "r4@example.org", "x-pass-2026")
    for user in (root, AnonymousUser()):
        with pytest.raises(KeyError):
            can(user, "no.such_action")
        with pytest.raises(KeyError):
            scope(user, "no.such_action", Enterprise.objects.all())
