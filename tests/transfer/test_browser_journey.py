"""In Chromium: a university publishes an outcome, the moderator approves it, an enterprise finds it through its
need and both sides say they are interested, the university registers the licence contract with the registration
office; the enterprise registers the transfer of its own patent, and its incentives page shows the technology-
transfer exemption with its legal basis."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser import shot
from tests.conftest import PASSWORD
from tests.transfer.conftest import OUTCOME, patent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def session(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(re.compile("User name|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^(Log in|登录)$")).click()
    page.wait_for_load_state()
    return context, page


def test_outcome_to_contract_to_transfer_exemption(browser, live_server, market):
    from techsme.registry.models import AnnualFacts
    from techsme.transfer.models import ContractState, TechContract

    base = live_server.url
    buyer = market["buyer"]
    last_year = timezone.localdate().year - 1
    AnnualFacts.objects.create(enterprise=buyer, tax_year=last_year, employees=120, tech_staff=30,
                               revenue=Decimal("30000000"), total_cost_expense=Decimal("25000000"),
                               total_assets=Decimal("20000000"), rd_expense=Decimal("1500000"),
                               taxable_income_before_incentives=Decimal("3500000"))

    # 1. the university publishes an outcome
    uni_ctx, uni = session(browser, live_server, market["staff"].username)
    uni.goto(f"{base}/transfer/outcomes/new/")
    for label, key in (("Title (Chinese)", "title_zh"), ("Title (English)", "title_en"),
                       ("Summary (Chinese)", "summary_zh"), ("Keywords", "keywords")):
        uni.get_by_label(label, exact=True).fill(OUTCOME[key])
    uni.get_by_label("Industry (GB/T 4754 class, e.g. C3841)").fill("C3841")
    uni.get_by_label("Technology readiness level (1–9)").select_option("6")
    right = patent()
    uni.get_by_label("Patent or application numbers").fill(right[:-1] + ("1" if right[-1] == "0" else "0"))
    uni.get_by_label("Licence").check()
    uni.get_by_label("Price from (yuan)").fill("800000")
    uni.get_by_label("Price up to (yuan)").fill("2000000")
    uni.get_by_role("button", name="Save and send for moderation").click()
    # a mistyped check character is explained, and nothing typed is lost
    assert "check character should be" in uni.locator("#error-summary").inner_text()
    assert uni.get_by_label("Summary (Chinese)").input_value() == OUTCOME["summary_zh"]
    uni.get_by_label("Patent or application numbers").fill(right)
    uni.get_by_role("button", name="Save and send for moderation").click()
    uni.wait_for_url(re.compile(r".*/transfer/outcomes/\d+/$"))
    assert "Awaiting moderation" in uni.inner_text("main")
    outcome_url = uni.url

    # 2. the moderator approves it
    rev_ctx, rev = session(browser, live_server, market["sz_reviewer"].username)
    rev.goto(f"{base}/transfer/moderation/")
    rev.get_by_role("link", name=OUTCOME["title_zh"]).click()
    assert "Every publication criterion is met." in rev.inner_text("main")
    rev.get_by_role("button", name="Approve and publish").click()
    rev.wait_for_load_state()
    assert "The outcome is published." in rev.inner_text("main")

    # 3. the enterprise publishes a need and finds the outcome with the reasons
    ent_ctx, ent = session(browser, live_server, market["buyer_admin"].username)
    ent.goto(f"{base}/transfer/needs/new/")
    ent.get_by_label("Title", exact=True).fill("动力电池安全性提升")
    ent.get_by_label("Public summary").fill("我司生产动力电池模组，希望引进固态电解质技术提高锂电池安全性。")
    ent.get_by_label("Confidential details").fill("热失控温度目标 250℃")
    ent.get_by_label("Industry (GB/T 4754 class, e.g. C3841)").fill("C3841")
    ent.get_by_label("Budget (yuan)").fill("1500000")
    ent.get_by_role("button", name="Publish the need").click()
    ent.wait_for_url(re.compile(r".*/transfer/needs/\d+/$"))
    matches = ent.locator("#matches")
    assert OUTCOME["title_zh"] in matches.inner_text() and "Shared terms" in matches.inner_text()
    shot(ent, "transfer-need-matches")
    ent.get_by_role("link", name="Open the match").first.click()
    ent.get_by_role("button", name="We are interested").click()
    assert "The other side is told that you are interested." in ent.inner_text("main")

    # 4. the university answers, sees the details, and registers the licence contract from the match
    uni.goto(f"{base}/transfer/mine/")
    uni.get_by_role("link", name=re.compile("动力电池安全性提升")).click()
    assert "热失控温度目标 250℃" in uni.inner_text("main")
    uni.get_by_role("button", name="We are interested").click()
    uni.get_by_label("Message").fill("欢迎来校考察中试线。")
    uni.get_by_role("button", name="Send").click()
    uni.get_by_role("link", name="Register the contract").click()
    assert uni.get_by_label("Buyer", exact=True).input_value() == buyer.name
    uni.get_by_label("Category").select_option("licence:patent_exclusive")
    uni.get_by_label("Contract amount (yuan)").fill("1200000")
    uni.get_by_label("Signed on").fill((timezone.localdate() - timedelta(days=2)).isoformat())
    uni.get_by_label("Licence term (years)").fill("5")
    uni.get_by_role("button", name="Send for registration").click()
    uni.wait_for_url(re.compile(r".*/transfer/contracts/\d+/$"))
    licence = TechContract.objects.get(seller=market["university"])
    assert licence.buyer_id == buyer.organisation_id and licence.outcome is not None

    rev.goto(f"{base}/transfer/contracts/{licence.pk}/")
    rev.get_by_label("Technology-transaction amount (yuan)").fill("1100000")
    rev.get_by_role("button", name="Register and issue the number").click()
    rev.wait_for_load_state()
    licence.refresh_from_db()
    assert licence.state == ContractState.REGISTERED
    assert licence.registration_number in rev.inner_text("main")

    # 5. the enterprise transfers its own patent; registered, it feeds the exemption shown on its incentives page
    ent.goto(f"{base}/transfer/contracts/new/")
    ent.get_by_label("Contract title").fill("电池模组结构专利权转让")
    ent.get_by_label("Buyer", exact=True).fill("东莞市恒通电源有限公司")
    ent.get_by_label("Category").select_option("transfer:patent")
    ent.get_by_label("Industry (GB/T 4754 class, e.g. C3841)").fill("C3841")
    ent.get_by_label("Contract amount (yuan)").fill("900000")
    ent.get_by_label("Signed on").fill(date(last_year, 12, 1).isoformat())
    ent.get_by_label("Valid until").fill((timezone.localdate() + timedelta(days=200)).isoformat())
    ent.get_by_label("Patent or application numbers").fill(patent(2020, "2", 7654321))
    ent.get_by_role("button", name="Send for registration").click()
    ent.wait_for_url(re.compile(r".*/transfer/contracts/\d+/$"))
    own = TechContract.objects.get(seller=buyer.organisation)
    rev.goto(f"{base}/transfer/contracts/{own.pk}/")
    rev.get_by_label("Technology-transaction amount (yuan)").fill("850000")
    rev.get_by_role("button", name="Register and issue the number").click()
    rev.wait_for_load_state()

    ent.goto(f"{base}/incentives/enterprises/{buyer.pk}/?year={last_year}")
    card = ent.locator("#incentive-tech_transfer")
    assert card.get_attribute("data-status") == "eligible"
    card.get_by_text("How to claim").click()  # the claim steps cite the law the exemption rests on
    text = card.inner_text()
    assert "第九十条" in text and "企业所得税法实施条例" in text
    shot(ent, "transfer-incentive-exemption")
    for ctx in (uni_ctx, rev_ctx, ent_ctx):
        ctx.close()
    assert outcome_url
