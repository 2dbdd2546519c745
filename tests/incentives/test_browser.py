"""In Chromium: an agency user runs a reform scenario and sees the cost-by-region chart; the what-if panel."""

import re
from decimal import Decimal

import pytest

from tests.browser import log_in, shot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, username: str) -> None:
    page.set_default_timeout(20000)
    log_in(page, live_server, username, PASSWORD)


def test_agency_user_runs_a_scenario_and_sees_cost_by_region(page, live_server, world, make_enterprise,
                                                            add_facts) -> None:
    from techsme.incentives.models import Scenario

    sz = world["sz"]
    add_facts(sz["enterprise"], year=2022, tech_sme_registered=True)
    futian = make_enterprise(name="福田创新科技有限公司", region_code="440304")
    add_facts(futian, year=2022, tech_sme_registered=True, rd_expense=Decimal("2500000"),
              rd_core_expense=Decimal("2500000"), rd_other_expense=Decimal("0"))
    _log_in(page, live_server, sz["manager"].username)
    page.goto(f"{live_server.url}/incentives/scenarios/")
    page.get_by_role("button", name="Tech-SME super-deduction 100% → 120%").click()
    assert page.locator("#path-1").input_value() == "rd.rate.tech_sme"
    page.get_by_label("Tax year of the facts").fill("2022")
    page.get_by_label("Effective from (YYYY-MM-DD)").fill("2022-01-01")
    page.get_by_role("button", name="Save and run").click()
    page.wait_for_url(re.compile(r".*/incentives/scenarios/\d+/$"))
    chart = page.locator('#cost-by-region svg[data-chart="region"]')
    chart.wait_for()
    assert chart.locator("rect").count() == 2
    text = page.locator("#cost-by-region").inner_text()
    assert "南山区" in text and "福田区" in text
    scenario = Scenario.objects.get()
    cost = Decimal(scenario.result["totals"]["fiscal_cost"])
    assert page.locator("[data-fiscal-cost]").inner_text() == f"¥{cost:,.2f}"
    assert Decimal(scenario.result["totals"]["fiscal_cost"]) > 0
    shot(page, "incentives-scenario")


def test_what_if_panel_updates_without_saving(page, live_server, world) -> None:
    from techsme.registry.models import AnnualFacts

    sz = world["sz"]
    _log_in(page, live_server, sz["ent_admin"].username)
    page.goto(f"{live_server.url}/incentives/enterprises/{sz['enterprise'].pk}/")
    page.locator("#wi-tech_staff").fill("36")
    page.locator("[data-what-if-total]").wait_for()
    assert "Changed:" in page.locator("#what-if-result").inner_text()
    assert AnnualFacts.objects.get(enterprise=sz["enterprise"]).tech_staff == 30
    shot(page, "incentives-what-if")
