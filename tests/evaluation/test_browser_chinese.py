"""A short Chinese pass in Chromium: switch the language with the header form; the review queue and the public
database show Chinese labels (the shared ``browser``/``page`` fixtures of tests/conftest.py: one Playwright)."""

import re

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


def test_queue_and_public_database_in_chinese(page, live_server, flow, cache_table) -> None:  # noqa: ANN001
    from techsme.evaluation.models import EvaluationYear

    from .conftest import YEAR

    EvaluationYear.objects.create(year=YEAR, onsite_check_first_time=False)
    waiting = flow.submitted("sz")
    (registration,) = flow.registered("sz")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(re.compile("User name|用户名")).fill(flow["sz"]["reviewer"].username)
    page.get_by_label(re.compile("Password|密码")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^(Log in|登录)$")).click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/evaluation/queue/")
    assert page.locator("h1").inner_text() == "Review queue"  # the browser asks for English
    with page.expect_navigation():
        page.locator("#lang-select").select_option("zh-hans")
        if page.locator(".lang-switch button").is_visible():  # without JavaScript the button submits
            page.locator(".lang-switch button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "待审核列表"
    header = page.locator("#queue thead").inner_text()
    assert "等待天数" in header and "企业" in header
    assert page.get_by_label("行业").count() == 1
    assert waiting.enterprise.name in page.locator("#queue").inner_text()
    shot(page, "evaluation-queue-zh")
    page.goto(f"{live_server.url}/evaluation/database/")
    assert page.locator("h1").inner_text() == "已入库科技型中小企业"
    assert "登记编号" in page.locator("#registrations thead").inner_text()
    assert registration.number in page.locator("#registrations").inner_text()
