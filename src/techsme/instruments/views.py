"""Instrument pages: public catalogue and instrument page with a week calendar; booking; owners' pages; statistics."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from techsme.accounts.models import Organisation
from techsme.core.errors import Conflict, InvalidInput
from techsme.core.exports import spreadsheet_response, write_xlsx
from techsme.core.permissions import can, organisations, scope
from techsme.instruments import categories, charges, selectors, services, stats
from techsme.instruments.forms import BookingForm, InstrumentForm, OutageForm, SearchForm, UsageForm
from techsme.instruments.models import ACTIVE_STATUSES, BookingStatus, Instrument, UsageRecord, WaitStatus
from techsme.instruments.permissions import BOOKER_ROLES, OWNER_ROLES
from techsme.refdata import region_name

PAGE_SIZE = 20
CAL_HOURS = range(8, 22)  # rows of the week view (08:00–22:00)
SLOT_LABELS = {
    "booked": gettext_lazy("booked"), "pending": gettext_lazy("requested"), "mine": gettext_lazy("your booking"),
    "blackout": gettext_lazy("closed for bookings"), "maintenance": gettext_lazy("maintenance"),
}


def _region_choices() -> list[tuple[str, str]]:
    """Cities that have public instruments."""
    cities = sorted({code[:4] + "00" for code in selectors.public_instruments().values_list("region_code", flat=True)})
    return [(code, region_name(code) or code) for code in cities]


def catalogue(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, regions=_region_choices())
    filters = selectors.CatalogueFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.CatalogueFilters(q=data["q"], category=data["category"], region=data["region"],
                                             value_band=data["value_band"])
        if data["free_on"]:
            day = data["free_on"]
            begin = data["free_from"] or time(9, 0)
            finish = data["free_to"] or time(17, 0)
            filters.available_from = timezone.make_aware(datetime.combine(day, begin))
            filters.available_to = timezone.make_aware(datetime.combine(day, finish))
    page = Paginator(selectors.search_instruments(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"i": i, "category": categories.label(i.category_code), "region": region_name(i.region_code)}
            for i in page]
    return render(request, "instruments/catalogue.html", {
        "form": form, "page": page, "rows": rows, "can_manage": can(request.user, "instrument.manage"),
    })


def _week(request: HttpRequest) -> datetime:
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = None
    return selectors.week_start(day)


def _calendar(instrument: Instrument, monday: datetime, user: Any) -> dict[str, Any]:
    slots = selectors.calendar(instrument, monday, 7, user)
    days = [monday + timedelta(days=d) for d in range(7)]
    rows = []
    for hour in CAL_HOURS:
        cells = []
        for day in days:
            begin = day.replace(hour=hour)
            finish = begin + timedelta(hours=1)
            kinds = [s.kind for s in slots if s.start < finish and s.end > begin]
            cells.append((kinds[0], SLOT_LABELS[kinds[0]]) if kinds else ("", ""))
        rows.append({"hour": f"{hour:02d}:00", "cells": cells})
    listed = [{"start": s.start, "end": s.end, "label": SLOT_LABELS[s.kind], "note": s.label} for s in slots]
    return {"days": days, "rows": rows, "slots": listed, "prev": (monday - timedelta(days=7)).date().isoformat(),
            "next": (monday + timedelta(days=7)).date().isoformat(), "monday": monday}


PHOTO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def instrument_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The instrument's photo, served only through this view (the media folder is never web-served)."""
    instrument = selectors.instrument_for(request.user, pk)
    suffix = "." + instrument.photo.name.rsplit(".", 1)[-1].lower() if instrument.photo else ""
    if suffix not in PHOTO_TYPES:
        raise Http404
    response = FileResponse(instrument.photo.open("rb"), content_type=PHOTO_TYPES[suffix])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def instrument_page(request: HttpRequest, pk: int, form: BookingForm | None = None,
                    problems: list | None = None, status: int = 200) -> HttpResponse:
    instrument = selectors.instrument_for(request.user, pk)
    user = request.user
    may_book = bool(organisations(user, BOOKER_ROLES)) or getattr(user, "is_superuser", False)
    return render(request, "instruments/instrument.html", {
        "instrument": instrument,
        "category": categories.label(instrument.category_code),
        "region": region_name(instrument.region_code),
        "cal": _calendar(instrument, _week(request), user),
        "form": form or BookingForm(),
        "problems": problems or [],
        "may_book": may_book,
        "may_manage": can(user, "instrument.manage", instrument),
        "outages": instrument.outages.filter(end__gt=timezone.now())[:20],
    }, status=status)


