"""Reads of the incentives app, always narrowed to the caller's scope."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from techsme.core.permissions import agency_prefixes, scope
from techsme.incentives.models import Notification, Scenario
from techsme.registry.models import AnnualFacts, Enterprise
from techsme.registry.selectors import SIZE_CLASSES, enterprise_for, enterprises_of_user
from techsme.rules import parameter_listing, variables_metadata


def incentive_enterprise(user: Any, pk: int) -> Enterprise:
    """The enterprise whose incentives ``user`` may see (own enterprise, or agency scope); 404 otherwise."""
    return enterprise_for(user, pk, "incentives.view")


def own_enterprises(user: Any) -> QuerySet[Enterprise]:
    return enterprises_of_user(user).order_by("name")


def facts_years(enterprise: Enterprise) -> list[int]:
    return list(enterprise.facts.order_by("-tax_year").values_list("tax_year", flat=True))


def facts_of_year(enterprise: Enterprise, year: int) -> AnnualFacts:
    facts = enterprise.facts.filter(tax_year=year).first()
    if facts is None:
        raise Http404
    return facts


def facts_in_scope(
    user: Any, action: str, *, tax_year: int, region: str = "", industry: str = "", size: str = ""
) -> QuerySet[AnnualFacts]:
    """Enterprise-years of ``tax_year`` the user may act on, filtered by region/industry prefix and size class."""
    qs = scope(user, action, AnnualFacts.objects.filter(tax_year=tax_year))
    return filter_facts(qs, region=region, industry=industry, size=size)


def filter_facts(qs: QuerySet[AnnualFacts], *, region: str = "", industry: str = "",
                 size: str = "") -> QuerySet[AnnualFacts]:
    if region := region.strip():
        qs = qs.filter(enterprise__region_code__startswith=region)
    if industry := industry.strip().upper():
        qs = qs.filter(enterprise__industry_code__startswith=industry)
    if size in SIZE_CLASSES:
        low, high = SIZE_CLASSES[size]
        qs = qs.filter(employees__gte=low)
        if high is not None:
            qs = qs.filter(employees__lte=high)
    return qs


def years_with_facts(user: Any, action: str) -> list[int]:
    qs = scope(user, action, AnnualFacts.objects.all())
    return sorted(set(qs.values_list("tax_year", flat=True)), reverse=True)


def default_year(years: list[int]) -> int:
    return years[0] if years else dt.date.today().year - 1


# ---- scenarios
def visible_scenarios(user: Any) -> QuerySet[Scenario]:
    return scope(user, "incentives.scenario.view", Scenario.objects.select_related("agency", "created_by", "job"))


def scenario_for(user: Any, pk: int) -> Scenario:
    scenario = visible_scenarios(user).filter(pk=pk).first()
    if scenario is None:
        raise Http404
    return scenario


def user_region_prefixes(user: Any) -> list[str]:
    return agency_prefixes(user)


# ---- notifications
def notifications_of(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("enterprise", "sender")


# ---- policy library (public)
@lru_cache(maxsize=8)
def _listing(day: dt.date) -> list[dict[str, Any]]:
    return parameter_listing(at=day)


def policy_parameters(q: str = "", day: dt.date | None = None) -> list[dict[str, Any]]:
    """Every parameter (optionally filtered by a search text in either language or the path)."""
    listing = _listing(day or dt.date.today())
    if not (q := q.strip().lower()):
        return listing
    return [p for p in listing if q in _haystack(p)]


def _haystack(p: dict[str, Any]) -> str:
    citations = " ".join(f"{h['reference'].get('document', '')} {h['reference'].get('article', '')}"
                         for h in p["history"])
    return " ".join([p["path"], p["label"]["en"], p["label"]["zh"], p["description"] or "", citations]).lower()


def policy_parameter(path: str, day: dt.date | None = None) -> dict[str, Any]:
    for p in _listing(day or dt.date.today()):
        if p["path"] == path:
            return p
    raise Http404


@lru_cache(maxsize=1)
def _variables() -> list[dict[str, Any]]:
    return variables_metadata()


def policy_variables(q: str = "") -> list[dict[str, Any]]:
    items = _variables()
    if not (q := q.strip().lower()):
        return items
    return [v for v in items if q in " ".join([v["name"], v["label_en"], v["label_zh"], v.get("rule_en") or "",
                                                   v.get("rule_zh") or "", *v["parameters"]]).lower()]


def policy_variable(name: str) -> dict[str, Any]:
    for v in _variables():
        if v["name"] == name:
            return v
    raise Http404
