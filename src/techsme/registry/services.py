"""Every state change of the registry: atomic, permission-checked, audited."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils.translation import gettext as _

from techsme.core import audit
from techsme.core.errors import FieldError, InvalidInput
from techsme.core.identifiers import industry_error, region_error, uscc_error
from techsme.core.permissions import can
from techsme.parsing import compact_code
from techsme.registry.facts_fields import FACT_FIELDS, consistency_errors
from techsme.registry.models import AnnualFacts, Enterprise, IPAsset, IPKind

ENTERPRISE_FIELDS = (
    "uscc", "name", "region_code", "industry_code", "founded_on",
    "address", "contact_name", "contact_phone", "contact_email",
)  # fmt: skip
REQUIRED_ENTERPRISE_FIELDS = ("uscc", "name", "region_code", "industry_code", "founded_on")


def enterprise_errors(
    data: dict[str, Any], *, existing: Enterprise | None = None, check_clash: bool = True
) -> list[FieldError]:
    """Field errors of an enterprise record (the merged record when updating).

    ``check_clash=False`` skips the database look-up for another enterprise with the same USCC (the bulk import
    resolves USCCs to existing enterprises in one query instead).
    """
    errors = []
    for name in REQUIRED_ENTERPRISE_FIELDS:
        if data.get(name) in (None, ""):
            errors.append(FieldError(name, _("This field is required.")))
    if data.get("uscc") and (message := uscc_error(data["uscc"])):
        errors.append(FieldError("uscc", message))
    elif data.get("uscc") and check_clash:
        clash = Enterprise.objects.filter(uscc=data["uscc"]).exclude(pk=getattr(existing, "pk", None))
        if clash.exists():
            errors.append(FieldError("uscc", _("An enterprise with this USCC is already registered.")))
    if data.get("region_code") and (message := region_error(data["region_code"])):
        errors.append(FieldError("region_code", message))
    if data.get("industry_code") and (message := industry_error(data["industry_code"])):
        errors.append(FieldError("industry_code", message))
    founded = data.get("founded_on")
    if isinstance(founded, date) and founded > date.today():
        errors.append(FieldError("founded_on", _("The founding date cannot be in the future.")))
    if data.get("contact_email"):
        try:
            EmailValidator()(data["contact_email"])
        except Exception:  # noqa: BLE001 — any failure means the address is invalid
            errors.append(FieldError("contact_email", _("Enter a valid e-mail address.")))
    if data.get("name") and len(data["name"]) > 200:
        errors.append(FieldError("name", _("The name is longer than 200 characters.")))
    return errors


def normalise_enterprise_data(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k in ENTERPRISE_FIELDS}
    for key in ("uscc", "industry_code"):
        if isinstance(out.get(key), str):
            out[key] = compact_code(out[key])  # the normalisation of techsme.parsing (full-width, spaces, hyphens)
    for key in ("name", "region_code", "address", "contact_name", "contact_phone", "contact_email"):
        if isinstance(out.get(key), str):
            out[key] = out[key].strip()
    return out


def _snapshot(obj: Any, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def do_register_enterprise(*, actor: Any, data: dict[str, Any], organisation: Any = None) -> Enterprise:
    data = normalise_enterprise_data(data)
    if not can(actor, "enterprise.create"):
        raise PermissionDenied(_("You may not register enterprises."))
    if errors := enterprise_errors(data):
        raise InvalidInput(errors)
    if not can(actor, "enterprise.create", Enterprise(region_code=data["region_code"])):
        raise PermissionDenied(_("You may not register enterprises in this region."))
    with transaction.atomic():
        enterprise = Enterprise.objects.create(organisation=organisation, **data)
        audit.record(actor=actor, verb="registry.register_enterprise", obj=enterprise,
                     changes=audit.diff({}, _snapshot(enterprise, ENTERPRISE_FIELDS)))
    return enterprise


def do_update_enterprise(*, actor: Any, enterprise_id: int, changes: dict[str, Any]) -> Enterprise:
    changes = normalise_enterprise_data(changes)
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise_id)
        if not can(actor, "enterprise.edit", enterprise):
            raise PermissionDenied(_("You may not change this enterprise."))
        merged = {**_snapshot(enterprise, ENTERPRISE_FIELDS), **changes}
        if merged["region_code"] != enterprise.region_code:
            # The region decides the jurisdiction: only an agency administrator whose area covers the old and the
            # new region changes it directly; everyone else asks the receiving agency (registry.region_changes).
            moved = Enterprise(region_code=merged["region_code"], organisation_id=enterprise.organisation_id)
            if not (can(actor, "enterprise.move", enterprise) and can(actor, "enterprise.move", moved)):
                raise PermissionDenied(_("The region of an enterprise changes only through a region-change "
                                         "request that the receiving agency accepts."))
        if errors := enterprise_errors(merged, existing=enterprise):
            raise InvalidInput(errors)
        before = _snapshot(enterprise, ENTERPRISE_FIELDS)
        for key, value in changes.items():
            setattr(enterprise, key, value)
        enterprise.save()
        audit.record(actor=actor, verb="registry.update_enterprise", obj=enterprise,
                     changes=audit.diff(before, _snapshot(enterprise, ENTERPRISE_FIELDS)))
    return enterprise


def do_save_facts(*, actor: Any, enterprise_id: int, tax_year: int, values: dict[str, Any]) -> AnnualFacts:
    """Create or replace the facts of one tax year (typed values; unknown keys are refused)."""
    unknown = sorted(set(values) - set(FACT_FIELDS))
    if unknown:
        raise InvalidInput([FieldError(k, _("Unknown field.")) for k in unknown])
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise_id)
        if not can(actor, "facts.edit", enterprise):
            raise PermissionDenied(_("You may not change the facts of this enterprise."))
        if errors := consistency_errors(values, tax_year=tax_year, founded_on=enterprise.founded_on):
            raise InvalidInput(errors)
        facts = AnnualFacts.objects.filter(enterprise=enterprise, tax_year=tax_year).first()
        before = _snapshot(facts, list(FACT_FIELDS)) if facts else {}
        facts = facts or AnnualFacts(enterprise=enterprise, tax_year=tax_year)
        for key in FACT_FIELDS:
            if key in values:
                setattr(facts, key, values[key])
        facts.save()
        audit.record(actor=actor, verb="registry.save_facts", obj=facts, region_code=enterprise.region_code,
                     organisation_id=enterprise.organisation_id,
                     changes=audit.diff(before, _snapshot(facts, list(FACT_FIELDS))))
    return facts


IP_FIELDS = ("kind", "number", "title", "granted_on", "status", "related_to_main_products")


def ip_errors(data: dict[str, Any], *, existing: IPAsset | None = None) -> list[FieldError]:
    errors = []
    for name in ("kind", "number", "title"):
        if not data.get(name):
            errors.append(FieldError(name, _("This field is required.")))
    if data.get("kind") and data["kind"] not in IPKind.values:
        errors.append(FieldError("kind", _("Unknown kind of intellectual property.")))
    granted = data.get("granted_on")
    if isinstance(granted, date) and granted > date.today():
        errors.append(FieldError("granted_on", _("The grant date cannot be in the future.")))
    if data.get("kind") and data.get("number"):
        clash = IPAsset.objects.filter(kind=data["kind"], number=data["number"])
        clash = clash.exclude(pk=getattr(existing, "pk", None))
        if clash.exists():
            errors.append(FieldError("number", _("This IP number is already registered.")))
    return errors


def do_save_ip_asset(*, actor: Any, enterprise_id: int, data: dict[str, Any], asset_id: int | None = None) -> IPAsset:
    data = {k: v for k, v in data.items() if k in IP_FIELDS}
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise_id)
        if not can(actor, "ip.edit", enterprise):
            raise PermissionDenied(_("You may not change the IP of this enterprise."))
        asset = enterprise.ip_assets.filter(pk=asset_id).first() if asset_id else IPAsset(enterprise=enterprise)
        if asset is None:
            raise IPAsset.DoesNotExist
        before = _snapshot(asset, IP_FIELDS) if asset.pk else {}
        merged = {**_snapshot(asset, IP_FIELDS), **data}
        if errors := ip_errors(merged, existing=asset if asset.pk else None):
            raise InvalidInput(errors)
        for key, value in data.items():
            setattr(asset, key, value)
        asset.save()
        audit.record(actor=actor, verb="registry.save_ip_asset", obj=asset, region_code=enterprise.region_code,
                     organisation_id=enterprise.organisation_id,
                     changes=audit.diff(before, _snapshot(asset, IP_FIELDS)))
    return asset
