"""The registry's JSON API: enterprises, annual facts, IP assets and bulk import (under /api/v1/).

Reads go through ``registry.selectors`` (scoped: an id outside the caller's scope is a 404, whatever the reason);
writes go through ``registry.services`` / ``registry.importing``. Request bodies are deliberately lenient (text
values, nothing required at the schema level) so that every validation error comes back in one shape:
``{"detail": ..., "errors": [{"field", "message", "row"?}]}`` with status 422.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Body, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, create_model

from techsme import parsing, refdata
from techsme.core.api_schemas import ERRORS, ErrorItem, Id, Limit, Offset, Short, Text, Year
from techsme.core.errors import FieldError, InvalidInput
from techsme.core.permissions import can
from techsme.core.values import field_error
from techsme.registry import selectors, services
from techsme.registry.facts_fields import DEFAULTS, FACT_FIELDS, Kind, parse_value
from techsme.registry.importing import start_registry_import
from techsme.registry.models import AnnualFacts, Enterprise, IPAsset

router = Router(tags=["registry"])

MAX_LIMIT = 500






# --- enterprises ------------------------------------------------------------------------------------------------


class EnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    region_code: str
    region_name: str
    industry_code: str
    industry_name: str
    founded_on: date
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    organisation_id: int | None
    latest_year: int | None = None
    latest_employees: int | None = None
    latest_revenue: Decimal | None = None


class EnterprisePage(Schema):
    total: int
    limit: int
    offset: int
    items: list[EnterpriseOut]


class EnterpriseIn(Schema):
    """A new enterprise. Dates are ISO text (``2015-03-01``); every field is checked by the service."""

    uscc: Short = ""
    name: Short = ""
    region_code: Short = ""
    industry_code: Short = ""
    founded_on: Text = ""
    address: Text = ""
    contact_name: Short = ""
    contact_phone: Short = ""
    contact_email: Short = ""


class EnterprisePatch(Schema):
    """The fields to change; omitted fields keep their value."""

    uscc: Short | None = None
    name: Short | None = None
    region_code: Short | None = None
    industry_code: Short | None = None
    founded_on: Text | None = None
    address: Text | None = None
    contact_name: Short | None = None
    contact_phone: Short | None = None
    contact_email: Short | None = None


def _enterprise_out(enterprise: Enterprise) -> EnterpriseOut:
    industry = refdata.industry_class(enterprise.industry_code)
    return EnterpriseOut(
        id=enterprise.pk, uscc=enterprise.uscc, name=enterprise.name, region_code=enterprise.region_code,
        region_name=refdata.region_name(enterprise.region_code), industry_code=enterprise.industry_code,
        industry_name=industry.name if industry else "", founded_on=enterprise.founded_on,
        address=enterprise.address, contact_name=enterprise.contact_name, contact_phone=enterprise.contact_phone,
        contact_email=enterprise.contact_email, organisation_id=enterprise.organisation_id,
        latest_year=getattr(enterprise, "latest_year", None),
        latest_employees=getattr(enterprise, "latest_employees", None),
        latest_revenue=getattr(enterprise, "latest_revenue", None),
    )


def _parse_dates(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Text → ``date`` for ``names`` (year first, ``techsme.parsing``; empty → None); a malformed date is a 422."""
    errors = []
    for name in names:
        raw = data.get(name)
        if name not in data or raw is None or isinstance(raw, date):
            continue
        try:
            data[name] = parsing.parse_date(raw)  # the one reading of dates (techsme.parsing)
        except parsing.InputError as error:
            errors.append(field_error(name, error))
    if errors:
        raise InvalidInput(errors)
    return data


