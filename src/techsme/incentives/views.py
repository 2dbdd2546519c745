"""Pages of the incentives app: my incentives (+ what-if, PDF), policy library, outreach, reform scenarios."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from techsme import parsing
from techsme.core import exports
from techsme.core.errors import InvalidInput
from techsme.core.errors import PermissionDenied as DomainDenied
from techsme.core.permissions import agency_prefixes, can
from techsme.incentives import selectors
from techsme.incentives.consultation import WHAT_IF_FIELDS, consult, fact_label, lang
from techsme.incentives.outreach import LISTS, outreach
from techsme.incentives.services import (
    do_create_scenario,
    do_notify_enterprises,
    do_run_scenario,
    scenario_agencies,
)
from techsme.incentives.simulation import parameters_used
from techsme.refdata import region_name
from techsme.registry.selectors import SIZE_CLASSES, facts_record


def _year_param(request: HttpRequest, years: list[int]) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return selectors.default_year(years)
    return year if year in years else selectors.default_year(years)


# ------------------------------------------------------------------ entry
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    own = list(selectors.own_enterprises(user)) if user.is_authenticated else []
    if len(own) == 1 and not agency_prefixes(user):
        return redirect("incentives:enterprise", pk=own[0].pk)
    return render(request, "incentives/index.html", {
        "own": own,
        "can_outreach": user.is_authenticated and can(user, "incentives.outreach"),
        "can_scenarios": user.is_authenticated and can(user, "incentives.scenario.view"),
    })


# ------------------------------------------------------------------ my incentives
def _consultation(request: HttpRequest, pk: int, year: int | None = None) -> dict[str, Any]:
    enterprise = selectors.incentive_enterprise(request.user, pk)
    years = selectors.facts_years(enterprise)
    if year is None:
        year = _year_param(request, years)
    if year not in years:
        return {"enterprise": enterprise, "years": years, "year": None}
    facts = selectors.facts_of_year(enterprise, year)
    record = facts_record(enterprise, facts)
    try:
        result, incentives = consult(record)
    except ValueError as exc:
        return {"enterprise": enterprise, "years": years, "year": year, "error": str(exc), "record": record}
    return {"enterprise": enterprise, "years": years, "year": year, "record": record, "result": result,
            "incentives": incentives, "lang": lang()}


@login_required
def enterprise_incentives(request: HttpRequest, pk: int) -> HttpResponse:
    context = _consultation(request, pk)
    record = context.get("record") or {}
    context["what_if"] = [(name, fact_label(name, lang()), record.get(name)) for name in WHAT_IF_FIELDS]
    context["region_label"] = region_name(context["enterprise"].region_code)
    return render(request, "incentives/enterprise.html", context)


def _number(text: str, integral: bool) -> Any:
    try:  # the one reading of numbers (techsme.parsing): "1,000" yes, "1,5" never 15
        value = parsing.parse_decimal(text)
    except parsing.InputError:
        raise InvalidOperation from None
    if value is None:
        return None
    if value < 0:
        raise InvalidOperation
    return int(value) if integral else value


@login_required
@require_POST
def what_if(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """Assess the saved facts with a few values changed; nothing is saved."""
    enterprise = selectors.incentive_enterprise(request.user, pk)
    facts = selectors.facts_of_year(enterprise, year)
    record = facts_record(enterprise, facts)
    changed: dict[str, Any] = {}
    errors: list[str] = []
    try:
        saved, saved_incentives = consult(dict(record))
    except ValueError as exc:
        return render(request, "incentives/partials/what_if.html", {"errors": [str(exc)]})
    for name in WHAT_IF_FIELDS:
        if name not in request.POST:
            continue
        try:
            value = _number(request.POST[name], name in ("employees", "tech_staff", "ip_class1", "ip_class2"))
        except (InvalidOperation, ValueError):
            errors.append(_("%(field)s: enter a number of zero or more.") % {"field": fact_label(name, lang())})
            continue
        if value != record.get(name):
            changed[name] = value
    context: dict[str, Any] = {"enterprise": enterprise, "year": year, "errors": errors, "saved": saved}
    if not errors:
        try:
            result, incentives = consult({**record, **changed})
        except ValueError as exc:
            errors.append(str(exc))
        else:
            before = {i.key: i for i in saved_incentives}
            context.update(result=result, rows=[(i, before[i.key]) for i in incentives],
                           changed=[(fact_label(n, lang()), record.get(n), v) for n, v in changed.items()],
                           saving_change=Decimal(result["eit_saving"] or 0) - Decimal(saved["eit_saving"] or 0))
    return render(request, "incentives/partials/what_if.html", context)


@login_required
def summary_pdf(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    from techsme.incentives.pdf import incentives_pdf

    context = _consultation(request, pk, year)
    if context.get("year") is None or "incentives" not in context:
        raise Http404
    data = incentives_pdf(context["enterprise"], year, context["result"], context["incentives"])
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="incentives-{context["enterprise"].uscc}-{year}.pdf"'
    return response


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    return render(request, "incentives/notifications.html",
                  {"notifications": selectors.notifications_of(request.user)[:200]})


# ------------------------------------------------------------------ policy library (public)
def policy_library(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    params = selectors.policy_parameters(q)
    variables = selectors.policy_variables(q)
    return render(request, "incentives/policy_list.html", {
        "q": q, "parameters": params, "variables": variables, "lang": lang(),
    })


def policy_parameter(request: HttpRequest, path: str) -> HttpResponse:
    parameter = selectors.policy_parameter(path)
    users = [selectors.policy_variable(n) for n in parameter["used_by"]]
    return render(request, "incentives/policy_parameter.html",
                  {"p": parameter, "users": users, "lang": lang()})


def policy_variable(request: HttpRequest, name: str) -> HttpResponse:
    variable = selectors.policy_variable(name)
    params = [selectors.policy_parameter(p) for p in variable["parameters"]]
    return render(request, "incentives/policy_variable.html", {"v": variable, "params": params, "lang": lang()})


# ------------------------------------------------------------------ outreach (agencies)
OUTREACH_COLUMNS = [
    ("uscc", "USCC"), ("name", "name"), ("region_code", "region_code"), ("region", "region"),
    ("industry_code", "industry_code"), ("tax_year", "tax_year"), ("employees", "employees"),
    ("techsme_score", "techsme_score"), ("techsme_eligible", "techsme_eligible"), ("registered", "registered"),
    ("eit_regime", "eit_regime"), ("rate_now", "rate_now"), ("rate_if_registered", "rate_if_registered"),
    ("extra_deduction_gain", "extra_deduction_gain"), ("rd_share", "rd_share"),
    ("rd_share_required", "rd_share_required"), ("tech_staff_share", "tech_staff_share"),
    ("taxable_income", "taxable_income"), ("above_limit_by", "above_limit_by"),
]


def _outreach_filters(request: HttpRequest) -> dict[str, Any]:
    if not can(request.user, "incentives.outreach"):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    years = selectors.years_with_facts(request.user, "incentives.outreach")
    try:
        year = int(source.get("year", ""))
    except ValueError:
        year = selectors.default_year(years)
    kind = source.get("list", "techsme_unregistered")
    if kind not in LISTS:
        kind = "techsme_unregistered"
    return {"list": kind, "year": year, "years": years, "region": source.get("region", "").strip(),
            "industry": source.get("industry", "").strip(), "size": source.get("size", "")}


def _outreach_rows(request: HttpRequest, f: dict[str, Any]) -> list[dict[str, Any]]:
    return outreach(request.user, kind=f["list"], tax_year=f["year"], region=f["region"], industry=f["industry"],
                    size=f["size"])


@login_required
def outreach_page(request: HttpRequest) -> HttpResponse:
    f = _outreach_filters(request)
    rows = _outreach_rows(request, f)
    query = "&".join(f"{k}={f[k]}" for k in ("list", "year", "region", "industry", "size") if f[k])
    return render(request, "incentives/outreach.html", {
        "f": f, "rows": rows, "lists": LISTS, "sizes": list(SIZE_CLASSES), "query": query,
        "can_notify": can(request.user, "incentives.notify"),
        "default_subject": _("Support you may be missing: %(list)s") % {"list": LISTS[f["list"]]},
    })


@login_required
def outreach_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404
    f = _outreach_filters(request)
    rows = _outreach_rows(request, f)
    if fmt == "xlsx":
        data = exports.write_xlsx(rows, OUTREACH_COLUMNS, sheet_title=f["list"])
    else:
        data = exports.write_csv(rows, OUTREACH_COLUMNS)
    return exports.spreadsheet_response(data, f"outreach-{f['list']}-{f['year']}", fmt)


@login_required
@require_POST
def outreach_notify(request: HttpRequest) -> HttpResponse:
    f = _outreach_filters(request)
    ids = [int(i) for i in request.POST.getlist("enterprise") if i.isdigit()]
    try:
        sent = do_notify_enterprises(actor=request.user, enterprise_ids=ids, topic=f["list"],
                                     subject=request.POST.get("subject", ""), body=request.POST.get("body", ""))
    except InvalidInput as exc:
        for error in exc.errors:
            messages.error(request, str(error.message))
    except DomainDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    else:
        messages.success(request, _("%(n)d notifications sent to %(e)d enterprises.")
                         % {"n": len(sent), "e": len({s.enterprise_id for s in sent})})
    query = "&".join(f"{k}={f[k]}" for k in ("list", "year", "region", "industry", "size") if f[k])
    return redirect(f"{request.path.rsplit('notify/', 1)[0]}?{query}")


# ------------------------------------------------------------------ reform scenarios
def parameter_choices() -> list[tuple[str, str]]:
    """Every settable path (bracket parts separately) with its label and current value, for the picker."""
    out = []
    language = lang()
    for p in selectors.policy_parameters():
        if p["unit"] in ("code_list",):
            continue
        label = p["label"][language]
        value = p["value"]
        if isinstance(value, list):
            for i, row in enumerate(value):
                out.append((f"{p['path']}[{i}].threshold", f"{label} [{i}] ≥ — {row['threshold']}"))
                out.append((f"{p['path']}[{i}].amount", f"{label} [{i}] → {row['amount']}"))
        else:
            out.append((p["path"], f"{label} — {value}"))
    return out


PRESETS = [
    {"key": "tech_sme_120", "changes": {"rd.rate.tech_sme": "1.2"}},
    {"key": "slp_500", "changes": {"eit.small_low_profit.income_limit": "5000000"}},
    {"key": "staff_bands", "changes": {"techsme.score.tech_staff[1].threshold": "0.08",
                                       "techsme.score.tech_staff[5].threshold": "0.25"}},
]
PRESET_LABELS = {
    "tech_sme_120": gettext_lazy("Tech-SME super-deduction 100% → 120%"),
    "slp_500": gettext_lazy("Small low-profit income limit 3 million → 5 million yuan"),
    "staff_bands": gettext_lazy("Lower tech-staff bands (first band 8%, top band 25%)"),
}
CHANGE_ROWS = 4


def _with_region_labels(scenarios: Any) -> list[Any]:
    items = list(scenarios)
    for scenario in items:
        scenario.region_label = region_name(scenario.region_prefix) if scenario.region_prefix else _("Everywhere")
    return items


@login_required
def scenarios(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "incentives.scenario.view"):
        raise PermissionDenied
    can_run = can(request.user, "incentives.scenario.run")
    years = selectors.years_with_facts(request.user, "incentives.scenario.view")
    agencies = scenario_agencies(request.user) if can_run else []
    form: dict[str, Any] = {"name": "", "year": selectors.default_year(years), "effective_from": "",
                            "region": "", "industry": "", "size": "", "changes": [("", "")] * CHANGE_ROWS,
                            "description": "", "agency": ""}
    errors: list[str] = []
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        post = request.POST
        paths, values = post.getlist("path"), post.getlist("value")
        changes = {p.strip(): v.strip() for p, v in zip(paths, values, strict=False) if p.strip()}
        form.update(name=post.get("name", ""), region=post.get("region", ""), industry=post.get("industry", ""),
                    agency=post.get("agency", "").strip(),
                    size=post.get("size", ""), description=post.get("description", ""),
                    changes=(list(changes.items()) + [("", "")] * CHANGE_ROWS)[:max(CHANGE_ROWS, len(changes))])
        try:
            form["year"] = int(post.get("year", ""))
            effective = dt.date.fromisoformat(post.get("effective_from", "") or f"{form['year']}-01-01")
            agency_id = int(form["agency"]) if form["agency"] else None
        except ValueError:
            errors.append(_("Enter a tax year and an effective date (YYYY-MM-DD), and choose an agency from the "
                            "list."))
        else:
            form["effective_from"] = effective.isoformat()
            try:
                scenario = do_create_scenario(
                    actor=request.user, name=form["name"], changes=changes, effective_from=effective,
                    tax_year=form["year"], region_prefix=form["region"], industry_prefix=form["industry"],
                    size_class=form["size"], description=form["description"], agency_id=agency_id,
                )
                do_run_scenario(actor=request.user, scenario_id=scenario.pk)
            except InvalidInput as exc:
                errors.extend(str(e.message) for e in exc.errors)
            except DomainDenied as exc:
                raise PermissionDenied(str(exc)) from exc
            else:
                return redirect("incentives:scenario", pk=scenario.pk)
    return render(request, "incentives/scenarios.html", {
        "scenarios": _with_region_labels(selectors.visible_scenarios(request.user)[:200]), "can_run": can_run,
        "form": form,
        "errors": errors, "choices": parameter_choices(), "years": years, "sizes": list(SIZE_CLASSES),
        "presets": [{**p, "label": PRESET_LABELS[p["key"]], "json": json.dumps(p["changes"])} for p in PRESETS],
        "prefixes": agency_prefixes(request.user),
        "agencies": [{"pk": a.pk, "name": a.name, "region": region_name(a.region_code) if a.region_code else ""}
                     for a in agencies],
    })


def _bars(rows: list[dict[str, Any]], key: str = "fiscal_cost") -> list[dict[str, Any]]:
    """Horizontal bar geometry for an inline SVG chart (negative values drawn to the left of the axis)."""
    values = [float(r[key]) for r in rows]
    if not values:
        return []
    high = max(max(values), 0.0)
    low = min(min(values), 0.0)
    span = (high - low) or 1.0
    width = 520.0
    zero = -low / span * width
    out = []
    for i, (row, value) in enumerate(zip(rows, values, strict=True)):
        length = abs(value) / span * width
        out.append({**row, "y": 8 + i * 26, "x": zero - length if value < 0 else zero, "w": max(length, 1.0),
                    "value": value, "negative": value < 0, "text_y": 8 + i * 26 + 14})
    return out


def _histogram_bars(histogram: dict[str, Any]) -> list[dict[str, Any]]:
    bins = histogram.get("bins", [])
    if not bins:
        return []
    top = max(b["count"] for b in bins) or 1
    width = 600 / len(bins)
    return [{**b, "x": i * width, "w": width - 2, "h": 160 * b["count"] / top, "y": 170 - 160 * b["count"] / top}
            for i, b in enumerate(bins)]


def _scenario_context(scenario: Any) -> dict[str, Any]:
    result = scenario.result or {}
    by_region = result.get("by_region", [])
    return {
        "s": scenario, "r": result, "region_bars": _bars(by_region),
        "industry_bars": _bars(result.get("by_industry", [])),
        "size_bars": _bars(result.get("by_size", [])), "histogram": _histogram_bars(result.get("histogram", {})),
        "region_chart_height": 16 + 26 * len(by_region),
        "industry_chart_height": 16 + 26 * len(result.get("by_industry", [])),
        "size_chart_height": 16 + 26 * len(result.get("by_size", [])),
        "parameters": result.get("parameters") or parameters_used(scenario.changes, scenario.effective_from),
        "region_label": region_name(scenario.region_prefix) if scenario.region_prefix else _("Everywhere"),
    }


@login_required
def scenario_page(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = selectors.scenario_for(request.user, pk)
    context = _scenario_context(scenario)
    context["can_run"] = can(request.user, "incentives.scenario.run", scenario)
    context["others"] = selectors.visible_scenarios(request.user).exclude(pk=pk).exclude(result={})[:50]
    context["running"] = scenario.job is not None and scenario.job.status in ("queued", "running")
    context["job_visible"] = scenario.job is not None and scenario.job.owner_id == request.user.pk
    return render(request, "incentives/scenario.html", context)


@login_required
@require_POST
def scenario_run(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = selectors.scenario_for(request.user, pk)
    try:
        do_run_scenario(actor=request.user, scenario_id=scenario.pk)
    except DomainDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    return redirect("incentives:scenario", pk=scenario.pk)


@login_required
def scenario_compare(request: HttpRequest) -> HttpResponse:
    try:
        a_id, b_id = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        raise Http404 from None
    a, b = selectors.scenario_for(request.user, a_id), selectors.scenario_for(request.user, b_id)
    keys = {"fiscal_cost": _("Fiscal cost"), "eit_baseline": _("EIT under the law"),
            "eit_reform": _("EIT under the reform"), "deduction_change": _("Change in extra deductions")}
    totals = [(label, (a.result.get("totals") or {}).get(k), (b.result.get("totals") or {}).get(k))
              for k, label in keys.items()]
    regions: dict[str, dict[str, Any]] = {}
    for side, s in (("a", a), ("b", b)):
        for row in s.result.get("by_region", []):
            regions.setdefault(row["key"], {"label": row["label"], "a": None, "b": None})[side] = row["fiscal_cost"]
    return render(request, "incentives/compare.html", {
        "a": _scenario_context(a), "b": _scenario_context(b), "totals": totals,
        "regions": [regions[k] for k in sorted(regions)],
    })


SCENARIO_GROUP_COLUMNS = [("key", "code"), ("label", "name"), ("count", "enterprises"),
                          ("fiscal_cost", "fiscal_cost"), ("deduction_change", "deduction_change")]


@login_required
def scenario_export(request: HttpRequest, pk: int) -> HttpResponse:
    """XLSX workbook: summary, by region, by industry, by size, distribution, parameters with citations."""
    import io

    from openpyxl import Workbook

    scenario = selectors.scenario_for(request.user, pk)
    result = scenario.result or {}
    book = Workbook()
    summary = book.active
    summary.title = "summary"
    summary.append(["scenario", exports.safe_cell(scenario.name)])
    summary.append(["tax_year", scenario.tax_year])
    summary.append(["effective_from", scenario.effective_from.isoformat()])
    summary.append(["region_prefix", exports.safe_cell(scenario.region_prefix)])
    for key in ("rows", "assessed", "unknown", "winners", "losers", "unchanged"):
        summary.append([key, result.get(key)])
    for key, value in (result.get("totals") or {}).items():
        summary.append([key, Decimal(value)])
    for key, value in (result.get("newly_eligible") or {}).items():
        summary.append([f"newly_eligible.{key}", value])
    for title, key in (("by_region", "by_region"), ("by_industry", "by_industry"), ("by_size", "by_size")):
        sheet = book.create_sheet(title)
        sheet.append([h for _, h in SCENARIO_GROUP_COLUMNS])
        for row in result.get(key, []):
            sheet.append([Decimal(row[k]) if k in ("fiscal_cost", "deduction_change") else
                          exports.safe_cell(row[k]) for k, _ in SCENARIO_GROUP_COLUMNS])
    sheet = book.create_sheet("distribution")
    sheet.append(["from_yuan", "to_yuan", "enterprises"])
    for b in (result.get("histogram") or {}).get("bins", []):
        sheet.append([b["from"], b["to"], b["count"]])
    sheet = book.create_sheet("parameters")
    sheet.append(["path", "label_en", "label_zh", "law_value", "new_value", "effective_from", "citations"])
    for p in result.get("parameters") or parameters_used(scenario.changes, scenario.effective_from):
        citations = "; ".join(f"{h['effective_date']}: {h['value']} — {h['reference'].get('document')} "
                              f"{h['reference'].get('article')}" for h in p["history"])
        sheet.append([p["path"], p["label"]["en"], p["label"]["zh"], str(p["law_value"]), str(p["new_value"]),
                      p["effective_from"], exports.safe_cell(citations)])
    buffer = io.BytesIO()
    book.save(buffer)
    return exports.spreadsheet_response(buffer.getvalue(), f"scenario-{scenario.pk}", "xlsx")
