"""In Chromium: a reviewer approving an ineligible filing is stopped, with the reason; the agency administrator
accepts it only by an explicit override with a written reason, which the filing page then shows."""

import re

import pytest
from django.core.management import call_command

from tests.browser import log_in, shot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "经局务会研究，研发投入已另行核实，同意受理。"


@pytest.fixture
def cache_table(transactional_db) -> None:  # noqa: ANN001
    call_command("createcachetable", verbosity=0)
    from django.core.cache import cache

    cache.clear()


def test_an_officer_is_stopped_with_the_reason_when_approving_an_ineligible_filing(
        browser, page, live_server, flow, cache_table) -> None:  # noqa: ANN001
    from techsme.evaluation.models import Filing

    filing = flow.submitted("sz", rd_expense=0)  # 20 points: below the threshold of 60
    log_in(page, live_server, flow["sz"]["reviewer"].username, PASSWORD)
    page.goto(f"{live_server.url}/evaluation/queue/")
    row = page.locator("#queue tr", has_text=filing.enterprise.name)
    assert "fails the criteria" in row.inner_text()
    row.get_by_role("link", name=filing.enterprise.name).click()
    page.wait_for_url(re.compile(rf"/evaluation/filings/{filing.pk}/$"))
    assert "below 60 points" in page.locator("#criteria-warning").inner_text()
    page.get_by_role("button", name="Record the decision").click()  # no decision chosen: the browser stops it
    assert page.locator("#filing-state").get_attribute("data-state") == "submitted"
    page.get_by_label("Accept", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    refusal = page.locator(".messages, [role=alert]").filter(has_text="fails the criteria").first.inner_text()
    assert filing.enterprise.name in refusal and "below 60 points" in refusal and "agency administrator" in refusal
    assert page.locator("#filing-state").get_attribute("data-state") == "submitted"
    shot(page, "evaluation-approval-refused")
    assert Filing.objects.get(pk=filing.pk).state == "submitted"

    # the agency administrator overrides, explicitly and with a reason
    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
    admin.set_default_timeout(15000)
    log_in(admin, live_server, flow["sz"]["admin"].username, PASSWORD)
    admin.goto(f"{live_server.url}/evaluation/filings/{filing.pk}/")
    admin.get_by_label("Accept", exact=True).check()
    admin.get_by_label("Accept although the criteria listed above fail").check()
    admin.get_by_label("Reason for the override").fill(REASON)
    admin.get_by_role("button", name="Record the decision").click()
    admin.wait_for_load_state()
    assert admin.locator("#filing-state").get_attribute("data-state") == "accepted"
    assert REASON in admin.locator("#override-notice").inner_text()
    shot(admin, "evaluation-approval-overridden")
    admin.context.close()
