"""Outreach lists: enterprises in the agency's region that appear eligible for a measure but are not using it.

One bulk load of the year's facts and one vectorised engine call over all the rows (a second call only for the
"higher rate if registered" list); then plain numpy masks. Registration status comes from the evaluation app's
``Registration`` (state "registered", evaluation year = tax year or the year after) or the facts' own
``tech_sme_registered`` flag.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.utils.translation import gettext_lazy as _

from techsme.incentives.population import Population, load_population
from techsme.incentives.selectors import facts_in_scope
from techsme.refdata import region_name
from techsme.rules import Simulation, assess_columns, parameters

LISTS: dict[str, Any] = {
    "techsme_unregistered": _("Eligible as a tech-SME (score ≥ pass mark or a direct route) but not registered"),
    "higher_rate_unregistered": _("Would get a higher R&D super-deduction rate if registered as a tech-SME"),
    "hnte_near": _("Close to the HNTE thresholds without an HNTE certificate"),
    "slp_cliff": _("Close to the small low-profit income limit"),
}
HNTE_RD_MARGIN = 0.01       # R&D intensity within 1 percentage point below the required share
HNTE_STAFF_MARGIN = 0.02    # tech-staff share within 2 points below 10%
SLP_BELOW, SLP_ABOVE = 0.10, 0.20  # taxable income within 10% below to 20% above the limit


def registered_mask(population: Population, tax_year: int) -> np.ndarray:
    """Registered as a tech-SME for ``tax_year``: a registration row, or the facts' own flag."""
    flag = population.table["tech_sme_registered"] == 1.0
    try:
        from techsme.evaluation.models import Registration, RegistrationState
    except ImportError:  # the evaluation app is optional for this list
        return flag
    ids = set(Registration.objects.filter(
        state=RegistrationState.REGISTERED, year__in=[tax_year, tax_year + 1],
        enterprise_id__in=np.unique(population.enterprise_ids).tolist(),
    ).values_list("enterprise_id", flat=True))
    if not ids:
        return flag
    return flag | np.isin(population.enterprise_ids, np.fromiter(ids, dtype=np.int64))


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / b, np.nan)


def _hnte_required_share(revenue: np.ndarray, day: dt.date) -> np.ndarray:
    scale = parameters(at=day)["hnte.rd_share"]
    out = np.full(revenue.size, np.nan)
    for threshold, amount, strict in scale.rows:
        reached = revenue > threshold if strict else revenue >= threshold
        out = np.where(reached, amount, out)
    return out


def outreach(user: Any, *, kind: str, tax_year: int, region: str = "", industry: str = "",
             size: str = "") -> list[dict[str, Any]]:
    """The rows of one outreach list (scoped to ``user``), sorted by name."""
    if kind not in LISTS:
        raise ValueError(kind)
    qs = facts_in_scope(user, "incentives.outreach", tax_year=tax_year, region=region, industry=industry, size=size)
    population = load_population(qs)
    return outreach_rows(population, kind=kind, tax_year=tax_year)


def outreach_rows(population: Population, *, kind: str, tax_year: int) -> list[dict[str, Any]]:
    if population.n == 0:
        return []
    table = dict(population.table)
    registered = registered_mask(population, tax_year)
    table["tech_sme_registered"] = registered.astype(np.float64)
    out = assess_columns(table)
    day = dt.date(tax_year, 12, 31)
    detail: dict[str, np.ndarray] = {}
    if kind == "techsme_unregistered":
        mask = (out["techsme_eligible"] == 1.0) & ~registered
    elif kind == "higher_rate_unregistered":
        as_registered = dict(table, tech_sme_registered=np.ones(population.n))
        rate_if = Simulation(as_registered)("rd_deduction_rate")
        rate_now = np.nan_to_num(out["rd_deduction_rate"])
        base = np.nan_to_num(out["rd_deduction_base"])
        mask = ((out["techsme_eligible"] == 1.0) & ~registered & (np.nan_to_num(rate_if) > rate_now) & (base > 0))
        detail["rate_now"], detail["rate_if_registered"] = rate_now, rate_if
        detail["extra_deduction_gain"] = (np.nan_to_num(rate_if) - rate_now) * base
    elif kind == "hnte_near":
        t = population.table
        rd_share = _ratio(t["rd_expense"], t["revenue"])
        required = _hnte_required_share(np.nan_to_num(t["revenue"]), day)
        staff_share = _ratio(t["tech_staff"], t["employees"])
        ip = np.nan_to_num(t["ip_class1"]) + np.nan_to_num(t["ip_class2"])
        founded_ok = t["founded_on"] <= (np.datetime64(dt.date(tax_year - 1, 12, 31)).astype(np.int64))
        mask = ((t["hnte_certificate_valid"] != 1.0) & founded_ok & (ip >= 1)
                & (rd_share >= required - HNTE_RD_MARGIN) & (staff_share >= 0.10 - HNTE_STAFF_MARGIN))
        detail["rd_share"], detail["rd_share_required"], detail["tech_staff_share"] = rd_share, required, staff_share
    else:  # slp_cliff
        limit = parameters(at=day)["eit.small_low_profit.income_limit"]
        if limit is None:
            return []
        income = out["eit_taxable_income"]
        t = population.table
        headcount = np.where(np.isnan(t["avg_headcount"]), t["employees"], t["avg_headcount"])
        assets = np.where(np.isnan(t["avg_total_assets"]), t["total_assets"], t["avg_total_assets"])
        head_limit = parameters(at=day)["eit.small_low_profit.headcount_limit"]
        asset_limit = parameters(at=day)["eit.small_low_profit.assets_limit"]
        mask = ((income >= limit * (1 - SLP_BELOW)) & (income <= limit * (1 + SLP_ABOVE))
                & (headcount <= head_limit) & (assets <= asset_limit))
        detail["taxable_income"] = income
        detail["above_limit_by"] = income - limit
    rows = []
    for i in np.flatnonzero(mask).tolist():
        row = {
            "enterprise_id": int(population.enterprise_ids[i]),
            "uscc": population.table["uscc"][i],
            "name": population.table["name"][i],
            "region_code": population.table["region_code"][i],
            "region": region_name(population.table["region_code"][i]),
            "industry_code": population.table["industry_code"][i],
            "tax_year": tax_year,
            "employees": _int(population.table["employees"][i]),
            "techsme_score": _int(out["techsme_score"][i]),
            "techsme_eligible": None if np.isnan(out["techsme_eligible"][i]) else bool(out["techsme_eligible"][i]),
            "registered": bool(registered[i]),
            "eit_regime": out["eit_regime"][i],
        }
        for name, values in detail.items():
            value = float(values[i])
            row[name] = None if np.isnan(value) else round(value, 6 if "share" in name or "rate" in name else 2)
        rows.append(row)
    rows.sort(key=lambda r: (r["name"], r["enterprise_id"]))
    return rows


def _int(value: float) -> int | None:
    return None if np.isnan(value) else int(value)
