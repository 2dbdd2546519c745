"""The agency dashboard: counts and the searchable list of enterprises in scope; export links."""

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from techsme.core.permissions import agency_prefixes, can
from techsme.refdata import industry_classes, industry_sections, region_name, regions
from techsme.registry.selectors import SIZE_CLASSES, search_enterprises, visible_enterprises

PAGE_SIZE = 50
SORTS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "region": ("region_code", "name"),
    "-region": ("-region_code", "name"),
    "employees": (F("latest_employees").asc(nulls_last=True), "name"),
    "-employees": (F("latest_employees").desc(nulls_last=True), "name"),
}
FILTER_KEYS = ("q", "region", "industry", "size", "sort")


def size_label(key: str) -> str:
    low, high = SIZE_CLASSES[key]
    if high is None:
        return _("more than %(n)d employees") % {"n": low - 1}
    return _("%(low)d–%(high)d employees") % {"low": max(low, 1), "high": high}


def region_choices(user: Any) -> list[tuple[str, str]]:
    """Regions inside the user's prefixes (provinces and cities only for national staff)."""
    prefixes = agency_prefixes(user)
    out = []
    for code, found in regions().items():
        if not any(code.startswith(p) and len(code) >= len(p) for p in prefixes):
            continue
        if "" in prefixes and found.level == "county":
            continue
        if found.name == "市辖区":
            continue
        indent = {"province": "", "city": "\u2003", "county": "\u2003\u2003"}[found.level]
        out.append((code, f"{indent}{found.name} ({code})"))
    out.sort(key=lambda pair: pair[0])
    return out


def industry_choices() -> list[tuple[str, str]]:
    sections = industry_sections()
    divisions: dict[str, str] = {}
    for found in industry_classes().values():
        divisions.setdefault(found.section + found.division, found.division_name)
    out = []
    for letter, name in sorted(sections.items()):
        out.append((letter, f"{letter} {name}"))
        for code in sorted(d for d in divisions if d.startswith(letter)):
            out.append((code, f"\u2003{code[1:]} {divisions[code]}"))
    return out


def filters_from(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET.get(key, "").strip()[:100] for key in FILTER_KEYS}


def filtered_queryset(user: Any, filters: dict[str, str]) -> QuerySet:
    qs = search_enterprises(user, q=filters["q"], region=filters["region"], industry=filters["industry"],
                            size=filters["size"])
    return qs.order_by(*SORTS.get(filters["sort"], SORTS["name"]))


def _require_agency(user: Any) -> None:
    if not (can(user, "registry.export") or user.is_superuser):
        raise PermissionDenied


@login_required
def agency_dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_agency(user)
    filters = filters_from(request)
    everything = search_enterprises(user)
    total = everything.count()
    # one level below the user's scope: provinces for national staff, cities for a province, districts for a city
    depth = min(6, max(len(p) for p in agency_prefixes(user) or [""]) + 2)
    by_region: Counter[str] = Counter()
    for code in visible_enterprises(user).values_list("region_code", flat=True):
        by_region[code[:depth]] += 1
    region_rows = [
        {"code": code, "name": region_name(code), "count": n, "pct": round(100 * n / total) if total else 0}
        for code, n in by_region.most_common(12)
    ]
    size_counts: Counter[str] = Counter()
    unknown = 0
    for employees in everything.values_list("latest_employees", flat=True):
        if employees is None:
            unknown += 1
            continue
        for key, (low, high) in SIZE_CLASSES.items():
            if employees >= low and (high is None or employees <= high):
                size_counts[key] += 1
                break
    size_rows = [{"key": k, "label": size_label(k), "count": size_counts[k],
                  "pct": round(100 * size_counts[k] / total) if total else 0} for k in SIZE_CLASSES]
    if unknown:
        size_rows.append({"key": "", "label": _("no facts yet"), "count": unknown,
                          "pct": round(100 * unknown / total) if total else 0})
    page = Paginator(filtered_queryset(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"e": e, "region": region_name(e.region_code)} for e in page.object_list]
    return render(request, "web/agency.html", {
        "total": total,
        "prefix_names": [region_name(p) if p else _("all of China") for p in agency_prefixes(user)],
        "region_rows": region_rows,
        "size_rows": size_rows,
        "filters": filters,
        "region_choices": region_choices(user),
        "industry_choices": industry_choices(),
        "size_choices": [(k, size_label(k)) for k in SIZE_CLASSES],
        "page": page,
        "rows": rows,
        "export_query": urlencode({k: v for k, v in filters.items() if v}),
        "sort_links": {
            key: f"-{key}" if filters["sort"] == key or (key == "name" and not filters["sort"]) else key
            for key in ("name", "region", "employees")
        },
        "can_export": can(user, "registry.export"),
        "can_import": can(user, "registry.import"),
    })


@login_required
def registry_export(request: HttpRequest, fmt: str) -> HttpResponse:
    user = request.user
    if not can(user, "registry.export"):
        raise PermissionDenied
    if fmt not in ("csv", "xlsx"):
        raise Http404
    from techsme.registry.exporting import export_response

    queryset = filtered_queryset(user, filters_from(request))
    return export_response(user, fmt, queryset)
