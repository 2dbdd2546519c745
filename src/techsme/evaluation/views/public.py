"""Public pages (no login): publicity lists with the objection form, the registered database, verification,
statistics."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techsme.core.errors import Conflict, InvalidInput
from techsme.core.exports import FORMATS, spreadsheet_response, write_csv, write_xlsx
from techsme.core.http import client_ip
from techsme.evaluation import selectors, services
from techsme.evaluation.models import (
    BatchState,
    PublicityBatch,
    Registration,
    RegistrationState,
    RevocationGround,
)
from techsme.evaluation.views.common import count_objection, objection_limited
from techsme.refdata import industry_class, region_name

PAGE_SIZE = 50
EXPORT_LIMIT = 200_000


def _region_label(code: str) -> str:
    return region_name(code) or code


def publicity(request: HttpRequest) -> HttpResponse:
    """Current and past publicity batches."""
    year = request.GET.get("year", "")
    current = selectors.public_batches(state=BatchState.OPEN)
    past = selectors.public_batches(state=BatchState.CLOSED, year=int(year) if year.isdigit() else None)
    page = Paginator(past, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluation/public_publicity.html", {
        "current": [(b, _region_label(b.region_prefix.ljust(6, "0"))) for b in current],
        "page": page, "past": [(b, _region_label(b.region_prefix.ljust(6, "0"))) for b in page.object_list],
        "year": year, "today": timezone.localdate(),
    })


def publicity_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = PublicityBatch.objects.filter(pk=pk).first()
    if batch is None:
        raise Http404
    entries = [dict(e, region_name=_region_label(e["enterprise__region_code"])) for e in
               selectors.public_batch_entries(batch)]
    today = timezone.localdate()
    return render(request, "evaluation/public_batch.html", {
        "batch": batch, "entries": entries, "region": _region_label(batch.region_prefix.ljust(6, "0")),
        "objections_open": batch.state == BatchState.OPEN and today <= batch.ends_on,
        "chosen": request.GET.get("filing", ""),
    })


@require_POST
def lodge_objection(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone may object during publicity: name and contact details required; a few per address and hour."""
    batch = PublicityBatch.objects.filter(pk=pk).first()
    if batch is None:
        raise Http404
    back = reverse("evaluation:public_batch", args=[pk])
    ip = client_ip(request)
    if objection_limited(ip):
        messages.error(request, _("Too many objections were sent from your network; try again in an hour."))
        return render(request, "evaluation/public_batch.html", {
            "batch": batch, "entries": [], "objections_open": False, "limited": True,
            "region": _region_label(batch.region_prefix.ljust(6, "0"))}, status=429)
    filing = batch.filings.filter(pk=request.POST.get("filing") or 0).first()
    if filing is None:
        messages.error(request, _("Choose the enterprise your objection is about."))
        return redirect(back)
    try:
        services.do_lodge_objection(batch=batch, filing=filing, name=request.POST.get("name", ""),
                                    contact=request.POST.get("contact", ""), text=request.POST.get("text", ""))
    except InvalidInput as exc:
        messages.error(request, _("Your objection was not sent: name, contact details and the objection itself are "
                                  "all required.") + " " + "; ".join(str(e.message) for e in exc.errors))
        return redirect(f"{back}?filing={filing.pk}#objection")
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect(back)
    count_objection(ip)
    messages.success(request, _("Your objection was received. The agency will examine it before the publicity "
                                "ends and may contact you."))
    return redirect(back)


def _database_filters(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip() for k in ("q", "uscc", "region", "industry", "year", "state")}


def _database_query(filters: dict[str, str]):  # noqa: ANN202
    year = filters["year"]
    state = filters["state"] if filters["state"] in RegistrationState.values else ""
    return selectors.registered_database(q=filters["q"], uscc=filters["uscc"], region=filters["region"],
                                         industry=filters["industry"], year=int(year) if year.isdigit() else None,
                                         state=state)