@login_required
@require_POST
def book(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = selectors.instrument_for(request.user, pk)
    form = BookingForm(request.POST)
    if not form.is_valid():
        return instrument_page(request, pk, form=form, status=422)
    data = form.cleaned_data
    kind = data["kind"]
    if request.POST.get("wait") == "1" and kind == "slot":
        try:
            services.do_join_wait_list(actor=request.user, instrument=instrument, start=data["start"],
                                       end=data["end"], self_operated=data["self_operated"], purpose=data["purpose"])
        except InvalidInput as exc:
            return instrument_page(request, pk, form=form, problems=[e.message for e in exc.errors], status=422)
        messages.success(request, _("You are on the wait list. If the time becomes free you will be offered it."))
        return redirect("instruments:my_bookings")
    try:
        booking = services.do_request_booking(
            actor=request.user, instrument=instrument, kind=kind, start=data["start"] if kind == "slot" else None,
            end=data["end"] if kind == "slot" else None, samples=data["samples"] or 0,
            self_operated=data["self_operated"], purpose=data["purpose"])
    except services.BookingRefused as exc:
        return instrument_page(request, pk, form=form, problems=exc.problems, status=409)
    except InvalidInput as exc:
        return instrument_page(request, pk, form=form, problems=[e.message for e in exc.errors], status=422)
    if booking.status == BookingStatus.APPROVED:
        messages.success(request, _("Your booking is confirmed."))
    else:
        messages.success(request, _("Your request was sent to the instrument's owner for approval."))
    return redirect("instruments:my_bookings")


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = selectors.visible_bookings(user)
    managed_ids = set(selectors.managed_instruments(user).values_list("pk", flat=True))
    own_orgs = set(organisations(user, BOOKER_ROLES))
    mine = [b for b in visible.filter(organisation_id__in=own_orgs).order_by("-created_at")[:100]]
    incoming = list(visible.filter(instrument_id__in=managed_ids).order_by("status", "start")[:200])
    waits = selectors.wait_entries_of(user).filter(status__in=(WaitStatus.WAITING, WaitStatus.OFFERED))
    return render(request, "instruments/bookings.html", {
        "mine": mine, "incoming": incoming, "waits": waits, "now": timezone.now(),
        "active": ACTIVE_STATUSES, "is_owner": bool(managed_ids),
    })


def _usage_context(request: HttpRequest, usage: UsageRecord | None) -> dict[str, Any]:
    """The usage card: the voucher split, and for the using enterprise the "pay with a voucher" choices."""
    if usage is None:
        return {"usage": None}
    payment = getattr(usage, "voucher_payment", None)  # RelatedObjectDoesNotExist is an AttributeError
    may_pay = (payment is None and usage.charge > 0
               and usage.organisation_id in set(organisations(request.user, BOOKER_ROLES)))
    options = []
    if may_pay:
        for voucher, amount in services.vouchers_for_usage(usage):
            options.append({"voucher": voucher, "balance": voucher.account.balance, "voucher_part": amount,
                            "enterprise_part": usage.charge - amount})
    return {"usage": usage, "payment": payment, "may_pay": may_pay, "voucher_options": options,
            "enterprise_part": usage.charge - usage.paid_by_voucher,
            "usage_overridden": charges.labels(usage.overridden)}


@login_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_for(request.user, pk)
    usage = selectors.visible_usage(request.user).filter(booking=booking).first()
    return render(request, "instruments/booking.html", {
        "booking": booking, "may_manage": can(request.user, "instrument.manage", booking.instrument),
        "active": ACTIVE_STATUSES, "now": timezone.now(),
    } | _usage_context(request, usage))


@login_required
def usage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    usage = selectors.usage_for(request.user, pk)
    if usage.booking_id:
        return redirect("instruments:booking", pk=usage.booking_id)
    return render(request, "instruments/usage.html", _usage_context(request, usage))


@login_required
@require_POST
def pay_usage(request: HttpRequest, pk: int) -> HttpResponse:
    """The using enterprise pays part of a usage charge with one of its innovation vouchers."""
    usage = selectors.usage_for(request.user, pk)
    try:
        payment = services.do_pay_usage_with_voucher(actor=request.user, usage_id=usage.pk,
                                                     voucher_code=request.POST.get("voucher_code", ""))
    except InvalidInput as exc:
        messages.error(request, " ".join(str(e.message) for e in exc.errors))
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    else:
        messages.success(request, _("Voucher %(code)s paid %(voucher)s of the charge; your enterprise pays the "
                                    "remaining %(rest)s to the instrument's owner.") % {
            "code": payment.voucher.code, "voucher": f"¥{payment.amount:,.2f}",
            "rest": f"¥{usage.charge - payment.amount:,.2f}"})
    if usage.booking_id:
        return redirect("instruments:booking", pk=usage.booking_id)
    return redirect("instruments:usage_detail", pk=usage.pk)


ACTIONS = {
    "approve": lambda actor, b: services.do_approve_booking(actor=actor, booking=b),
    "approve-override": lambda actor, b: services.do_approve_booking(actor=actor, booking=b, override=True),
    "decline": lambda actor, b: services.do_decline_booking(actor=actor, booking=b),
    "cancel": lambda actor, b: services.do_cancel_booking(actor=actor, booking=b),
    "no-show": lambda actor, b: services.do_mark_no_show(actor=actor, booking=b),
}
DONE = {
    "approve": gettext_lazy("The booking was approved."), "approve-override": gettext_lazy("The booking was approved."),
    "decline": gettext_lazy("The booking was declined."), "cancel": gettext_lazy("The booking was cancelled."),
    "no-show": gettext_lazy("The booking was marked as a no-show."),
}


@login_required
@require_POST
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    booking = selectors.booking_for(request.user, pk)
    try:
        ACTIONS[action](request.user, booking)
        messages.success(request, str(DONE[action]))
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/instruments/")
                    else "instruments:my_bookings")


