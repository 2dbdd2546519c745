"""In Chromium: the enterprise pays part of a recorded instrument usage with its innovation voucher and sees the
split (voucher part / enterprise part), in English and in Chinese."""

import re

import pytest

from tests.browser import shot
from tests.conftest import PASSWORD
from tests.instruments.conftest import at
from tests.instruments.test_voucher_payment import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enterprise_pays_usage_partly_by_voucher(page, live_server, make_org, make_user, make_enterprise):
    from techsme.instruments.models import UsageRecord
    from techsme.instruments.services import do_approve_booking, do_record_usage, do_request_booking

    w = build(make_org, make_user, make_enterprise)
    voucher = w.voucher()
    booking = do_request_booking(actor=w.ent_user, instrument=w.instrument, start=at(1, 9), end=at(1, 12))
    do_approve_booking(actor=w.staff, booking=booking)
    usage = do_record_usage(actor=w.staff, instrument=w.instrument, booking=booking, start=at(1, 9), end=at(1, 12),
                            now=at(2))

    page.goto(f"{live_server.url}/login/")
    page.get_by_label(re.compile("User name|用户名")).fill(w.ent_user.username)
    page.get_by_label(re.compile("Password|密码")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^(Log in|登录)$")).click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/instruments/bookings/{booking.pk}/")
    assert page.locator("#usage-charge").inner_text() == "¥1,200.00"
    preview = page.locator("#voucher-preview tbody tr").first
    assert voucher.code in preview.inner_text()
    assert preview.locator(".voucher-part").inner_text() == "¥600.00"
    assert preview.locator(".enterprise-part").inner_text() == "¥600.00"
    shot(page, "instruments-voucher-preview")
    page.get_by_label("Voucher", exact=True).select_option(voucher.code)
    page.get_by_role("button", name="Pay with this voucher").click()
    page.wait_for_url(f"**/instruments/bookings/{booking.pk}/")
    assert "paid ¥600.00 of the charge" in page.inner_text("main")
    assert page.locator("#usage-voucher-part").inner_text().startswith("¥600.00")
    assert page.locator("#usage-enterprise-part").inner_text() == "¥600.00"
    assert page.locator("#voucher-preview").count() == 0
    shot(page, "instruments-voucher-paid")
    page.select_option("#lang-select", "zh-hans")
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    assert "创新券" in page.inner_text("main")
    usage.refresh_from_db()
    assert UsageRecord.objects.get(pk=usage.pk).paid_by_voucher == 600
