"""On the demo data: the demo enterprise user sees incentives that match the engine; the demo agency finds
missing-out enterprises and runs a scenario; bulk and per-record assessment agree on every demo row."""

from datetime import date
from decimal import Decimal

import numpy as np

from techsme.accounts.models import User
from techsme.incentives.outreach import outreach
from techsme.incentives.population import load_population
from techsme.registry import demo
from techsme.registry.models import AnnualFacts
from techsme.registry.selectors import facts_record
from techsme.rules import assess_columns, assess_records
from techsme.rules.money import money_texts
from tests.incentives.conftest import login


def test_demo_enterprise_and_agency(db, django_capture_on_commit_callbacks) -> None:
    demo.seed_demo(enterprises=60, seed=7, today=date(2026, 11, 26))
    user = User.objects.get(username=demo.ENTERPRISE_ADMIN)
    client = login(user)
    index = client.get("/incentives/")
    assert index.status_code == 302
    page = client.get(index["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    enterprise = page.context["enterprise"]
    assert enterprise.name == demo.DEMO_ENTERPRISE_NAME
    facts = enterprise.facts.get(tax_year=page.context["year"])
    expected = assess_records([facts_record(enterprise, facts)])[0]
    assert page.context["result"]["eit_saving"] == expected["eit_saving"]

    qs = AnnualFacts.objects.order_by("pk")
    population = load_population(qs)
    got = assess_columns(population.table)
    records = [facts_record(f.enterprise, f) for f in qs.select_related("enterprise")]
    results = assess_records(records)
    assert money_texts(got["eit_payable"]) == [r.get("eit_payable") for r in results]
    assert [None if np.isnan(v) else int(v) for v in got["techsme_score"]] == [r.get("techsme_score")
                                                                               for r in results]

    manager = User.objects.get(username=demo.MANAGER)
    year = max(AnnualFacts.objects.values_list("tax_year", flat=True))
    rows = outreach(manager, kind="techsme_unregistered", tax_year=year)
    assert all(r["techsme_eligible"] and not r["registered"] for r in rows)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(manager).post("/incentives/scenarios/", {
            "name": "demo", "year": year, "effective_from": f"{year}-01-01",
            "path": ["eit.small_low_profit.income_limit"], "value": ["5000000"]})
    assert response.status_code == 302
    scenario_page = login(manager).get(response["Location"])
    result = scenario_page.context["r"]
    assert result["rows"] > 0 and Decimal(result["totals"]["fiscal_cost"]) >= 0
    assert result["by_region"]
