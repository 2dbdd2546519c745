"""The whole evaluation journey in Chromium: file → review → publicity → objection → register → certificate."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command

from tests.browser import shot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]




@pytest.fixture
def cache_table(transactional_db) -> None:  # noqa: ANN001
    call_command("createcachetable", verbosity=0)
    from django.core.cache import cache

    cache.clear()


def _log_in(tab, live_server, username: str) -> None:  # noqa: ANN001
    tab.goto(f"{live_server.url}/login/")
    tab.get_by_label(re.compile("User name|用户名")).fill(username)
    tab.get_by_label(re.compile("Password|密码")).fill(PASSWORD)
    tab.get_by_role("button", name=re.compile("^(Log in|登录)$")).click()
    tab.wait_for_load_state()


def _as(browser, live_server, username: str):  # noqa: ANN001, ANN202
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", accept_downloads=True)
    other = context.new_page()
    other.set_default_timeout(15000)
    _log_in(other, live_server, username)
    return other


def test_enterprise_files_and_is_registered_after_publicity(browser, page, live_server, flow,  # noqa: ANN001
                                                            cache_table) -> None:
    from playwright.sync_api import expect

    from techsme.evaluation.models import Filing, PublicityBatch, Registration

    enterprise = flow.enterprise("sz")
    manager_user = flow.publisher("sz")
    # 1. the enterprise starts this year's filing, watches the live score, saves, uploads nothing, submits
    _log_in(page, live_server, enterprise.test_admin.username)
    page.goto(f"{live_server.url}/evaluation/")
    page.get_by_role("button", name=re.compile(r"Start the \d{4} self-evaluation")).click()
    page.wait_for_url(re.compile(r"/evaluation/filings/\d+/edit/"))
    staff_points = page.locator("#live-score [data-indicator=techsme_staff_score]")
    assert staff_points.get_attribute("data-value") == "20"  # 10 of 30 employees
    page.locator("#f-tech_staff").fill("2")
    expect(staff_points).to_have_attribute("data-value", "0")  # no eval: the page's CSP forbids it
    shot(page, "evaluation-live-score")
    page.locator("#f-tech_staff").fill("12")
    page.locator("#f-ip_class1").fill("1")
    page.get_by_role("button", name="Save figures").click()
    page.wait_for_url(re.compile(r"/edit/$"))
    assert "The figures were saved." in page.inner_text("main")
    page.get_by_label(re.compile("I attest")).check()
    page.get_by_role("button", name="Submit the filing").click()
    page.wait_for_url(re.compile(r"/evaluation/filings/\d+/$"))
    assert page.locator("#filing-state").get_attribute("data-state") == "submitted"
    filing = Filing.objects.get(enterprise=enterprise)
    assert filing.facts["tech_staff"] == 12

    # 2. the Shenzhen reviewer records the on-site check and accepts
    reviewer = _as(browser, live_server, flow["sz"]["reviewer"].username)
    reviewer.goto(f"{live_server.url}/evaluation/queue/")
    reviewer.get_by_role("link", name=enterprise.name).click()
    if filing.needs_onsite_check:
        reviewer.locator("#onsite-result").select_option("passed")
        reviewer.get_by_role("button", name="Record the on-site check").click()
        reviewer.wait_for_load_state()
    reviewer.get_by_label("Accept", exact=True).check()  # no decision is pre-chosen
    reviewer.get_by_role("button", name="Record the decision").click()
    reviewer.wait_for_load_state()
    assert reviewer.locator("#filing-state").get_attribute("data-state") == "accepted"
    shot(reviewer, "evaluation-accepted")

    # 3. the programme manager publishes
    manager = _as(browser, live_server, manager_user.username)
    manager.goto(f"{live_server.url}/evaluation/publicity/manage/")
    manager.get_by_role("button", name="Publish the selected filings").click()
    manager.wait_for_url(re.compile(r"/publicity/manage/\d+/$"))
    batch = PublicityBatch.objects.get()

    # 4. someone objects on the public page; the manager dismisses the objection
    public = browser.new_context(locale="en-US").new_page()
    public.goto(f"{live_server.url}/evaluation/publicity/")
    public.get_by_role("link", name=batch.code).click()
    public.get_by_role("link", name="Object").first.click()
    public.get_by_label("Your name").fill("赵先生")
    public.get_by_label("Phone or e-mail").fill("13700000000")
    public.get_by_label("Your objection, with the facts").fill("该企业科技人员数量存疑。")
    public.get_by_role("button", name="Send the objection").click()
    public.wait_for_load_state()
    assert "Your objection was received" in public.inner_text("main")
    manager.reload()
    manager.get_by_label("Reasons for the decision").fill("经核查社保记录，人员数量属实。")
    manager.get_by_role("button", name="Dismiss").click()
    manager.wait_for_load_state()
    assert "dismissed" in manager.inner_text("main")

    # 5. time passes: the publicity period is over (dates moved back in the database); the batch is closed
    past = batch.published_on - timedelta(days=30)
    PublicityBatch.objects.filter(pk=batch.pk).update(published_on=past, ends_on=past + timedelta(days=14))
    manager.reload()
    manager.get_by_role("button", name="Close the batch and register").click()
    manager.wait_for_load_state()
    assert manager.locator("#batch-state").inner_text() == "closed"
    number = Registration.objects.get(filing=filing).number

    # 6. the number is in the public database and verifies as valid
    public.goto(f"{live_server.url}/evaluation/database/")
    public.get_by_label("Name or registration number").fill(enterprise.name)
    public.get_by_role("button", name="Search").click()
    public.wait_for_load_state()
    assert number in public.locator("#registrations").inner_text()
    public.get_by_role("link", name=number).click()
    public.wait_for_load_state()
    assert public.locator("#verification").get_attribute("data-state") == "registered"
    assert "Valid." in public.inner_text("main")
    shot(public, "evaluation-verify")

    # 7. the enterprise downloads its certificate
    page.goto(f"{live_server.url}/evaluation/filings/{filing.pk}/")
    assert page.locator("#registration-number").inner_text() == number
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