@login_required
@require_POST
def wait_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entry = selectors.wait_entries_of(request.user).filter(pk=pk).first()
    if entry is None or action not in ("accept", "withdraw"):
        raise Http404
    try:
        if action == "accept":
            services.do_accept_wait_offer(actor=request.user, entry=entry)
            messages.success(request, _("Your request was sent to the instrument's owner for approval."))
        else:
            services.do_withdraw_wait(actor=request.user, entry=entry)
            messages.success(request, _("You left the wait list."))
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect("instruments:my_bookings")


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "instrument.manage"):
        raise PermissionDenied
    instruments = selectors.managed_instruments(request.user).order_by("name_zh")
    return render(request, "instruments/manage.html", {"instruments": instruments})


def _owner_choices(user: Any) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=organisations(user, OWNER_ROLES)))


@login_required
def instrument_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instrument = selectors.managed_instrument(request.user, pk) if pk else None
    owners = _owner_choices(request.user)
    if instrument is None and not owners:
        raise PermissionDenied
    form = InstrumentForm(request.POST or None, request.FILES or None, instance=instrument)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "photo"}
        photo = request.FILES.get("photo")
        try:
            saved = services.do_save_instrument(actor=request.user, owner=instrument.owner if instrument else owners[0],
                                                data=data, instrument=instrument, photo=photo)
        except InvalidInput as exc:
            for error in exc.errors:
                form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("The instrument was saved."))
            return redirect("instruments:instrument", pk=saved.pk)
    return render(request, "instruments/instrument_form.html", {"form": form, "instrument": instrument},
                  status=422 if form.errors else 200)


