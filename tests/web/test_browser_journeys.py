"""Journeys through the real pages in Chromium (Playwright, sync API) against pytest-django's live server."""

import re

import pytest
from django.utils import timezone

from tests.browser import shot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(re.compile("User name|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^(Log in|登录)$")).click()
    page.wait_for_load_state()


def test_enterprise_user_fixes_an_invalid_value_and_saves(page, live_server, two_regions):
    from techsme.registry.models import AnnualFacts

    sz = two_regions["sz"]
    enterprise = sz["enterprise"]
    year = timezone.localdate().year
    _log_in(page, live_server, sz["ent_admin"].username)
    assert page.url.endswith(f"/enterprises/{enterprise.pk}/")
    shot(page, "enterprise-dashboard")
    page.get_by_role("link", name=f"Enter facts for {year}").click()
    page.locator("#f-employees").fill("40")
    page.locator("#f-tech_staff").fill("55")
    page.locator("#f-revenue").fill("8,500,000.50")
    page.get_by_role("button", name="Save facts").click()
    alert = page.get_by_role("alert")
    assert "cannot exceed employees" in alert.inner_text()
    assert "cannot exceed employees" in page.locator("#e-tech_staff").inner_text()
    assert page.locator("#f-revenue").input_value() == "8,500,000.50"  # kept on error
    shot(page, "facts-form-error")
    assert not AnnualFacts.objects.filter(enterprise=enterprise).exists()
    page.locator("#f-tech_staff").fill("12")
    page.get_by_role("button", name="Save facts").click()
    page.wait_for_url(f"**/enterprises/{enterprise.pk}/")
    assert f"The facts for {year} were saved." in page.inner_text("main")
    row = page.locator("table tbody tr", has_text=str(year)).first
    assert "¥8,500,000.50" in row.inner_text() and "12" in row.inner_text()
    assert AnnualFacts.objects.get(enterprise=enterprise, tax_year=year).tech_staff == 12
    shot(page, "enterprise-dashboard-saved")


def test_switch_to_chinese_translates_the_page(page, live_server, two_regions):
    sz = two_regions["sz"]
    year = timezone.localdate().year
    _log_in(page, live_server, sz["ent_admin"].username)
    page.goto(f"{live_server.url}/enterprises/{sz['enterprise'].pk}/facts/{year}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Save facts").is_visible()
    page.select_option("#lang-select", "zh-hans")
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    assert page.url.endswith(f"/facts/{year}/")
    assert page.get_by_role("button", name="保存数据").is_visible()
    assert "规模与财务" in page.inner_text("main")
    shot(page, "facts-form-zh")


def test_agency_user_searches_only_in_scope(page, live_server, two_regions, make_enterprise):
    make_enterprise(name="深圳光子科技有限公司", region_code="440305")
    make_enterprise(name="广州光子科技有限公司", region_code="440106")
    _log_in(page, live_server, two_regions["sz"]["reviewer"].username)
    assert page.url.endswith("/agency/")
    page.get_by_label("Name or USCC").fill("光子")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/agency/?q=*")
    table = page.locator("#enterprise-list").inner_text()
    assert "深圳光子科技有限公司" in table
    assert "广州光子科技有限公司" not in table
    assert "广州光子科技有限公司" not in page.content()
    shot(page, "agency-search")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "agency-search-mobile")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/agency/")
    shot(page, "agency-dashboard")


def test_agency_admin_pages_and_home_in_chinese(page, live_server, two_regions, tmp_path):
    from techsme.registry.services import do_save_facts

    sz = two_regions["sz"]
    do_save_facts(actor=sz["ent_admin"], enterprise_id=sz["enterprise"].pk, tax_year=2024,
                  values={"employees": 35, "tech_staff": 9, "revenue": 4200000})
    page.goto(f"{live_server.url}/")
    shot(page, "home-en")
    _log_in(page, live_server, sz["admin"].username)
    page.goto(f"{live_server.url}/audit/")
    assert sz["enterprise"].name in page.inner_text("main")
    shot(page, "audit")
    page.goto(f"{live_server.url}/registry/import/")
    bad = tmp_path / "bad.csv"
    bad.write_text("uscc,name,tax_year,region_code,industry_code,founded_on,employees,tech_staff\n"
                   "123,坏数据公司,2024,440305,I6513,2018-01-01,5,9\n", encoding="utf-8")
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="Check and import").click()
    assert "Nothing was imported." in page.inner_text("main")
    shot(page, "import-errors")
    page.goto(f"{live_server.url}/account/tokens/")
    page.get_by_label("Token name").fill("数据交换接口")
    page.get_by_role("button", name="Create token").click()
    assert page.locator("#new-key").inner_text().startswith("tsme_")
    shot(page, "tokens")
    page.select_option("#lang-select", "zh-hans")
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    assert "您的令牌" in page.inner_text("main")
    page.goto(f"{live_server.url}/")
    assert "科技型中小企业一站式服务" in page.inner_text("main")
    shot(page, "home-zh")
    page.goto(f"{live_server.url}/agency/")
    shot(page, "agency-zh")
