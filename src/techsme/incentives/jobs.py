"""Background job: run a reform scenario over its population and store the result on the scenario."""

from __future__ import annotations

import time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core.jobs import ProgressFn, register_job
from techsme.core.models import Job
from techsme.incentives.models import Scenario
from techsme.incentives.population import load_population
from techsme.incentives.selectors import filter_facts
from techsme.incentives.services import REFORM_JOB
from techsme.incentives.simulation import parameters_used, simulate
from techsme.registry.models import AnnualFacts


def scenario_population_queryset(scenario: Scenario) -> Any:
    """The enterprise-years of the scenario: its tax year, inside its region (checked against the agency when the
    scenario was created), with its filters."""
    qs = AnnualFacts.objects.filter(tax_year=scenario.tax_year)
    return filter_facts(qs, region=scenario.region_prefix, industry=scenario.industry_prefix,
                        size=scenario.size_class)


def run_scenario(scenario: Scenario, report_progress: ProgressFn | None = None) -> dict[str, Any]:
    report = report_progress or (lambda percent, message="": None)
    started = time.perf_counter()
    qs = scenario_population_queryset(scenario)
    total = max(qs.count(), 1)
    report(2, _("Loading the facts of %(n)d enterprise-years…") % {"n": total})
    population = load_population(qs, progress=lambda done: report(2 + 38 * done / total,
                                                                  _("Loaded %(done)d rows") % {"done": done}))
    loading = time.perf_counter() - started
    report(40, _("Computing the law as it is and the reform…"))
    result = simulate(population, scenario.reform(), region_prefix=scenario.region_prefix,
                      progress=lambda percent, message: report(percent, _("Computing…")))
    result["timings"]["loading"] = round(loading, 3)
    result["parameters"] = parameters_used(scenario.changes, scenario.effective_from)
    result["tax_year"] = scenario.tax_year
    Scenario.objects.filter(pk=scenario.pk).update(result=result, ran_at=timezone.now())
    report(100, _("Done."))
    return result


@register_job(REFORM_JOB)
def run_reform_job(job: Job, report_progress: ProgressFn) -> dict[str, Any]:
    scenario = Scenario.objects.get(pk=job.params["scenario_id"])
    result = run_scenario(scenario, report_progress)
    return {"scenario_id": scenario.pk, "rows": result["rows"], "fiscal_cost": result["totals"].get("fiscal_cost")}
