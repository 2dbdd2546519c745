"""In Chromium: a bank files a loan, the agency enrols it, the borrower defaults, the bank claims with a document,
the claim is reviewed, approved within the cap per loan and paid by a second officer; the dashboard updates."""

import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from tests.browser import log_in, shot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def cache_table(transactional_db) -> None:  # noqa: ANN001
    call_command("createcachetable", verbosity=0)
    from django.core.cache import cache

    cache.clear()


def _as(browser, live_server, user):  # noqa: ANN001, ANN202
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(15000)
    log_in(tab, live_server, user.username, PASSWORD)
    return tab


def test_loan_to_compensation_in_the_browser(browser, page, live_server, scheme, cache_table, tmp_path) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    base = live_server.url
    # 1. the bank files a loan of 5,000,000 on the page; the eligibility check is shown
    log_in(page, live_server, scheme["officer"].username, PASSWORD)
    page.goto(f"{base}/finance/")
    page.get_by_role("link", name="File a loan").first.click()
    page.get_by_label("Borrower's unified social credit code").fill(scheme["enterprise"].uscc)
    page.get_by_label("Loan contract number").fill("CMB-KJD-2026-0001")
    page.get_by_label("Loan amount (yuan)").fill("5,000,000")
    page.get_by_label("Term (months)").fill("12")
    page.get_by_label("Interest rate (% a year)").fill("4.35")
    page.get_by_label("Collateral").select_option("credit")
    page.get_by_label("Granted on").fill((date.today() - timedelta(days=200)).isoformat())
    page.get_by_role("button", name="File the loan").click()
    expect(page.locator("#loan-state")).to_have_text("filed, awaiting confirmation")
    expect(page.locator("#eligibility")).to_contain_text("met")
    loan_url = page.url
    # 2. the programme manager confirms the enrolment
    manager = _as(browser, live_server, scheme["manager"])
    manager.goto(loan_url)
    manager.get_by_role("button", name="Confirm the enrolment").click()
    expect(manager.locator("#loan-state")).to_have_text("enrolled in the pool")
    # 3. the borrower defaults; the bank reports it and claims with a document
    page.goto(loan_url)
    page.get_by_role("button", name="Report the default").click()
    expect(page.locator("#loan-state")).to_have_text("in default")
    page.get_by_role("link", name="Claim compensation").click()
    document = tmp_path / "notice.pdf"
    document.write_bytes(PDF)
    page.get_by_label("Document (PDF, JPEG or PNG, at most 10 MB)").set_input_files(str(document))
    page.get_by_label("Submit to the agency now").check()
    page.get_by_role("button", name="Save the claim").click()
    expect(page.locator("#claim-state")).to_have_text("submitted, awaiting first review")
    expect(page.locator("#claim-requested")).to_contain_text("¥2,500,000.00")  # 50% of 5,000,000
    claim_url = page.url
    # 4. the reviewer completes the first review; the manager approves within the cap per loan
    reviewer = _as(browser, live_server, scheme["reviewer"])
    reviewer.goto(claim_url)
    reviewer.get_by_role("button", name="Complete the first review").click()
    expect(reviewer.locator("#claim-state")).to_have_text("under review")
    manager.goto(claim_url)
    manager.get_by_role("button", name="Approve", exact=True).click()
    expect(manager.locator("#claim-approved")).to_contain_text("¥2,000,000.00")
    expect(manager.locator("#claim-approved")).to_contain_text("per loan")
    # the approving officer may not pay it (four eyes); a second manager pays from the pool
    manager.get_by_role("button", name="Pay", exact=True).click()
    expect(manager.locator(".message-error")).to_contain_text("four eyes")
    second = _as(browser, live_server, scheme["manager2"])
    second.goto(claim_url)
    second.get_by_role("button", name="Pay", exact=True).click()
    expect(second.locator("#claim-state")).to_have_text("compensated")
    # 5. the dashboard shows the payment and the lower balance
    second.goto(f"{base}/finance/pools/{scheme['pool'].pk}/")
    expect(second.locator("#pool-compensated")).to_contain_text("¥2,000,000.00")
    expect(second.locator("#pool-balance")).to_have_text("¥3,000,000.00")
    shot(second, "finance-pool-dashboard")
    assert re.search(r"/finance/pools/\d+/", second.url)
