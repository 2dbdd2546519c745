"""In Chromium: a programme manager approving an application whose enterprise no longer meets the programme's rule
is stopped, with the reason, and the programme page marks it; the agency administrator overrides with a reason."""

import re

import pytest

from techsme.registry.models import Enterprise
from techsme.vouchers import services as s
from tests.browser import shot
from tests.vouchers.conftest import key
from tests.vouchers.test_browser_flow import session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_programme_manager_is_stopped_with_the_reason(browser, live_server, world):
    from techsme.vouchers.models import Application

    w = world
    application = s.do_apply(actor=w.ent_user, programme_id=w.programme.pk, enterprise_id=w.enterprise.pk,
                             amount="20000", purpose="EMC testing", submission_key=key())
    Enterprise.objects.filter(pk=w.enterprise.pk).update(region_code="440106")  # moved to Guangzhou since

    ctx, mgr = session(browser, live_server, w.manager.username)
    mgr.goto(f"{live_server.url}/vouchers/programmes/{w.programme.pk}/")
    assert "fails criteria" in mgr.locator("#waiting-applications").inner_text()
    mgr.get_by_role("link", name=re.compile(w.enterprise.name)).first.click()
    assert "eligibility rule" in mgr.locator("#decision-problems").inner_text()
    assert mgr.get_by_label(re.compile("Decide although the criteria")).count() == 0
    mgr.get_by_role("button", name="Approve and issue the voucher").click()
    alert = mgr.get_by_role("alert").inner_text()
    assert "does not meet the programme's eligibility rule" in alert and "located in region: 4403" in alert
    shot(mgr, "vouchers-manager-stopped")
    ctx.close()
    assert Application.objects.get(pk=application.pk).state == "submitted"

    ctx, admin = session(browser, live_server, w.admin.username)
    admin.goto(f"{live_server.url}/vouchers/applications/{application.pk}/")
    admin.get_by_label(re.compile("Decide although the criteria")).check()
    admin.get_by_label("Reason for the override").fill("The project stays in Shenzhen")
    admin.get_by_role("button", name="Approve and issue the voucher").click()
    admin.wait_for_load_state()
    assert "The project stays in Shenzhen" in admin.locator("#override-record").inner_text()
    admin.goto(f"{live_server.url}/vouchers/programmes/{w.programme.pk}/")
    assert "⚠" in admin.locator("#overridden-applications").inner_text()
    ctx.close()
