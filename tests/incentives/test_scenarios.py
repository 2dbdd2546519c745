"""Reform scenarios: job run, totals equal an independent computation, comparison, XLSX, scope, CLI, API."""

import io
import json
from datetime import date
from decimal import Decimal

import openpyxl
from django.core.management import call_command

from techsme.core.models import AuditEvent
from techsme.incentives.models import Scenario
from techsme.registry.models import AnnualFacts
from techsme.registry.selectors import facts_record
from techsme.rules import assess_records
from tests.incentives.conftest import login

YEAR = 2022


def _population(world, make_enterprise, add_facts):
    sz = world["sz"]
    add_facts(sz["enterprise"], year=YEAR, tech_sme_registered=True)
    small = make_enterprise(name="小微科技公司", region_code="440304")
    add_facts(small, year=YEAR, taxable_income_before_incentives=Decimal("4500000"), rd_expense=Decimal("0"),
              rd_core_expense=Decimal("0"), rd_other_expense=Decimal("0"))
    add_facts(world["gz"]["enterprise"], year=YEAR, tech_sme_registered=True)
    return sz


def _independent(region_prefix: str, reform: dict) -> dict:
    facts = AnnualFacts.objects.filter(tax_year=YEAR, enterprise__region_code__startswith=region_prefix)
    records = [facts_record(f.enterprise, f) for f in facts.select_related("enterprise")]
    base, ref = assess_records(records), assess_records(records, reform=reform)

    def total(rows, column):
        return sum((Decimal(r[column]) for r in rows if r[column] is not None), Decimal("0.00"))

    return {
        "fiscal_cost": total(base, "eit_payable") - total(ref, "eit_payable"),
        "deduction_change": total(ref, "rd_extra_deduction") - total(base, "rd_extra_deduction"),
        "winners": sum(Decimal(r["eit_payable"]) < Decimal(b["eit_payable"]) for b, r in zip(base, ref, strict=True)),
        "rows": len(records),
    }


def _create(client, **extra):
    data = {"name": "科技型中小企业加计扣除120%", "year": YEAR, "effective_from": "2022-01-01",
            "path": ["rd.rate.tech_sme", "eit.small_low_profit.income_limit", "", ""],
            "value": ["1.2", "5000000", "", ""], **extra}
    return client.post("/incentives/scenarios/", data)


