"""Reads of the registry, always narrowed to what the caller may see."""

from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from techsme.core.permissions import scope
from techsme.registry.models import AnnualFacts, Enterprise, IPAsset

# Size classes by employees in the latest year of facts (labels are translated where shown).
SIZE_CLASSES: dict[str, tuple[int, int | None]] = {
    "1-20": (0, 20),
    "21-100": (21, 100),
    "101-300": (101, 300),
    "301-500": (301, 500),
    "500+": (501, None),
}


def visible_enterprises(user: Any, action: str = "enterprise.view") -> QuerySet[Enterprise]:
    return scope(user, action, Enterprise.objects.all())


def search_enterprises(
    user: Any, *, q: str = "", region: str = "", industry: str = "", size: str = ""
) -> QuerySet[Enterprise]:
    """Enterprises in scope filtered by name/USCC text, region prefix, industry prefix and size class."""
    latest = AnnualFacts.objects.filter(enterprise=OuterRef("pk")).order_by("-tax_year")
    qs = visible_enterprises(user).annotate(
        latest_year=Subquery(latest.values("tax_year")[:1]),
        latest_employees=Subquery(latest.values("employees")[:1]),
        latest_revenue=Subquery(latest.values("revenue")[:1]),
    )
    if q := q.strip():
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__iexact=q.upper()) | Q(uscc__startswith=q.upper()))
    if region := region.strip():
        qs = qs.filter(region_code__startswith=region)
    if industry := industry.strip().upper():
        qs = qs.filter(industry_code__startswith=industry)
    if size in SIZE_CLASSES:
        low, high = SIZE_CLASSES[size]
        qs = qs.filter(latest_employees__gte=low)
        if high is not None:
            qs = qs.filter(latest_employees__lte=high)
    return qs.order_by("name", "pk")


def enterprise_for(user: Any, pk: int, action: str = "enterprise.view") -> Enterprise:
    """The enterprise if ``user`` may take ``action`` on it; 404 otherwise (existence is not revealed)."""
    enterprise = visible_enterprises(user, action).filter(pk=pk).first()
    if enterprise is None:
        raise Http404
    return enterprise


def enterprises_of_user(user: Any) -> QuerySet[Enterprise]:
    """The enterprises a user works for as enterprise staff."""
    from techsme.core.permissions import organisations

    return Enterprise.objects.filter(organisation_id__in=organisations(user))


def facts_by_year(enterprise: Enterprise) -> list[AnnualFacts]:
    return list(enterprise.facts.order_by("-tax_year"))


def ip_counts(enterprise: Enterprise, tax_year: int) -> tuple[int, int] | None:
    """(Class I, Class II) counts from the IP assets valid in ``tax_year``; None when no assets are recorded."""
    assets = list(enterprise.ip_assets.all())
    if not assets:
        return None
    counted = [a for a in assets if a.counts_in(tax_year)]
    return sum(a.ip_class == 1 for a in counted), sum(a.ip_class == 2 for a in counted)


def facts_record(enterprise: Enterprise, facts: AnnualFacts) -> dict[str, Any]:
    """One row of the facts contract (``facts.md`` column names) for the rules engine."""
    from techsme.registry.facts_fields import FACT_FIELDS

    record: dict[str, Any] = {
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "tax_year": facts.tax_year,
        "region_code": enterprise.region_code,
        "industry_code": enterprise.industry_code,
        "founded_on": enterprise.founded_on.isoformat(),
    }
    for name in FACT_FIELDS:
        record[name] = getattr(facts, name)
    derived = ip_counts(enterprise, facts.tax_year)
    if derived is not None:
        record["ip_class1"], record["ip_class2"] = derived
    return record


def ip_assets_of(enterprise: Enterprise) -> QuerySet[IPAsset]:
    return enterprise.ip_assets.order_by("kind", "number")
