"""The whole voucher flow in Chromium: apply → approve partly → contract → redeem → deliver → verify → reimburse."""

import re

import pytest

from tests.browser import shot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def session(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(re.compile("User name|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^(Log in|登录)$")).click()
    page.wait_for_load_state()
    return context, page


def test_whole_voucher_flow_in_the_browser(browser, live_server, world):
    journey(browser, live_server, world)


def journey(browser, live_server, world):
    from techsme.vouchers.models import Contract, Voucher

    w = world
    base = live_server.url
    ent_ctx, ent = session(browser, live_server, w.ent_user.username)
    ent.goto(f"{base}/vouchers/programmes/{w.programme.pk}/")
    ent.get_by_role("link", name="Apply for a voucher").click()
    ent.get_by_label("Amount applied for (yuan)").fill("30000")
    ent.get_by_label("Purpose").fill("EMC testing of the new controller")
    ent.get_by_role("button", name="Submit the application").click()
    assert "cap per application" in ent.get_by_role("alert").inner_text()  # 30,000 > 20,000
    ent.get_by_label("Amount applied for (yuan)").fill("20000")
    ent.get_by_role("button", name="Submit the application").click()
    ent.wait_for_url("**/vouchers/applications/*/")
    assert "Your application was submitted." in ent.inner_text("main")
    shot(ent, "vouchers-application")

    mgr_ctx, mgr = session(browser, live_server, w.manager.username)
    mgr.goto(f"{base}/vouchers/programmes/{w.programme.pk}/")
    mgr.get_by_role("link", name=re.compile(w.enterprise.name)).first.click()
    mgr.get_by_label("Approved amount (yuan)").fill("15000")
    mgr.get_by_role("button", name="Approve and issue the voucher").click()
    assert "Give the reason" in mgr.get_by_role("alert").inner_text()
    mgr.get_by_label("Approved amount (yuan)").fill("15000")
    mgr.get_by_label("Reason").fill("Budget share of the call")
    mgr.get_by_role("button", name="Approve and issue the voucher").click()
    mgr.wait_for_load_state()
    assert "The voucher was issued." in mgr.inner_text("main")
    voucher = Voucher.objects.get()

    ent.goto(f"{base}/vouchers/")
    ent.get_by_role("link", name=voucher.code).click()
    assert "¥15,000.00" in ent.locator("#voucher-balance").inner_text()
    ent.get_by_role("link", name="Record a service contract").click()
    ent.get_by_label("Service provider").select_option(label=w.provider.institution)
    ent.get_by_label("Service category").select_option("testing")
    ent.get_by_label("Contract amount (yuan)").fill("24000")
    ent.get_by_label("Service contracted").fill("EMC test and retest")
    ent.get_by_role("button", name="Record the contract").click()
    ent.wait_for_url("**/vouchers/contracts/*/")
    contract = Contract.objects.get()
    shot(ent, "vouchers-contract")

    lab_ctx, lab = session(browser, live_server, w.lab_user.username)
    lab.goto(f"{base}/vouchers/contracts/{contract.pk}/")
    lab.get_by_label("Voucher code (from the enterprise)").fill(voucher.code)
    lab.get_by_label("Amount (yuan)").fill("12000.01")
    lab.get_by_role("button", name="Redeem", exact=True).click()
    assert "at most 50% of the contract" in lab.get_by_role("alert").inner_text()
    lab.get_by_label("Amount (yuan)").fill("")
    lab.get_by_role("button", name="Redeem", exact=True).click()
    lab.wait_for_load_state()
    assert "¥12,000.00" in lab.locator("#contract-redeemed").inner_text()
    lab.get_by_label("What was delivered").fill("EMC report SZ-EMC-2026-031, retest passed")
    lab.get_by_role("button", name="Confirm delivery").click()
    lab.wait_for_load_state()
    assert "SZ-EMC-2026-031" in lab.locator("#delivery-report").inner_text()

    # No contract document was attached: the reviewer is stopped with the reason; the agency administrator overrides.
    rev_ctx, rev = session(browser, live_server, w.reviewer.username)
    rev.goto(f"{base}/vouchers/contracts/{contract.pk}/")
    assert "No contract document" in rev.locator("#verification-problems").inner_text()
    rev.get_by_role("button", name="Verify the delivery").click()
    assert "No contract document" in rev.get_by_role("alert").inner_text()
    assert "delivery confirmed" in rev.locator("#contract-state").inner_text()
    rev_ctx.close()
    rev_ctx, rev = session(browser, live_server, w.admin.username)
    rev.goto(f"{base}/vouchers/contracts/{contract.pk}/")
    rev.get_by_label(re.compile("Decide although the criteria")).check()
    rev.get_by_label("Reason for the override").fill("Signed paper contract checked at the counter")
    rev.get_by_role("button", name="Verify the delivery").click()
    rev.wait_for_load_state()
    assert "verified" in rev.locator("#contract-state").inner_text()
    assert "Signed paper contract" in rev.locator("#override-record").inner_text()

    mgr.goto(f"{base}/vouchers/programmes/{w.programme.pk}/")
    mgr.get_by_role("button", name="Reimburse verified contracts").click()
    mgr.wait_for_load_state()
    assert "reimbursement batch" in mgr.inner_text("main")
    assert mgr.locator("svg").count() >= 2
    shot(mgr, "vouchers-agency-dashboard")

    lab.goto(f"{base}/vouchers/")
    assert "¥12,000.00" in lab.inner_text("main")
    shot(lab, "vouchers-provider-dashboard")
    ent.goto(f"{base}/vouchers/vouchers/{voucher.pk}/")
    assert "¥3,000.00" in ent.locator("#voucher-balance").inner_text()

    public = browser.new_context(locale="en-US").new_page()
    public.goto(f"{base}/vouchers/verify/")
    public.get_by_label("Voucher code").fill(voucher.code)
    public.get_by_role("button", name="Verify").click()
    assert "Genuine voucher" in public.inner_text("main")
    for ctx in (ent_ctx, mgr_ctx, lab_ctx, rev_ctx):
        ctx.close()
    assert Contract.objects.get().state == "reimbursed"
