"""In Chromium: an enterprise user finds an instrument by a Chinese word and requests a slot; the owner approves."""

import re

import pytest

from tests.browser import shot
from tests.conftest import PASSWORD
from tests.instruments.conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]




def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(re.compile("User name|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^(Log in|登录)$")).click()
    page.wait_for_load_state()


def test_enterprise_books_and_owner_approves(page, browser, live_server, two_regions, lab, make_instrument):
    from techsme.instruments.models import Booking, BookingStatus

    sem = make_instrument("场发射扫描电镜", name_en="Field-emission scanning electron microscope")
    make_instrument("液相色谱质谱联用仪", name_en="LC-MS")
    enterprise_user = two_regions["sz"]["ent_admin"]
    _log_in(page, live_server, enterprise_user.username)
    page.goto(f"{live_server.url}/instruments/")
    page.get_by_label("Words (Chinese or English)").fill("电镜")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/instruments/?q=*")
    results = page.locator("#instrument-list").inner_text()
    assert "场发射扫描电镜" in results and "液相色谱质谱联用仪" not in results
    shot(page, "instruments-search")
    page.get_by_role("link", name="场发射扫描电镜").click()
    page.wait_for_url(f"**/instruments/{sem.pk}/")
    page.get_by_label("Start", exact=True).fill(at(3, 9).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("End", exact=True).fill(at(3, 11).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Purpose").fill("电池极片形貌观察")
    page.get_by_role("button", name="Request booking").click()
    page.wait_for_url("**/instruments/bookings/")
    assert "sent to the instrument's owner" in page.inner_text("main")
    assert "Requested" in page.locator("#my-bookings").inner_text()
    shot(page, "instruments-my-bookings")
    booking = Booking.objects.get(instrument=sem)
    assert booking.status == BookingStatus.REQUESTED
    assert booking.organisation == two_regions["sz"]["enterprise"].organisation

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    owner_page = context.new_page()
    owner_page.set_default_timeout(15000)
    try:
        _log_in(owner_page, live_server, lab["sz_staff"].username)
        owner_page.goto(f"{live_server.url}/instruments/bookings/")
        row = owner_page.locator("#incoming tbody tr", has_text="场发射扫描电镜")
        assert "电池极片形貌观察" in row.inner_text()
        row.get_by_role("button", name="Approve").click()
        owner_page.wait_for_load_state()
        assert "The booking was approved." in owner_page.inner_text("main")
        shot(owner_page, "instruments-owner-approved")
    finally:
        context.close()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED
    page.goto(f"{live_server.url}/instruments/bookings/{booking.pk}/")
    assert page.locator("#booking-status").inner_text() == "Approved"
    page.select_option("#lang-select", "zh-hans")
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    assert page.locator("#booking-status").inner_text() == "已批准"
    page.goto(f"{live_server.url}/instruments/{sem.pk}/?week={at(3).date().isoformat()}")
    assert "预约此仪器" in page.inner_text("main") and "您的预约" in page.inner_text("main")
    shot(page, "instruments-instrument-zh")