def database(request: HttpRequest) -> HttpResponse:
    """The public tech-SME database: search by name or number, USCC, region, industry, year; paginated."""
    filters = _database_filters(request)
    page = Paginator(_database_query(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    states = dict(RegistrationState.choices)
    rows = [dict(r, region_name=_region_label(r["region6"]), state_label=states.get(r["state"], r["state"]))
            for r in page.object_list]
    years = sorted(set(Registration.objects.values_list("year", flat=True).distinct()), reverse=True)
    grounds = dict(RevocationGround.choices)
    revocations = [dict(r, ground_label=grounds.get(r["ground"], r["ground"]))
                   for r in selectors.public_revocations()[:20]]
    return render(request, "evaluation/public_database.html", {
        "revocations": revocations,
        "page": page, "rows": rows, "filters": filters, "years": years, "states": RegistrationState.choices,
        "export_query": request.GET.urlencode(),
    })


EXPORT_COLUMNS = [("number", "registration_number"), ("enterprise__name", "name"), ("enterprise__uscc", "uscc"),
                  ("region6", "region_code"), ("enterprise__industry_code", "industry_code"), ("year", "year"),
                  ("state", "state"), ("issued_at", "issued_at")]


def database_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    rows = _database_query(_database_filters(request))[:EXPORT_LIMIT]
    data = write_csv(rows, EXPORT_COLUMNS) if fmt == "csv" else write_xlsx(rows, EXPORT_COLUMNS, "techsme")
    return spreadsheet_response(data, f"techsme-registrations-{timezone.localdate().isoformat()}", fmt)


def verify(request: HttpRequest, number: str = "") -> HttpResponse:
    """Is this registration number valid, lapsed or revoked? (The QR code on the certificate links here.)"""
    number = (number or request.GET.get("number", "")).strip()
    if number and not request.resolver_match.kwargs.get("number"):
        return redirect("evaluation:verify", number=number)
    found = selectors.verify_registration(number) if number else None
    status = 200 if found or not number else 404
    return render(request, "evaluation/verify.html", {
        "number": number, "found": found, "states": dict(RegistrationState.choices),
        "region": _region_label(found["region6"]) if found else "",
        "industry": industry_class(found["enterprise__industry_code"]) if found else None,
    }, status=status)


def _bars(rows: list[tuple[str, int]]) -> list[dict]:
    top = max((n for _l, n in rows), default=0) or 1
    return [{"label": label, "count": n, "pct": round(100 * n / top)} for label, n in rows]


def statistics(request: HttpRequest) -> HttpResponse:
    """Registrations by year, region, industry and size; the score distribution of the registered filings."""
    valid = Registration.objects.filter(state=RegistrationState.REGISTERED)
    by_year = list(Registration.objects.values_list("year").annotate(n=Count("pk")).order_by("-year"))
    by_region = list(valid.values_list("region6").annotate(n=Count("pk")).order_by("-n")[:15])
    by_industry = list(valid.values_list("enterprise__industry_code").annotate(n=Count("pk")))
    sections: dict[str, int] = {}
    for code, n in by_industry:
        sections[code[:1]] = sections.get(code[:1], 0) + n
    scores = list(valid.values_list("filing__score", flat=True))
    bands = [(_("below 60"), 0, 60), ("60–69", 60, 70), ("70–79", 70, 80), ("80–89", 80, 90), ("90–100", 90, 101)]
    distribution = [(str(label), sum(1 for s in scores if s is not None and lo <= s < hi)) for label, lo, hi in bands]
    distribution.append((_("direct route or no score"), sum(1 for s in scores if s is None)))
    sizes = [(_("fewer than 20 employees"), 0, 20), (_("20 to 99 employees"), 20, 100),
             (_("100 to 299 employees"), 100, 300), (_("300 or more employees"), 300, 10**9)]
    employees = [int(float(e)) if e not in (None, "") else None
                 for e in valid.values_list("filing__facts__employees", flat=True)]
    by_size = [(str(label), sum(1 for e in employees if e is not None and lo <= e < hi)) for label, lo, hi in sizes]
    from techsme.refdata import industry_sections

    section_names = industry_sections()
    return render(request, "evaluation/statistics.html", {
        "total": valid.count(),
        "by_year": _bars([(str(y), n) for y, n in by_year]),
        "by_region": _bars([(_region_label(code), n) for code, n in by_region]),
        "by_industry": _bars(sorted(((f"{c} {section_names.get(c, '')}", n) for c, n in sections.items()),
                                    key=lambda x: -x[1])),
        "by_size": _bars(by_size),
        "scores": _bars(distribution),
    })
