"""Incentives API (under /api/v1/): an enterprise's incentives, outreach lists, reform scenarios.

Reads are scoped (an id outside the caller's scope is a 404); writes go through ``incentives.services``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from techsme.core.api_schemas import ERRORS, Id, Short, Text, Year
from techsme.core.permissions import can
from techsme.incentives import selectors
from techsme.incentives.consultation import consult
from techsme.incentives.outreach import LISTS, outreach
from techsme.incentives.services import do_create_scenario, do_run_scenario
from techsme.registry.selectors import facts_record

router = Router(tags=["incentives"])





@router.get("/incentives/enterprises/{pk}", response={200: dict, **ERRORS})
def enterprise_incentives(request: HttpRequest, pk: Id, year: Year | None = None) -> Any:
    """The incentives of one enterprise for a tax year (default: the latest year with facts)."""
    enterprise = selectors.incentive_enterprise(request.user, pk)
    years = selectors.facts_years(enterprise)
    if not years or (year is not None and year not in years):
        raise Http404
    year = year if year is not None else years[0]
    result, incentives = consult(facts_record(enterprise, selectors.facts_of_year(enterprise, year)))
    explanation = result.pop("explanation")
    return {
        "enterprise_id": enterprise.pk, "tax_year": year, "result": result, "explanation": explanation,
        "incentives": [{
            "key": i.key, "title": i.title, "status": i.status,
            "amount": None if i.amount is None else str(i.amount), "missing_facts": i.missing,
            "improvements": i.improvements, "legal_basis": i.legal_basis, "claim": i.claim,
            "unconfirmed": i.unconfirmed,
        } for i in incentives],
    }


@router.get("/incentives/outreach", response={200: dict, **ERRORS})
def outreach_list(request: HttpRequest, list: Short = "techsme_unregistered", year: Year | None = None,  # noqa: A002
                  region: Short = "", industry: Short = "", size: Short = "") -> Any:
    if not can(request.user, "incentives.outreach"):
        raise PermissionDenied
    if list not in LISTS:
        raise Http404
    years = selectors.years_with_facts(request.user, "incentives.outreach")
    year = year or selectors.default_year(years)
    rows = outreach(request.user, kind=list, tax_year=year, region=region, industry=industry, size=size)
    return {"list": list, "tax_year": year, "count": len(rows), "rows": rows}


class ScenarioIn(Schema):
    name: Short
    changes: dict[str, Any]
    effective_from: dt.date
    tax_year: Year
    agency_id: Id | None = None  # required when you act for several agencies (a superuser always)
    region_prefix: Short = ""
    industry_prefix: Short = ""
    size_class: Short = ""
    description: Text = ""
    run: bool = True


def _scenario_out(scenario: Any) -> dict[str, Any]:
    return {
        "id": scenario.pk, "name": scenario.name, "description": scenario.description,
        "agency_id": scenario.agency_id, "region_prefix": scenario.region_prefix,
        "industry_prefix": scenario.industry_prefix, "size_class": scenario.size_class,
        "tax_year": scenario.tax_year, "effective_from": scenario.effective_from.isoformat(),
        "changes": scenario.changes, "job_id": scenario.job_id,
        "job_status": scenario.job.status if scenario.job_id else None,
        "ran_at": scenario.ran_at.isoformat() if scenario.ran_at else None, "result": scenario.result or None,
    }


@router.get("/incentives/scenarios", response={200: list[dict], **ERRORS})
def scenario_list(request: HttpRequest) -> Any:
    if not can(request.user, "incentives.scenario.view"):
        raise PermissionDenied
    return [{k: v for k, v in _scenario_out(s).items() if k != "result"}
            for s in selectors.visible_scenarios(request.user)[:500]]


@router.post("/incentives/scenarios", response={201: dict, **ERRORS})
def scenario_create(request: HttpRequest, payload: ScenarioIn) -> Any:
    """Save a scenario and (by default) start its run as a background job; poll GET …/scenarios/{id}."""
    scenario = do_create_scenario(
        actor=request.user, name=payload.name, changes=payload.changes, effective_from=payload.effective_from,
        tax_year=payload.tax_year, region_prefix=payload.region_prefix, industry_prefix=payload.industry_prefix,
        size_class=payload.size_class, description=payload.description, agency_id=payload.agency_id,
    )
    if payload.run:
        do_run_scenario(actor=request.user, scenario_id=scenario.pk)
    return Status(201, _scenario_out(selectors.scenario_for(request.user, scenario.pk)))


@router.get("/incentives/scenarios/{pk}", response={200: dict, **ERRORS})
def scenario_detail(request: HttpRequest, pk: Id) -> Any:
    return _scenario_out(selectors.scenario_for(request.user, pk))