def test_scenario_job_totals_equal_an_independent_computation(world, make_enterprise, add_facts,
                                                              django_capture_on_commit_callbacks) -> None:
    sz = _population(world, make_enterprise, add_facts)
    client = login(sz["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _create(client)
    scenario = Scenario.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/incentives/scenarios/{scenario.pk}/"
    assert scenario.region_prefix == "4403" and scenario.job.status == "done"
    reform = {"rd.rate.tech_sme": {"2022-01-01": 1.2}, "eit.small_low_profit.income_limit": {"2022-01-01": 5e6}}
    expected = _independent("4403", reform)
    result = scenario.result
    assert result["rows"] == expected["rows"] == 2  # Guangzhou is outside the agency's region
    assert Decimal(result["totals"]["fiscal_cost"]) == expected["fiscal_cost"] > 0
    assert Decimal(result["totals"]["deduction_change"]) == expected["deduction_change"] > 0
    assert result["winners"] == expected["winners"] == 2
    assert result["newly_eligible"]["eit_small_low_profit_eligible"] == 1
    by_region = {r["key"]: r for r in result["by_region"]}
    assert set(by_region) == {"440304", "440305"}
    assert sum(Decimal(r["fiscal_cost"]) for r in by_region.values()) == expected["fiscal_cost"]
    assert [p["path"] for p in result["parameters"]] == ["rd.rate.tech_sme", "eit.small_low_profit.income_limit"]
    assert result["parameters"][0]["history"][0]["reference"]["document"]
    assert AuditEvent.objects.filter(verb="incentives.run_scenario").count() == 1

    page = client.get(f"/incentives/scenarios/{scenario.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-chart="region"' in page and f"¥{Decimal(result['totals']['fiscal_cost']):,.2f}" in page
    assert "财政部 税务总局 科技部公告2022年第16号" in page

    xlsx = client.get(f"/incentives/scenarios/{scenario.pk}/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert {"summary", "by_region", "by_industry", "by_size", "distribution", "parameters"} <= set(book.sheetnames)
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(values_only=True)}
    assert Decimal(str(summary["fiscal_cost"])) == expected["fiscal_cost"]


def test_comparison_and_scope(world, make_enterprise, add_facts, django_capture_on_commit_callbacks) -> None:
    sz = _population(world, make_enterprise, add_facts)
    client = login(sz["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        _create(client, name="A")
        _create(client, name="B", path=["eit.small_low_profit.income_limit"], value=["5000000"])
    a, b = Scenario.objects.get(name="A"), Scenario.objects.get(name="B")
    response = client.get("/incentives/scenarios/compare/", {"a": a.pk, "b": b.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    totals = {k: (va, vb) for k, va, vb in response.context["totals"]}
    assert totals["Fiscal cost"] == (a.result["totals"]["fiscal_cost"], b.result["totals"]["fiscal_cost"])
    assert Decimal(totals["Fiscal cost"][0]) > Decimal(totals["Fiscal cost"][1])
    # Shared inside the agency: the reviewer of the same agency sees them; Guangzhou gets 404 everywhere.
    assert login(sz["reviewer"]).get(f"/incentives/scenarios/{a.pk}/").status_code == 200
    gz = login(world["gz"]["manager"])
    assert gz.get(f"/incentives/scenarios/{a.pk}/").status_code == 404
    assert gz.get(f"/incentives/scenarios/{a.pk}/export.xlsx").status_code == 404
    assert gz.get("/incentives/scenarios/compare/", {"a": a.pk, "b": b.pk}).status_code == 404
    assert gz.post(f"/incentives/scenarios/{a.pk}/run/").status_code == 404
    assert gz.get(f"/api/v1/incentives/scenarios/{a.pk}").status_code == 404
    assert list(gz.get("/incentives/scenarios/").context["scenarios"]) == []
    # Reviewers may look but not run; enterprises may not even look.
    assert login(sz["reviewer"]).post(f"/incentives/scenarios/{a.pk}/run/").status_code == 403
    assert login(sz["ent_admin"]).get("/incentives/scenarios/").status_code == 403


def test_bad_input_is_refused(world, make_enterprise, add_facts) -> None:
    sz = _population(world, make_enterprise, add_facts)
    client = login(sz["manager"])
    response = _create(client, path=["no.such.parameter"], value=["1"], HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response.context["errors"]
    response = _create(client, region="4401")
    assert any("outside" in e or "区域" in e or "范围" in e for e in response.context["errors"])
    assert Scenario.objects.count() == 0


def test_api_creates_and_runs(world, make_enterprise, add_facts, django_capture_on_commit_callbacks) -> None:
    sz = _population(world, make_enterprise, add_facts)
    client = login(sz["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/incentives/scenarios", json.dumps({
            "name": "api", "changes": {"rd.rate.tech_sme": 1.2}, "effective_from": "2022-01-01", "tax_year": YEAR,
        }), content_type="application/json")
    assert response.status_code == 201
    pk = response.json()["id"]
    detail = client.get(f"/api/v1/incentives/scenarios/{pk}").json()
    expected = _independent("4403", {"rd.rate.tech_sme": {"2022-01-01": 1.2}})
    assert Decimal(detail["result"]["totals"]["fiscal_cost"]) == expected["fiscal_cost"]
    bad = client.post("/api/v1/incentives/scenarios", json.dumps({
        "name": "x", "changes": {"rd.rate.tech_sme": "abc"}, "effective_from": "2022-01-01", "tax_year": YEAR,
    }), content_type="application/json")
    assert bad.status_code == 422


def test_reform_db_command(world, make_enterprise, add_facts, capsys) -> None:
    _population(world, make_enterprise, add_facts)
    call_command("reform_db", "--set", "rd.rate.tech_sme=1.2", "--from", "2022-01-01", "--year", str(YEAR),
                 "--region", "44", "--json")
    result = json.loads(capsys.readouterr().out)
    expected = _independent("44", {"rd.rate.tech_sme": {date(2022, 1, 1): 1.2}})
    assert result["rows"] == 3
    assert Decimal(result["totals"]["fiscal_cost"]) == expected["fiscal_cost"]
    assert {r["key"] for r in result["by_region"]} == {"4401", "4403"}
    call_command("reform_db", "--set", "rd.rate.tech_sme=1.2", "--from", "2022-01-01", "--year", str(YEAR))
    assert "fiscal cost" in capsys.readouterr().out
