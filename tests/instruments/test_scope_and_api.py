"""Scope: one organisation cannot approve another's bookings or read their details by changing ids (web and API);
the API's documented error responses."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from techsme.accounts.services import do_create_api_token
from techsme.instruments.models import Booking, BookingStatus
from techsme.instruments.services import do_approve_booking, do_request_booking
from tests.instruments.conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/instruments"


def token_client(user) -> Client:
    _token, key = do_create_api_token(actor=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def web_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def booked(lab, make_instrument):
    instrument = make_instrument(buffer_minutes=15)
    booking = do_request_booking(actor=lab["user_a"], instrument=instrument, start=at(3, 9), end=at(3, 10),
                                 purpose="机密项目")
    return instrument, booking


def test_other_owner_and_other_enterprise_cannot_act_or_read_on_the_web(lab, booked):
    _instrument, booking = booked
    for user in (lab["gz_staff"], lab["user_b"]):
        client = web_client(user)
        assert client.get(reverse("instruments:booking", args=[booking.pk])).status_code == 404
        for action in ("approve", "decline", "cancel", "no-show"):
            response = client.post(reverse("instruments:booking_action", args=[booking.pk, action]))
            assert response.status_code == 404
        assert client.get(reverse("instruments:usage", args=[booking.pk])).status_code == 404
        assert "机密项目" not in client.get(reverse("instruments:my_bookings")).content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED
    # The requester sees it but cannot approve it.
    requester = web_client(lab["user_a"])
    assert "机密项目" in requester.get(reverse("instruments:booking", args=[booking.pk])).content.decode()
    requester.post(reverse("instruments:booking_action", args=[booking.pk, "approve"]))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED
    web_client(lab["sz_staff"]).post(reverse("instruments:booking_action", args=[booking.pk, "approve"]))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED


def test_other_owner_cannot_edit_or_record_usage(lab, booked):
    instrument, booking = booked
    client = web_client(lab["gz_staff"])
    assert client.get(reverse("instruments:edit", args=[instrument.pk])).status_code == 404
    assert client.get(reverse("instruments:outage_new", args=[instrument.pk])).status_code == 404
    api = token_client(lab["gz_staff"])
    response = api.post(f"{API}/{instrument.pk}/usage", {"start": at(3, 9).isoformat(), "end": at(3, 10).isoformat(),
                                                         "organisation_id": lab["ent_a"].pk},
                        content_type="application/json")
    assert response.status_code == 404


def test_api_scope_on_bookings(lab, booked):
    _instrument, booking = booked
    for user in (lab["gz_staff"], lab["user_b"]):
        api = token_client(user)
        assert api.get(f"{API}/bookings/{booking.pk}").status_code == 404
        assert api.post(f"{API}/bookings/{booking.pk}/approve", {}, content_type="application/json"
                        ).status_code == 404
        assert booking.pk not in [b["id"] for b in api.get(f"{API}/bookings/").json()]
    requester = token_client(lab["user_a"])
    assert requester.get(f"{API}/bookings/{booking.pk}").json()["purpose"] == "机密项目"
    response = requester.post(f"{API}/bookings/{booking.pk}/approve", {}, content_type="application/json")
    assert response.status_code == 403
    owner = token_client(lab["sz_staff"])
    assert owner.post(f"{API}/bookings/{booking.pk}/approve", {}, content_type="application/json"
                      ).json()["status"] == "approved"
    response = owner.post(f"{API}/bookings/{booking.pk}/approve", {}, content_type="application/json")
    assert response.status_code == 409


def test_api_catalogue_is_public(lab, booked, make_instrument):
    instrument, _booking = booked
    make_instrument("液相色谱质谱联用仪")
    anonymous = Client()
    body = anonymous.get(f"{API}/", {"q": "电镜"}).json()
    assert body["total"] == 1 and body["items"][0]["id"] == instrument.pk
    assert anonymous.get(f"{API}/", {"q": "质谱"}).json()["items"][0]["name_zh"] == "液相色谱质谱联用仪"
    assert anonymous.get(f"{API}/{instrument.pk}").json()["category"]
    busy = anonymous.get(f"{API}/{instrument.pk}/availability", {"start": at(3).date().isoformat()}).json()
    assert len(busy) == 1 and busy[0]["kind"] == "pending"
    assert anonymous.get(f"{API}/999999").status_code == 404
    assert anonymous.get(f"{API}/bookings/").status_code == 401


def test_api_booking_errors(lab, booked):
    instrument, _booking = booked
    api = token_client(lab["user_b"])
    url = f"{API}/{instrument.pk}/bookings"
    response = api.post(url, {"start": at(3, 9, 30).isoformat(), "end": at(3, 11).isoformat()},
                        content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert [p["code"] for p in body["problems"]] == ["overlap"] and body["staff_may_override"] is False
    response = api.post(url, {"kind": "slot"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "start"
    response = api.post(url, {"start": "not a date"}, content_type="application/json")
    assert response.status_code == 422
    response = api.post(url, {"start": at(4, 9).isoformat(), "end": at(4, 10).isoformat(),
                              "organisation_id": lab["ent_a"].pk}, content_type="application/json")
    assert response.status_code == 403  # not a member of that organisation
    response = api.post(url, {"start": at(4, 9).isoformat(), "end": at(4, 10).isoformat()},
                        content_type="application/json")
    assert response.status_code == 201 and response.json()["organisation_id"] == lab["ent_b"].pk


def test_api_usage_and_statistics(lab, booked, make_org, make_user):
    instrument, booking = booked
    do_approve_booking(actor=lab["sz_staff"], booking=booking)
    owner = token_client(lab["sz_staff"])
    response = owner.post(f"{API}/{instrument.pk}/usage", {"start": at(3, 9).isoformat(),
                                                          "end": at(3, 10).isoformat(), "booking_id": booking.pk},
                          content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "has not come yet" in response.json()["detail"]
    shift = timedelta(days=5)
    Booking.objects.filter(pk=booking.pk).update(start=booking.start - shift, end=booking.end - shift,
                                                 occupied_until=booking.occupied_until - shift)
    booking.refresh_from_db()
    response = owner.post(f"{API}/{instrument.pk}/usage", {"start": booking.start.isoformat(),
                                                          "end": (booking.start + timedelta(hours=1)).isoformat(),
                                                          "booking_id": booking.pk},
                          content_type="application/json")
    assert response.status_code == 201 and response.json()["charge"] == "400.00"
    assert len(owner.get(f"{API}/usage/").json()) == 1
    assert token_client(lab["gz_staff"]).get(f"{API}/usage/").json() == []
    year = booking.start.year
    body = owner.get(f"{API}/statistics/", {"year": year}).json()
    assert body["reference"]["effective_hours"] == "1440.0"
    assert [r["instrument_id"] for r in body["instruments"]] == [instrument.pk]
    assert body["instruments"][0]["external_hours"] == "1.0"
    assert token_client(lab["user_a"]).get(f"{API}/statistics/").status_code == 403
    # Agency staff see the instruments of their region only.
    reviewer = make_user("agency_reviewer", make_org("agency", "440100", "city"))
    assert token_client(reviewer).get(f"{API}/statistics/", {"year": year}).json()["instruments"] == []
