"""The enterprise dashboard, its profile, facts by tax year and IP assets."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core.errors import FieldError, InvalidInput
from techsme.core.permissions import can
from techsme.refdata import industry_class, region_name
from techsme.registry import facts_fields
from techsme.registry.facts_fields import FACT_FIELDS, Kind
from techsme.registry.selectors import enterprise_for, facts_by_year, ip_assets_of, ip_counts
from techsme.registry.services import ENTERPRISE_FIELDS, do_save_facts, do_save_ip_asset, do_update_enterprise
from techsme.web.facts_groups import MONEY_FIELDS, grouped_fields
from techsme.web.forms import EnterpriseForm, IPAssetForm, add_field_errors


def _industry_label(code: str) -> str:
    found = industry_class(code)
    return f"{found.code} {found.name}" if found else code


def _years_allowed(enterprise: Any) -> range:
    return range(enterprise.founded_on.year, timezone.localdate().year + 1)


@login_required
def enterprise_page(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_for(request.user, pk)
    user = request.user
    facts = facts_by_year(enterprise)
    columns = ["employees", "tech_staff", "revenue", "total_assets", "rd_expense"]
    fact_rows = [
        {"year": f.tax_year, "values": [(getattr(f, c), c in MONEY_FIELDS) for c in columns],
         "ip": ip_counts(enterprise, f.tax_year) or (f.ip_class1, f.ip_class2), "updated_at": f.updated_at}
        for f in facts
    ]
    this_year = timezone.localdate().year
    existing_years = {f.tax_year for f in facts}
    new_years = [y for y in reversed(_years_allowed(enterprise)) if y not in existing_years]
    found = industry_class(enterprise.industry_code)
    return render(request, "web/enterprise.html", {
        "enterprise": enterprise,
        "region_label": region_name(enterprise.region_code),
        "industry": found,
        "industry_label": _industry_label(enterprise.industry_code),
        "fact_columns": [facts_fields.label(c) for c in columns],
        "fact_rows": fact_rows,
        "this_year": this_year,
        "new_years": new_years[:10],
        "assets": ip_assets_of(enterprise),
        "ip_form": IPAssetForm(),
        "can_edit": can(user, "enterprise.edit", enterprise),
        "can_edit_facts": can(user, "facts.edit", enterprise),
        "can_edit_ip": can(user, "ip.edit", enterprise),
        "can_audit": can(user, "audit.view", enterprise),
        "can_request_region_change": can(user, "region_change.request", enterprise),
        "pending_region_change": enterprise.region_changes.filter(state="pending").first(),
    })


@login_required
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_for(request.user, pk)
    if not can(request.user, "enterprise.edit", enterprise):
        raise PermissionDenied
    initial = {f: getattr(enterprise, f) for f in ENTERPRISE_FIELDS}
    form = EnterpriseForm(request.POST or None, initial=initial)
    if not can(request.user, "enterprise.move", enterprise):
        # the region decides the jurisdiction: a move is a request to the receiving agency (web:region_change)
        form.fields["region_code"].disabled = True
        form.fields["region_code"].help_text = _("To move into another region, send a region-change request.")
    if request.method == "POST":
        if form.is_valid():
            try:
                do_update_enterprise(actor=request.user, enterprise_id=enterprise.pk, changes=dict(form.cleaned_data))
            except InvalidInput as exc:
                add_field_errors(form, exc.errors)
            else:
                messages.success(request, _("The enterprise profile was saved."))
                return redirect("web:enterprise", pk=enterprise.pk)
    return render(request, "web/enterprise_edit.html", {"enterprise": enterprise, "form": form},
                  status=200 if not form.errors else 422)


def _facts_initial(facts: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, kind in FACT_FIELDS.items():
        value = getattr(facts, name) if facts is not None else facts_fields.DEFAULTS.get(name)
        if value is None:
            out[name] = ""
        elif kind in (Kind.FLAG, Kind.OPTIONAL_FLAG):
            out[name] = "true" if value else "false"
        else:
            out[name] = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    return out


@login_required
def facts_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    enterprise = enterprise_for(request.user, pk)
    if not can(request.user, "facts.edit", enterprise):
        raise PermissionDenied
    if year not in _years_allowed(enterprise):
        raise Http404
    facts = enterprise.facts.filter(tax_year=year).first()
    raw = _facts_initial(facts)
    errors: list[FieldError] = []
    status = 200
    if request.method == "POST":
        values: dict[str, Any] = {}
        for name, kind in FACT_FIELDS.items():
            if kind == Kind.FLAG:
                raw[name] = "true" if request.POST.get(name) in ("true", "on", "1") else "false"
            else:
                raw[name] = request.POST.get(name, "").strip()
            try:
                values[name] = facts_fields.parse_value(name, raw[name])
            except ValueError as exc:
                errors.append(FieldError(name, str(exc)))
        if not errors:
            try:
                do_save_facts(actor=request.user, enterprise_id=enterprise.pk, tax_year=year, values=values)
            except InvalidInput as exc:
                errors = list(exc.errors)
            else:
                messages.success(request, _("The facts for %(year)d were saved.") % {"year": year})
                return redirect("web:enterprise", pk=enterprise.pk)
        status = 422
    by_field: dict[str, list[str]] = {}
    for error in errors:
        by_field.setdefault(error.field, []).append(str(error.message))
    groups = []
    for key, title, names in grouped_fields():
        groups.append({
            "key": key, "title": title,
            "fields": [{
                "name": n, "label": facts_fields.label(n), "kind": FACT_FIELDS[n].value, "value": raw.get(n, ""),
                "errors": by_field.get(n, []), "money": n in MONEY_FIELDS,
            } for n in sorted(names, key=lambda n: FACT_FIELDS[n] == Kind.FLAG)],  # checkboxes after inputs
        })
    summary = [{"field": e.field, "label": facts_fields.label(e.field) if e.field in FACT_FIELDS else "",
                "message": str(e.message)} for e in errors]
    return render(request, "web/facts_form.html", {
        "enterprise": enterprise, "year": year, "groups": groups, "errors": summary, "is_new": facts is None,
    }, status=status)


@login_required
def ip_asset_edit(request: HttpRequest, pk: int, asset_id: int | None = None) -> HttpResponse:
    enterprise = enterprise_for(request.user, pk)
    if not can(request.user, "ip.edit", enterprise):
        raise PermissionDenied
    asset = None
    if asset_id is not None:
        asset = ip_assets_of(enterprise).filter(pk=asset_id).first()
        if asset is None:
            raise Http404
    if request.method == "POST":
        form = IPAssetForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                do_save_ip_asset(actor=request.user, enterprise_id=enterprise.pk, data=data,
                                 asset_id=asset.pk if asset else None)
            except InvalidInput as exc:
                add_field_errors(form, exc.errors)
            else:
                messages.success(request, _("The intellectual-property record was saved."))
                return redirect("web:enterprise", pk=enterprise.pk)
    elif asset is not None:
        form = IPAssetForm(initial={f: getattr(asset, f) for f in IPAssetForm.base_fields})
    else:
        form = IPAssetForm()
    return render(request, "web/ip_form.html", {"enterprise": enterprise, "asset": asset, "form": form},
                  status=422 if form.errors else 200)