@login_required
def record_usage(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_for(request.user, pk)
    if not can(request.user, "instrument.manage", booking.instrument):
        raise PermissionDenied
    initial = {"start": timezone.localtime(booking.start) if booking.start else None,
               "end": timezone.localtime(booking.end) if booking.end else None, "samples": booking.samples}
    form = UsageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            usage = services.do_record_usage(actor=request.user, instrument=booking.instrument, booking=booking,
                                             start=data["start"], end=data["end"], operator=data["operator"],
                                             samples=data["samples"] or 0, notes=data["notes"],
                                             override_reason=data["override_reason"])
        except InvalidInput as exc:
            for error in exc.errors:
                form.add_error(error.field if error.field in form.fields else None, str(error.message))
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Usage recorded; charge: ¥%(amount)s.") % {"amount": f"{usage.charge:,}"})
            return redirect("instruments:booking", pk=booking.pk)
    return render(request, "instruments/usage_form.html", {"form": form, "booking": booking},
                  status=422 if form.errors else 200)


@login_required
def add_outage(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = selectors.managed_instrument(request.user, pk)
    form = OutageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_add_outage(actor=request.user, instrument=instrument, kind=data["kind"], start=data["start"],
                                   end=data["end"], reason=data["reason"])
        except InvalidInput as exc:
            for error in exc.errors:
                form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("The period was added to the calendar."))
            return redirect("instruments:instrument", pk=instrument.pk)
    return render(request, "instruments/outage_form.html", {"form": form, "instrument": instrument},
                  status=422 if form.errors else 200)


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year - 1


def _report(request: HttpRequest) -> stats.Report:
    if not can(request.user, "instrument.stats"):
        raise PermissionDenied
    return stats.report(scope(request.user, "instrument.stats", Instrument.objects.all()), _year(request))


def _pct(value: Decimal, reference: Decimal) -> int:
    """Bar width: the value as a share of twice the reference (so the reference sits at the middle), ≤ 100."""
    if not reference:
        return 0
    return int(min(Decimal(100), value / (reference * 2) * 100))


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    report = _report(request)
    ref = report.reference
    rows = []
    for row in report.rows:
        f = row.figures
        rows.append({
            "row": row, "f": f,
            "eff_pct": _pct(f.effective_hours, ref.effective_hours) if ref else 0,
            "ext_pct": _pct(f.external_hours, ref.external_hours) if ref else 0,
            "rate_pct": (f.sharing_rate * 100).quantize(Decimal("0.1")),
        })
    institutions = [{"name": name, "f": f, "rate_pct": (f.sharing_rate * 100).quantize(Decimal("0.1"))}
                    for name, f in sorted(report.institutions.items())]
    this_year = timezone.localdate().year
    return render(request, "instruments/statistics.html", {
        "report": report, "rows": rows, "institutions": institutions, "ref": ref,
        "ref_rate_pct": (ref.sharing_rate * 100).quantize(Decimal("0.1")) if ref else None,
        "years": list(range(this_year, this_year - 6, -1)),
    })


@login_required
def statistics_export(request: HttpRequest) -> HttpResponse:
    report = _report(request)
    data = write_xlsx([r.as_dict() for r in report.rows], stats.report_columns(),
                      sheet_title=_("Sharing %(year)d") % {"year": report.year})
    return spreadsheet_response(data, _("instrument-sharing-%(year)d") % {"year": report.year}, "xlsx")
