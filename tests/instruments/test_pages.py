"""The instrument pages render (both languages), search and filter, and the booking form reports problems."""

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from tests.instruments.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(lab, make_instrument):
    return {
        "lcms": make_instrument("液相色谱质谱联用仪", name_en="LC-MS", category_code="0101",
                                purchase_value=Decimal("4200000")),
        "sem": make_instrument("场发射扫描电镜", name_en="Field-emission SEM", category_code="0104",
                               purchase_value=Decimal("480000")),
        "gz": make_instrument("X射线衍射仪", name_en="X-ray diffractometer", category_code="0106", owner=lab["gz"],
                              region_code="440106", purchase_value=Decimal("3200000")),
        "hidden": make_instrument("内部质谱仪", is_public=False),
    }


def _names(response) -> str:
    return response.content.decode()


def test_catalogue_search_and_filters(client, catalogue):
    url = reverse("instruments:catalogue")
    page = _names(client.get(url, {"q": "质谱"}))
    assert "液相色谱质谱联用仪" in page and "场发射扫描电镜" not in page and "内部质谱仪" not in page
    assert "场发射扫描电镜" in _names(client.get(url, {"q": "电镜"}))
    assert "场发射扫描电镜" in _names(client.get(url, {"q": "field emission"}))
    assert "场发射扫描电镜" in _names(client.get(url, {"q": "SEM"}))
    page = _names(client.get(url, {"category": "0106"}))
    assert "X射线衍射仪" in page and "液相色谱质谱联用仪" not in page
    page = _names(client.get(url, {"region": "440100"}))
    assert "X射线衍射仪" in page and "液相色谱质谱联用仪" not in page
    page = _names(client.get(url, {"value_band": "lt50w"}))
    assert "场发射扫描电镜" in page and "X射线衍射仪" not in page
    page = _names(client.get(url, {"category": "01"}))  # a top-level category covers its children
    assert "液相色谱质谱联用仪" in page and "场发射扫描电镜" in page and "X射线衍射仪" in page
    assert "场发射扫描电镜" not in _names(client.get(url, {"category": "02"}))


def test_availability_filter(client, lab, catalogue):
    from techsme.instruments.services import do_request_booking

    do_request_booking(actor=lab["user_a"], instrument=catalogue["sem"], start=at(3, 10), end=at(3, 12))
    day = at(3).date().isoformat()
    page = _names(client.get(reverse("instruments:catalogue"), {"free_on": day, "free_from": "09:00",
                                                                 "free_to": "17:00"}))
    assert "场发射扫描电镜" not in page and "液相色谱质谱联用仪" in page
    page = _names(client.get(reverse("instruments:catalogue"), {"free_on": day, "free_from": "13:00",
                                                                 "free_to": "17:00"}))
    assert "场发射扫描电镜" in page


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_pages_render_in_both_languages(client, lab, catalogue, lang):
    from techsme.instruments.services import do_request_booking

    client.cookies["django_language"] = lang
    booking = do_request_booking(actor=lab["user_a"], instrument=catalogue["sem"], start=at(3, 10), end=at(3, 12))
    assert client.get(reverse("instruments:catalogue")).status_code == 200
    response = client.get(reverse("instruments:instrument", args=[catalogue["sem"].pk]),
                          {"week": at(3).date().isoformat()})
    assert response.status_code == 200
    assert ("Calendar for the week" if lang == "en" else "周日历") in response.content.decode()
    client.force_login(lab["sz_staff"])
    for name, args in (("my_bookings", []), ("booking", [booking.pk]), ("manage", []), ("new", []),
                       ("edit", [catalogue["sem"].pk]), ("statistics", []), ("outage_new", [catalogue["sem"].pk])):
        assert client.get(reverse(f"instruments:{name}", args=args)).status_code == 200, name
    assert client.get(reverse("instruments:instrument", args=[catalogue["hidden"].pk])).status_code == 200
    client.logout()
    assert client.get(reverse("instruments:instrument", args=[catalogue["hidden"].pk])).status_code == 404


