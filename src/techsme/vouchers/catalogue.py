"""A provider's own catalogue of services: add, edit, withdraw (provider staff of that institution only).

Each change is one verb of ``workflows.PROVIDER_WORKFLOW`` (``add_service``, ``edit_service``,
``withdraw_service``), permission-checked with ``core.permissions.can`` on the provider registration (scope: the
provider's organisation), audited with the before/after values. A withdrawn service is kept (contracts and the audit
trail refer to what was offered) but no longer offered: its category no longer counts for new contracts.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from techsme.vouchers.models import ProviderService, ServiceCategory, ServiceProvider
from techsme.vouchers.services.common import authorize, parse_amount, record_event, retrying


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    name = str(data.get("name") or "").strip()
    category = str(data.get("category") or "").strip()
    errors: list[FieldError] = []
    if not name:
        errors.append(FieldError("name", _("Enter the name of the service.")))
    if category not in ServiceCategory.values:
        errors.append(FieldError("category", _("Choose a service category.")))
    price = None
    try:
        price = parse_amount(data.get("price"), "price")
    except InvalidInput as exc:
        errors.extend(exc.errors)
    if errors:
        raise InvalidInput(errors)
    return {"name": name[:200], "category": category, "price": price,
            "unit": str(data.get("unit") or "").strip()[:40],
            "description": str(data.get("description") or "").strip()}


def _lock(actor: Any, service_id: int, transition: str) -> tuple[ServiceProvider, ProviderService]:
    provider_id = ProviderService.objects.filter(pk=service_id).values_list("provider_id", flat=True).first()
    if provider_id is None:
        raise PermissionDenied(_("You may not change this service provider."))
    provider = ServiceProvider.objects.select_for_update(of=("self",)).select_related("programme").get(pk=provider_id)
    authorize(actor, "provider", transition, provider, provider.state)
    service = ProviderService.objects.select_for_update().get(pk=service_id)
    return provider, service


@retrying
def do_add_service(*, actor: Any, provider_id: int, data: dict[str, Any]) -> ProviderService:
    """Add a service (name, category, price, unit, description) to a provider's catalogue."""
    with transaction.atomic():
        provider = (ServiceProvider.objects.select_for_update(of=("self",)).select_related("programme")
                    .filter(pk=provider_id).first())
        if provider is None:
            raise PermissionDenied(_("You may not change this service provider."))
        authorize(actor, "provider", "add_service", provider, provider.state)
        values = _clean(data)
        service = ProviderService.objects.create(provider=provider, **values)
        record_event(actor, "vouchers.add_provider_service", provider, provider.programme.region_code,
                  provider.organisation_id, service=service.pk, **values)
    return service


@retrying
def do_edit_service(*, actor: Any, service_id: int, data: dict[str, Any]) -> ProviderService:
    """Change a service still on offer; the audit event records each changed field as [before, after]."""
    with transaction.atomic():
        provider, service = _lock(actor, service_id, "edit_service")
        if service.withdrawn:
            raise Conflict(_("This service was withdrawn; add it again instead of editing it."))
        values = _clean(data)
        diff = {k: [getattr(service, k), v] for k, v in values.items() if getattr(service, k) != v}
        if diff:
            for k, (_before, after) in diff.items():
                setattr(service, k, after)
            service.save(update_fields=list(diff))
            record_event(actor, "vouchers.edit_provider_service", provider, provider.programme.region_code,
                      provider.organisation_id, service=service.pk, **diff)
    return service


@retrying
def do_withdraw_service(*, actor: Any, service_id: int) -> ProviderService:
    """Stop offering a service (kept for the record). The last service on offer cannot be withdrawn."""
    with transaction.atomic():
        provider, service = _lock(actor, service_id, "withdraw_service")
        if service.withdrawn:
            raise Conflict(_("This service was already withdrawn."))
        if not provider.services.filter(withdrawn_at__isnull=True).exclude(pk=service.pk).exists():
            raise Conflict(_("A provider must offer at least one service; add another before withdrawing this one."))
        service.withdrawn_at = timezone.now()
        service.save(update_fields=["withdrawn_at"])
        record_event(actor, "vouchers.withdraw_provider_service", provider, provider.programme.region_code,
                  provider.organisation_id, service=service.pk, name=service.name, category=service.category)
    return service