@router.get("/enterprises", response={200: EnterprisePage, **ERRORS}, summary="Enterprises in your scope")
def list_enterprises(
    request: HttpRequest, q: Short = "", region: Short = "", industry: Short = "", size: Short = "", limit: Limit = 50,
    offset: Offset = 0,
) -> EnterprisePage:
    """Search by name or USCC (``q``), region prefix, industry prefix and size class (``1-20`` … ``500+``)."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    qs = selectors.search_enterprises(request.user, q=q, region=region, industry=industry, size=size)
    total = qs.count()
    items = [_enterprise_out(e) for e in qs[offset : offset + limit]]
    return EnterprisePage(total=total, limit=limit, offset=offset, items=items)


def _visible(request: HttpRequest, enterprise_id: int) -> Enterprise:
    return selectors.enterprise_for(request.user, enterprise_id)


@router.get("/enterprises/{enterprise_id}", response={200: EnterpriseOut, **ERRORS}, summary="One enterprise")
def get_enterprise(request: HttpRequest, enterprise_id: Id) -> EnterpriseOut:
    enterprise = _visible(request, enterprise_id)
    latest = enterprise.facts.order_by("-tax_year").first()
    if latest is not None:
        enterprise.latest_year = latest.tax_year
        enterprise.latest_employees = latest.employees
        enterprise.latest_revenue = latest.revenue
    return _enterprise_out(enterprise)


@router.post("/enterprises", response={201: EnterpriseOut, **ERRORS}, summary="Register an enterprise")
def create_enterprise(request: HttpRequest, payload: EnterpriseIn) -> Status:
    data = _parse_dates(payload.model_dump(), ("founded_on",))
    enterprise = services.do_register_enterprise(actor=request.user, data=data)
    return Status(201, _enterprise_out(enterprise))


@router.patch("/enterprises/{enterprise_id}", response={200: EnterpriseOut, **ERRORS}, summary="Change an enterprise")
def update_enterprise(request: HttpRequest, enterprise_id: Id, payload: EnterprisePatch) -> EnterpriseOut:
    enterprise = _visible(request, enterprise_id)
    changes = _parse_dates(payload.model_dump(exclude_unset=True), ("founded_on",))
    changes = {k: ("" if v is None else v) for k, v in changes.items()}  # clearing a required field is an error
    enterprise = services.do_update_enterprise(actor=request.user, enterprise_id=enterprise.pk, changes=changes)
    return _enterprise_out(enterprise)


# --- facts ------------------------------------------------------------------------------------------------------

_PY_TYPES = {Kind.INT: int | None, Kind.DECIMAL: Decimal | None, Kind.FLAG: bool, Kind.OPTIONAL_FLAG: bool | None}
FactsOut = create_model(
    "FactsOut",
    __base__=Schema,
    tax_year=(int, ...),
    updated_at=(datetime, ...),
    ip_from_assets=(dict[str, int] | None, Field(None, description="IP counts derived from the IP assets, if any")),
    **{name: (_PY_TYPES[kind], None) for name, kind in FACT_FIELDS.items()},
)


FACTS_BODY = (
    "facts.md columns as keys; raw values as in a CSV cell (\"1234567.89\", \"true\", \"是\"); "
    "omitted facts become unknown (or take their default)"
)


def _facts_out(enterprise: Enterprise, facts: AnnualFacts) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(facts, name) for name in FACT_FIELDS}
    out["tax_year"], out["updated_at"] = facts.tax_year, facts.updated_at
    derived = selectors.ip_counts(enterprise, facts.tax_year)
    out["ip_from_assets"] = {"class1": derived[0], "class2": derived[1]} if derived else None
    return out


@router.get("/enterprises/{enterprise_id}/facts", response={200: list[FactsOut], **ERRORS},
            summary="Every year of facts of an enterprise, latest first")
def list_facts(request: HttpRequest, enterprise_id: Id) -> list[dict[str, Any]]:
    enterprise = _visible(request, enterprise_id)
    return [_facts_out(enterprise, f) for f in selectors.facts_by_year(enterprise)]


@router.get("/enterprises/{enterprise_id}/facts/{year}", response={200: FactsOut, **ERRORS},
            summary="One year of facts")
def get_facts(request: HttpRequest, enterprise_id: Id, year: Year) -> dict[str, Any]:
    enterprise = _visible(request, enterprise_id)
    facts = enterprise.facts.filter(tax_year=year).first()
    if facts is None:
        raise Http404
    return _facts_out(enterprise, facts)


@router.put("/enterprises/{enterprise_id}/facts/{year}", response={200: FactsOut, **ERRORS},
            summary="Create or replace one year of facts")
def put_facts(request: HttpRequest, enterprise_id: Id, year: Year,
              payload: dict[str, Any] = Body(..., description=FACTS_BODY)) -> dict[str, Any]:  # noqa: B008
    enterprise = _visible(request, enterprise_id)
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for name, raw in payload.items():
        if name not in FACT_FIELDS:
            errors.append(FieldError(name, _("Unknown field.")))
            continue
        try:
            values[name] = parse_value(name, raw)
        except ValueError as exc:
            errors.append(FieldError(name, str(exc)))
    if errors:
        raise InvalidInput(errors)
    for name in FACT_FIELDS:
        if values.get(name) is None:
            values[name] = DEFAULTS.get(name)
    facts = services.do_save_facts(actor=request.user, enterprise_id=enterprise.pk, tax_year=year, values=values)
    return _facts_out(enterprise, facts)


# --- IP assets --------------------------------------------------------------------------------------------------


class IPOut(Schema):
    id: int
    kind: str
    kind_label: str
    ip_class: int
    number: str
    title: str
    granted_on: date | None
    status: str
    related_to_main_products: bool


class IPIn(Schema):
    kind: Short = ""
    number: Short = ""
    title: Short = ""
    granted_on: Text | None = None
    status: Short = IPAsset.Status.VALID
    related_to_main_products: bool = True


class IPPatch(Schema):
    kind: Short | None = None
    number: Short | None = None
    title: Short | None = None
    granted_on: Text | None = None
    status: Short | None = None
    related_to_main_products: bool | None = None


def _ip_out(asset: IPAsset) -> IPOut:
    return IPOut(id=asset.pk, kind=asset.kind, kind_label=str(asset.get_kind_display()), ip_class=asset.ip_class,
                 number=asset.number, title=asset.title, granted_on=asset.granted_on, status=asset.status,
                 related_to_main_products=asset.related_to_main_products)


def _ip_data(data: dict[str, Any]) -> dict[str, Any]:
    data = _parse_dates(data, ("granted_on",))
    if "status" in data and data["status"] not in IPAsset.Status.values:
        raise InvalidInput([FieldError("status", _("Unknown status."))])
    return {k: v for k, v in data.items() if not (v is None and k != "granted_on")}


@router.get("/enterprises/{enterprise_id}/ip", response={200: list[IPOut], **ERRORS},
            summary="The IP assets of an enterprise")
def list_ip(request: HttpRequest, enterprise_id: Id) -> list[IPOut]:
    enterprise = _visible(request, enterprise_id)
    return [_ip_out(a) for a in selectors.ip_assets_of(enterprise)]


@router.post("/enterprises/{enterprise_id}/ip", response={201: IPOut, **ERRORS}, summary="Add an IP asset")
def create_ip(request: HttpRequest, enterprise_id: Id, payload: IPIn) -> Status:
    enterprise = _visible(request, enterprise_id)
    data = _ip_data(payload.model_dump())
    asset = services.do_save_ip_asset(actor=request.user, enterprise_id=enterprise.pk, data=data)
    return Status(201, _ip_out(asset))


@router.patch("/enterprises/{enterprise_id}/ip/{ip_id}", response={200: IPOut, **ERRORS},
              summary="Change an IP asset")
def update_ip(request: HttpRequest, enterprise_id: Id, ip_id: Id, payload: IPPatch) -> IPOut:
    enterprise = _visible(request, enterprise_id)
    if not enterprise.ip_assets.filter(pk=ip_id).exists():
        raise Http404
    data = _ip_data(payload.model_dump(exclude_unset=True))
    asset = services.do_save_ip_asset(actor=request.user, enterprise_id=enterprise.pk, data=data, asset_id=ip_id)
    return _ip_out(asset)


# --- import -----------------------------------------------------------------------------------------------------


class ImportOut(Schema):
    ok: bool | None
    rows: int
    enterprises_created: int
    enterprises_updated: int
    facts_saved: int
    errors: list[ErrorItem] = []
    error_count: int = 0
    job: int | None = None


class ImportStarted(Schema):
    job: int
    status_url: str


@router.post("/imports", response={200: ImportOut, 202: ImportStarted, **ERRORS},
             summary="Import enterprises and facts from a CSV or XLSX file (all rows or none)")
def import_registry(request: HttpRequest, file: UploadedFile = File(...),  # noqa: B008
                    encoding: Literal["utf-8", "gb18030"] = Form("utf-8")) -> Any:  # noqa: B008
    """Multipart upload (field ``file``; ``encoding`` of a CSV: utf-8 or gb18030). A small file is imported at once;
    a larger one (over ``IMPORT_INLINE_MAX_BYTES``) answers 202 with the background job to poll. 422 lists the first
    errors with their spreadsheet row and column, and ``error_count`` all of them."""
    if not can(request.user, "registry.import"):
        raise PermissionDenied(_("You may not import enterprise data."))
    report = start_registry_import(actor=request.user, file=file, filename=file.name or "", encoding=encoding)
    if report.job is not None:
        return Status(202, {"job": report.job.pk, "status_url": reverse("web:job", args=[report.job.pk])})
    if not report.ok:
        return Status(422, {"detail": _("Nothing was imported: the file has errors."),
                            "errors": [e.as_dict() for e in report.errors], "error_count": report.error_count})
    return report.as_dict()