def test_booking_form_reports_problems_and_wait_list(client, lab, catalogue):
    from techsme.instruments.models import Booking, WaitListEntry

    sem = catalogue["sem"]
    client.cookies["django_language"] = "en"
    client.force_login(lab["user_a"])
    fmt = "%Y-%m-%dT%H:%M"
    data = {"kind": "slot", "start": at(3, 9).strftime(fmt), "end": at(3, 11).strftime(fmt), "purpose": "形貌"}
    response = client.post(reverse("instruments:book", args=[sem.pk]), data)
    assert response.status_code == 302 and Booking.objects.filter(instrument=sem, requester=lab["user_a"]).exists()
    client.force_login(lab["user_b"])
    response = client.post(reverse("instruments:book", args=[sem.pk]), data)
    assert response.status_code == 409 and "overlaps another booking" in response.content.decode()
    response = client.post(reverse("instruments:book", args=[sem.pk]), data | {"wait": "1"})
    assert response.status_code == 302 and WaitListEntry.objects.filter(user=lab["user_b"]).exists()


def _booked_days_ago(booking, days: int) -> None:
    """Test set-up: the booked day has passed (bookings cannot be made in the past)."""
    from techsme.instruments.models import Booking

    shift = timedelta(days=days)
    Booking.objects.filter(pk=booking.pk).update(start=booking.start - shift, end=booking.end - shift,
                                                 occupied_until=booking.occupied_until - shift)


def test_owner_records_usage_and_exports_statistics(client, lab, catalogue):
    from techsme.instruments.services import do_approve_booking, do_request_booking

    sem = catalogue["sem"]
    booking = do_request_booking(actor=lab["user_a"], instrument=sem, start=at(-1, 9) + timedelta(days=3),
                                 end=at(2, 11))
    do_approve_booking(actor=lab["sz_staff"], booking=booking)
    client.force_login(lab["sz_staff"])
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post(reverse("instruments:usage", args=[booking.pk]),
                           {"start": at(2, 9).strftime(fmt), "end": at(2, 10, 30).strftime(fmt), "samples": 2},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422 and "has not come yet" in response.content.decode()  # no charge in advance
    _booked_days_ago(booking, 3)
    response = client.post(reverse("instruments:usage", args=[booking.pk]),
                           {"start": at(-1, 9).strftime(fmt), "end": at(-1, 10, 30).strftime(fmt), "samples": 2})
    assert response.status_code == 302
    assert "¥600.00" in client.get(reverse("instruments:booking", args=[booking.pk])).content.decode()
    year = at(-1).year
    response = client.get(reverse("instruments:statistics"), {"year": year})
    assert "场发射扫描电镜" in response.content.decode() and "X射线衍射仪" not in response.content.decode()
    response = client.get(reverse("instruments:statistics_export"), {"year": year})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    sem_row = next(r for r in rows[1:] if r[1] == "场发射扫描电镜")
    assert sem_row[6] == 1.5 and sem_row[10] == 600


def test_owner_adds_an_instrument_with_a_photo(client, lab):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from techsme.instruments.models import Instrument

    client.cookies["django_language"] = "en"
    client.force_login(lab["sz_staff"])
    data = {"name_zh": "原子力显微镜", "name_en": "AFM", "category_code": "0110", "purchase_value": "2100000",
            "region_code": "440305", "fee_unit": "hour", "fee_internal": "100", "fee_external": "300",
            "status": "active", "is_public": "on", "min_duration_minutes": "30", "max_duration_minutes": "240",
            "lead_time_hours": "24", "buffer_minutes": "15", "free_cancellation_hours": "24"}
    bad = SimpleUploadedFile("x.png", b"GIF89a not really", content_type="image/png")
    response = client.post(reverse("instruments:new"), data | {"photo": bad})
    assert response.status_code == 422 and "PNG or JPEG" in response.content.decode()
    png = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    response = client.post(reverse("instruments:new"), data | {"photo": png})
    assert response.status_code == 302
    instrument = Instrument.objects.get(name_zh="原子力显微镜")
    assert instrument.owner == lab["sz"] and instrument.photo.name.endswith(".png")
    page = client.get(reverse("instruments:instrument", args=[instrument.pk])).content.decode()
    photo_url = reverse("instruments:photo", args=[instrument.pk])
    assert photo_url in page and "/media/" not in page  # uploads are never linked by their storage path
    photo = client.get(photo_url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert b"".join(photo.streaming_content).startswith(b"\x89PNG")
    client.force_login(lab["user_a"])
    assert client.get(reverse("instruments:new")).status_code == 403
