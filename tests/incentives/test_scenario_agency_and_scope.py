"""No agency is ever chosen for the author of a reform scenario, and a scenario is seen by the staff of the region
it covers — not by the staff of whatever region its agency sits in."""

import datetime as dt

import pytest

from techsme.core.errors import InvalidInput
from techsme.incentives.models import Scenario
from techsme.incentives.selectors import visible_scenarios
from techsme.incentives.services import do_create_scenario
from tests.incentives.conftest import YEAR, login

pytestmark = pytest.mark.django_db
CHANGES = {"rd.rate.tech_sme": "1.2"}


def _create(actor, **extra) -> Scenario:
    return do_create_scenario(actor=actor, name="120%", changes=CHANGES, effective_from=dt.date(YEAR, 1, 1),
                              tax_year=YEAR, **extra)


def _fields(excinfo) -> set[str]:
    return {e.field for e in excinfo.value.errors}


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root-scenarios", password="x-Test-pass-2026")


def test_superuser_must_choose_the_agency(world, superuser) -> None:
    sz, gz = world["sz"], world["gz"]
    with pytest.raises(InvalidInput) as excinfo:
        _create(superuser)  # several agencies apply: none is picked for the user
    assert _fields(excinfo) == {"agency_id"}
    assert not Scenario.objects.exists()
    scenario = _create(superuser, agency_id=sz["agency"].pk)
    assert scenario.agency == sz["agency"] and scenario.region_prefix == "4403"
    with pytest.raises(InvalidInput) as excinfo:
        _create(superuser, agency_id=gz["agency"].pk, region_prefix="4403")  # Shenzhen's figures under Guangzhou
    assert _fields(excinfo) == {"region_prefix"}


def test_member_of_two_agencies_must_choose_and_only_among_its_own(world, make_user, make_org) -> None:
    sz, gz = world["sz"], world["gz"]
    both = make_user("programme_manager", sz["agency"], username="two-hats")
    both.memberships.create(organisation=gz["agency"], role="programme_manager")
    with pytest.raises(InvalidInput) as excinfo:
        _create(both)
    assert _fields(excinfo) == {"agency_id"}
    assert _create(both, agency_id=gz["agency"].pk).region_prefix == "4401"
    elsewhere = make_org("agency", "510100", "city")
    with pytest.raises(InvalidInput) as excinfo:
        _create(both, agency_id=elsewhere.pk)
    assert _fields(excinfo) == {"agency_id"}
    # one agency: it is the only one that applies, so nothing needs choosing
    assert _create(sz["manager"]).agency == sz["agency"]


def test_scenarios_are_scoped_by_the_region_they_cover(world, make_org, make_user, superuser) -> None:
    sz, gz = world["sz"], world["gz"]
    province = make_org("agency", "440000", "province", name="广东省科学技术厅(测试)")
    provincial = make_user("programme_manager", province, username="gd-scenarios")
    for_guangzhou = _create(provincial, region_prefix="4401")
    whole_province = _create(provincial)
    national = make_org("agency", "", "national", name="科技部(测试)")
    everywhere = _create(superuser, agency_id=national.pk)
    assert whole_province.region_prefix == "44" and everywhere.region_prefix == ""

    def seen(user) -> set[int]:
        return set(visible_scenarios(user).values_list("pk", flat=True))

    assert seen(gz["manager"]) == {for_guangzhou.pk}  # its own region's figures, made by the province
    assert seen(sz["manager"]) == set()  # neither Guangzhou's nor the whole province's aggregates
    assert seen(provincial) == {for_guangzhou.pk, whole_province.pk}
    assert seen(superuser) == {for_guangzhou.pk, whole_province.pk, everywhere.pk}
    assert login(sz["manager"]).get(f"/incentives/scenarios/{for_guangzhou.pk}/").status_code == 404
    assert login(gz["manager"]).get(f"/incentives/scenarios/{for_guangzhou.pk}/").status_code == 200


def test_pages_and_api_ask_the_superuser_for_the_agency(world, superuser) -> None:
    client = login(superuser)
    data = {"name": "x", "year": YEAR, "effective_from": f"{YEAR}-01-01", "path": ["rd.rate.tech_sme"],
            "value": ["1.2"]}
    page = client.get("/incentives/scenarios/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="agency"' in page and world["gz"]["agency"].name in page
    response = client.post("/incentives/scenarios/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and not Scenario.objects.exists()
    assert "Choose the agency" in response.content.decode()
    response = client.post("/api/v1/incentives/scenarios", {"name": "x", "changes": CHANGES, "tax_year": YEAR,
                                                             "effective_from": f"{YEAR}-01-01", "run": False},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "agency_id"
    response = client.post("/incentives/scenarios/", {**data, "agency": world["sz"]["agency"].pk})
    assert response.status_code == 302
    assert Scenario.objects.get().agency == world["sz"]["agency"]
