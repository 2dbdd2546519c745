"""Service providers: an institution registers with a programme; the agency approves or rejects it."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.accounts.models import Organisation
from techsme.accounts.roles import OrgKind
from techsme.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from techsme.core.permissions import can
from techsme.vouchers.models import (
    Programme,
    ProviderService,
    ProviderState,
    ServiceCategory,
    ServiceProvider,
)
from techsme.vouchers.services.common import (
    authorize,
    invalid,
    parse_amount,
    record_event,
    retrying,
)


def _services(rows: Iterable[dict[str, Any]]) -> list[ProviderService]:
    out = []
    for index, row in enumerate(rows, start=1):
        name = str(row.get("name") or "").strip()
        category = str(row.get("category") or "").strip()
        if not name:
            raise InvalidInput([FieldError("services", _("Service %(n)d needs a name.") % {"n": index}, index)])
        if category not in ServiceCategory.values:
            raise InvalidInput([FieldError("services", _("Service %(n)d has an unknown category.") % {"n": index},
                                           index)])
        price = parse_amount(row.get("price"), "services")
        out.append(ProviderService(name=name[:200], category=category, price=price,
                                   unit=str(row.get("unit") or "").strip()[:40]))
    return out


@retrying
def do_register_provider(
    *, actor: Any, organisation_id: int, programme_id: int, institution: str, accreditation: str,
    services: Iterable[dict[str, Any]], uscc: str = "",
) -> ServiceProvider:
    """A service institution registers with a programme, listing its services with categories and prices."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or organisation.kind != OrgKind.PROVIDER or not can(
            actor, "vouchers.provider.register", organisation):
        raise PermissionDenied(_("You may not register this institution as a service provider."))
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None:
        raise invalid("programme", _("This voucher programme does not exist."))
    institution = (institution or "").strip() or organisation.name
    accreditation = (accreditation or "").strip()
    if not accreditation:
        raise invalid("accreditation", _("Enter the accreditation of the institution (e.g. its CMA or CNAS "
                                          "certificate number)."))
    uscc = (uscc or "").strip().upper()
    if uscc:
        from techsme.core.identifiers import uscc_error

        if problem := uscc_error(uscc):
            raise invalid("uscc", problem)
    rows = _services(services)
    if not rows:
        raise invalid("services", _("List at least one service with its category and price."))
    with transaction.atomic():
        if ServiceProvider.objects.filter(organisation=organisation, programme=programme).exists():
            raise Conflict(_("%(institution)s is already registered with this programme.")
                           % {"institution": organisation.name})
        provider = ServiceProvider.objects.create(organisation=organisation, programme=programme,
                                                  institution=institution[:200], accreditation=accreditation[:300],
                                                  uscc=uscc)
        for row in rows:
            row.provider = provider
        ProviderService.objects.bulk_create(rows)
        record_event(actor, "vouchers.register_provider", provider, programme.region_code, organisation.pk,
                programme=programme.pk, institution=institution, accreditation=accreditation,
                services=[[r.name, r.category, r.price] for r in rows])
    return provider


def do_add_provider_service(*, actor: Any, provider_id: int, service: dict[str, Any]) -> ProviderService:
    with transaction.atomic():
        provider = ServiceProvider.objects.select_for_update().filter(pk=provider_id).first()
        if provider is None:
            raise PermissionDenied(_("You may not change this service provider."))
        authorize(actor, "provider", "add_service", provider, provider.state)
        (row,) = _services([service])
        row.provider = provider
        row.save()
        record_event(actor, "vouchers.add_provider_service", provider, provider.programme.region_code,
                provider.organisation_id, service=[row.name, row.category, row.price])
    return row


def do_decide_provider(*, actor: Any, provider_id: int, approve: bool, reason: str = "") -> ServiceProvider:
    reason = (reason or "").strip()
    with transaction.atomic():
        provider = ServiceProvider.objects.select_for_update(of=("self",)).select_related("programme").filter(
            pk=provider_id).first()
        if provider is None:
            raise PermissionDenied(_("You may not decide this registration."))
        authorize(actor, "provider", "approve" if approve else "reject", provider, provider.state)
        if not approve and not reason:
            raise invalid("reason", _("Give the reason for the rejection."))
        before = provider.state
        provider.state = ProviderState.APPROVED if approve else ProviderState.REJECTED
        provider.reason, provider.decided_at = reason, timezone.now()
        provider.save(update_fields=["state", "reason", "decided_at"])
        record_event(actor, "vouchers.decide_provider", provider, provider.programme.region_code,
                provider.organisation_id, state=[before, provider.state], reason=reason)
    return provider

