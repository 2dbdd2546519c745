"""Public pages of the marketplace: home, outcome search and pages, the English Belt and Road listing, needs
(public part), statistics, brokers, the innovative-products catalogue and the check of a registration number."""

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Avg, Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from techsme.accounts.models import Membership
from techsme.core.exports import FORMATS, spreadsheet_response, write_csv, write_xlsx
from techsme.core.permissions import can
from techsme.core.roles import Role
from techsme.refdata import region_name
from techsme.transfer import rules, selectors
from techsme.transfer.models import BrokerRating, TransferMode
from techsme.transfer.services.contracts import brokered_totals
from techsme.transfer.views.common import contract_labels, industry_label, outcome_row

PAGE_SIZE = 20


def home(request: HttpRequest) -> HttpResponse:
    latest = [outcome_row(o) for o in selectors.public_outcomes()[:6]]
    return render(request, "transfer/home.html", {
        "counts": selectors.marketplace_counts(), "latest": latest,
        "needs": selectors.public_needs()[:6], "challenges": selectors.public_challenges()[:4],
        "may_publish": can(request.user, "transfer.outcome.edit"), "may_need": can(request.user, "transfer.need.edit"),
        "may_moderate": can(request.user, "transfer.outcome.moderate"),
        "may_register": can(request.user, "transfer.contract.register"),
    })


def _int(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if low <= number <= high else None


def outcomes(request: HttpRequest) -> HttpResponse:
    get = request.GET
    filters = selectors.OutcomeFilters(
        q=get.get("q", "")[:100], industry=get.get("industry", "")[:5].strip(),
        region=get.get("region", "")[:6].strip(),
        min_trl=_int(get.get("trl"), 1, 9), mode=get.get("mode", "") if get.get("mode") in TransferMode.values else "",
        belt_and_road=get.get("bri") == "1")
    page = Paginator(selectors.search_outcomes(filters), PAGE_SIZE).get_page(get.get("page"))
    return render(request, "transfer/outcomes.html", {
        "filters": filters, "page": page, "rows": [outcome_row(o) for o in page], "modes": TransferMode.choices,
        "trls": range(1, 10),
    })


def outcome_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from techsme.transfer.views.workspace import outcome_page

    return outcome_page(request, pk)


def belt_and_road(request: HttpRequest) -> HttpResponse:
    """Outcomes open to Belt and Road partners, listed in English whatever the interface language."""
    qs = selectors.public_outcomes().filter(belt_and_road=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    with translation.override("en"):
        rows = [outcome_row(o) for o in page]
    return render(request, "transfer/belt_and_road.html", {"page": page, "rows": rows})


def needs(request: HttpRequest) -> HttpResponse:
    qs = selectors.public_needs()
    if q := request.GET.get("q", "")[:100]:
        from techsme.core.search import search

        qs = search(qs, q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"n": n, "industry": industry_label(n.industry_code), "region": region_name(n.region_code)}
            for n in page]
    return render(request, "transfer/needs.html", {"page": page, "rows": rows, "q": q})


def statistics(request: HttpRequest) -> HttpResponse:
    level = _int(request.GET.get("level"), 2, 6) or 4
    level = level if level in (2, 4, 6) else 4
    by_region = selectors.contract_turnover(level=level)
    for row in by_region:
        code = (row["key"] + "000000")[:6]
        row["label"] = region_name(code) or row["key"]
    by_category = selectors.contract_turnover(by="category")
    for row in by_category:
        row["label"] = rules.category_label(row["key"])
    return render(request, "transfer/statistics.html", {
        "by_region": by_region, "by_category": by_category, "level": level,
        "totals": {"contracts": sum(r["contracts"] for r in by_region),
                   "contract_amount": sum((r["contract_amount"] for r in by_region), Decimal("0.00")),
                   "tech_amount": sum((r["tech_amount"] for r in by_region), Decimal("0.00"))},
    })


def brokers(request: HttpRequest) -> HttpResponse:
    """Technology brokers and the transfer institutions they work for (the one registry of organisations)."""
    members = (Membership.objects.filter(role=Role.BROKER, user__is_active=True)
               .select_related("user", "organisation").order_by("organisation__name", "user__username"))
    ids = [m.user_id for m in members]
    ratings = {r["broker_id"]: r for r in BrokerRating.objects.filter(broker_id__in=ids).values("broker_id")
               .annotate(avg=Avg("stars"), n=Count("pk"))}
    totals = brokered_totals(ids)
    rows = [{"m": m, "deals": m.user.transfer_contracts_brokered.filter(state="registered").count(),
             "total": totals.get(m.user_id, Decimal("0.00")), "rating": ratings.get(m.user_id)} for m in members]
    return render(request, "transfer/brokers.html", {"rows": rows})


def product_columns() -> list[tuple[str, str]]:
    return [("name", _("Product")), ("enterprise", _("Enterprise")), ("uscc", _("USCC")), ("industry", _("Industry")),
            ("region", _("Region")), ("price", _("Reference price (yuan)")), ("patents", _("Patents"))]


def _product_rows() -> list[dict[str, Any]]:
    return [{"name": p.name, "enterprise": p.enterprise.name, "uscc": p.enterprise.uscc,
             "industry": industry_label(p.industry_code), "region": region_name(p.region_code),
             "price": p.price, "patents": "、".join(p.patent_numbers), "p": p}
            for p in selectors.product_catalogue()]


def products(request: HttpRequest) -> HttpResponse:
    pending = selectors.products_in_scope(request.user, "transfer.product.decide").filter(state="submitted")
    mine = selectors.products_in_scope(request.user) if can(request.user, "transfer.product.submit") else []
    return render(request, "transfer/products.html", {
        "rows": _product_rows(), "pending": pending, "mine": mine,
        "may_submit": can(request.user, "transfer.product.submit"),
    })


def products_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    rows = _product_rows()
    columns = product_columns()
    data = write_csv(rows, columns) if fmt == "csv" else write_xlsx(rows, columns, "catalogue")
    return spreadsheet_response(data, "innovative-products", fmt)


def verify(request: HttpRequest, number: str) -> HttpResponse:
    contract = selectors.registered_contract(number[:20])
    return render(request, "transfer/verify.html", {
        "number": number[:20], "contract": contract,
        "labels": contract_labels(contract) if contract else None,
    }, status=200 if contract else 404)


def rules_page(request: HttpRequest) -> HttpResponse:
    """The registration rules the platform applies, from the data file (categories, deadlines, tax reliefs)."""
    categories = [{"code": c.code, "label": rules.category_label(c.code), "civil_code": c.civil_code,
                   "subtypes": [rules.subtype_label(c.code, s) for s in c.subtypes],
                   "reliefs": [rules.relief_label(t) for t in c.tax]} for c in rules.categories().values()]
    reliefs = [{"label": rules.relief_label(k), "basis": rules.relief_basis(k)} for k in rules.tax_reliefs()]
    return render(request, "transfer/rules.html", {
        "categories": categories, "reliefs": reliefs, "registration": rules.registration(),
        "source": rules.source(), "zh": (translation.get_language() or "").startswith("zh"),
    })
