"""The innovative-products catalogue (measure 13): enterprises propose products, the agency admits them after
checking the criteria, procurement units read and export the public catalogue."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core import audit
from techsme.core.errors import Conflict, FieldError, InvalidInput
from techsme.registry.models import AnnualFacts, IPAsset
from techsme.transfer import patents
from techsme.transfer.models import InnovativeProduct, ProductState
from techsme.transfer.services.common import industry, money, refuse_if, require, text


def do_submit_product(*, actor: Any, enterprise: Any, data: dict[str, Any]) -> InnovativeProduct:
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    values["name"], e = text(data, "name", limit=200)
    errors += e
    values["description"], e = text(data, "description", limit=4000)
    errors += e
    values["industry_code"], e = industry(data)
    errors += e
    values["price"], e = money(data, "price", required=True, positive=True)
    errors += e
    raw = data.get("patent_numbers") or ""
    values["patent_numbers"], problems = patents.parse_list("\n".join(raw) if isinstance(raw, list) else str(raw))
    errors += [FieldError("patent_numbers", m) for m in problems]
    with transaction.atomic():
        product = InnovativeProduct(enterprise=enterprise, region_code=enterprise.region_code)
        require(actor, "transfer.product.submit", product, _("You may not propose products for this enterprise."))
        if errors:
            raise InvalidInput(errors)
        for key, value in values.items():
            setattr(product, key, value)
        product.save()
        audit.record(actor=actor, verb="transfer.submit_product", obj=product,
                     organisation_id=enterprise.organisation_id, changes=audit.diff({}, values))
    return product


def admission_problems(product: InnovativeProduct) -> list[str]:
    """Why the product cannot enter the catalogue: it rests on the enterprise's own IP and a clean record."""
    problems = []
    has_ip = IPAsset.objects.filter(enterprise=product.enterprise, status=IPAsset.Status.VALID).exists()
    if not has_ip and not product.patent_numbers:
        problems.append(_("The product rests on no valid intellectual property of the enterprise."))
    latest = AnnualFacts.objects.filter(enterprise=product.enterprise).order_by("-tax_year").first()
    if latest is not None and (latest.serious_dishonesty or latest.abnormal_operation_listed):
        problems.append(_("The enterprise is recorded for serious dishonesty or abnormal operation."))
    return problems


def do_decide_product(*, actor: Any, product_id: int, approve: bool, note: str = "") -> InnovativeProduct:
    with transaction.atomic():
        product = InnovativeProduct.objects.select_for_update().select_related("enterprise").get(pk=product_id)
        require(actor, "transfer.product.decide", product, _("You may not decide products of this region."))
        if product.state != ProductState.SUBMITTED:
            raise Conflict(_("The product was already decided."))
        if approve:
            refuse_if(admission_problems(product))
        elif not note.strip():
            raise InvalidInput([FieldError("note", _("Give the reason for not admitting the product."))])
        product.state = ProductState.APPROVED if approve else ProductState.REJECTED
        product.decided_by, product.decided_at, product.decision_note = actor, timezone.now(), note.strip()[:2000]
        product.save()
        audit.record(actor=actor, verb="transfer.decide_product", obj=product,
                     organisation_id=product.enterprise.organisation_id,
                     changes={"state": [ProductState.SUBMITTED, product.state], "note": note.strip()})
    return product
