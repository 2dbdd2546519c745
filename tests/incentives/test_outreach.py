"""Outreach lists: scoped to the agency's region, correct on constructed cases, exportable, notified with audit."""

import io
from decimal import Decimal

import openpyxl
from django.core import mail

from techsme.core.models import AuditEvent
from techsme.incentives.models import Notification
from techsme.incentives.outreach import outreach
from tests.incentives.conftest import YEAR, login


def _names(rows):
    return {r["name"] for r in rows}


def test_techsme_eligible_but_not_registered(world, make_enterprise, add_facts) -> None:
    sz = world["sz"]
    registered = make_enterprise(name="已入库科技公司", region_code="440305")
    add_facts(registered, tech_sme_registered=True)
    weak = make_enterprise(name="评分不足公司", region_code="440305")
    add_facts(weak, tech_staff=5, rd_expense=Decimal("100000"), ip_class2=0)
    rows = outreach(sz["manager"], kind="techsme_unregistered", tax_year=YEAR)
    assert _names(rows) == {sz["enterprise"].name}
    assert rows[0]["techsme_score"] >= 60 and rows[0]["registered"] is False
    # Scope: the Guangzhou enterprise (also eligible) is only on Guangzhou's list.
    assert _names(outreach(world["gz"]["manager"], kind="techsme_unregistered", tax_year=YEAR)) == {
        world["gz"]["enterprise"].name}


def test_higher_rate_if_registered_in_2022(world, add_facts) -> None:
    sz = world["sz"]
    add_facts(sz["enterprise"], year=2022)
    rows = outreach(sz["manager"], kind="higher_rate_unregistered", tax_year=2022)
    assert len(rows) == 1
    row = rows[0]
    assert row["rate_now"] == 0.75 and row["rate_if_registered"] == 1.0
    assert row["extra_deduction_gain"] == 375000.0
    # From 2023 every enterprise gets 100%: nobody gains by registering.
    assert outreach(sz["manager"], kind="higher_rate_unregistered", tax_year=YEAR) == []


def test_close_to_hnte_thresholds(world, make_enterprise, add_facts) -> None:
    sz = world["sz"]
    holder = make_enterprise(name="高企证书公司", region_code="440305")
    add_facts(holder, hnte_certificate_valid=True)
    far = make_enterprise(name="研发很少公司", region_code="440305")
    add_facts(far, rd_expense=Decimal("300000"))  # 1% of revenue, needs 5%
    near = make_enterprise(name="差一点公司", region_code="440305")
    add_facts(near, rd_expense=Decimal("1250000"))  # 4.17% ≥ 5% − 1 point
    rows = outreach(sz["manager"], kind="hnte_near", tax_year=YEAR)
    assert _names(rows) == {sz["enterprise"].name, near.name}
    by_name = {r["name"]: r for r in rows}
    assert by_name[near.name]["rd_share_required"] == 0.05


def test_close_to_the_small_low_profit_cliff(world, make_enterprise, add_facts) -> None:
    sz = world["sz"]
    above = make_enterprise(name="略超三百万公司", region_code="440305")
    add_facts(above, rd_expense=Decimal("0"), rd_core_expense=Decimal("0"), rd_other_expense=Decimal("0"),
              taxable_income_before_incentives=Decimal("3200000"))
    below = make_enterprise(name="略低于三百万公司", region_code="440305")
    add_facts(below, rd_expense=Decimal("0"), rd_core_expense=Decimal("0"), rd_other_expense=Decimal("0"),
              taxable_income_before_incentives=Decimal("2900000"))
    far = make_enterprise(name="远高于公司", region_code="440305")
    add_facts(far, rd_expense=Decimal("0"), rd_core_expense=Decimal("0"), rd_other_expense=Decimal("0"),
              taxable_income_before_incentives=Decimal("9000000"))
    rows = outreach(sz["manager"], kind="slp_cliff", tax_year=YEAR)
    assert _names(rows) == {above.name, below.name}  # the demo enterprise: 2.0M after its super-deduction
    by_name = {r["name"]: r for r in rows}
    assert by_name[above.name]["above_limit_by"] == 200000.0
    assert by_name[below.name]["above_limit_by"] == -100000.0


def test_page_filters_and_export(world, make_enterprise, add_facts) -> None:
    sz = world["sz"]
    other = make_enterprise(name="福田科技公司", region_code="440304")
    add_facts(other)
    client = login(sz["manager"])
    page = client.get("/incentives/outreach/", {"list": "techsme_unregistered", "year": YEAR, "region": "440304"})
    assert page.status_code == 200
    assert _names(page.context["rows"]) == {other.name}
    xlsx = client.get("/incentives/outreach/export.xlsx", {"list": "techsme_unregistered", "year": YEAR})
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted([sz["enterprise"].name, other.name])
    csv_response = client.get("/incentives/outreach/export.csv", {"list": "hnte_near", "year": YEAR})
    assert csv_response.content.startswith("\ufeff".encode())
    # Enterprise staff have no outreach lists.
    assert login(sz["ent_admin"]).get("/incentives/outreach/").status_code == 403


def test_bulk_notification_is_audited_and_mailed(world, django_capture_on_commit_callbacks) -> None:
    sz = world["sz"]
    sz["ent_admin"].email = "boss@example.org"
    sz["ent_admin"].save()
    client = login(sz["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/incentives/outreach/notify/", {
            "list": "techsme_unregistered", "year": YEAR, "enterprise": [sz["enterprise"].pk],
            "subject": "可申请科技型中小企业评价", "body": "请登录平台查看。",
        })
    assert response.status_code == 302
    notification = Notification.objects.get()
    assert notification.recipient == sz["ent_admin"] and notification.enterprise == sz["enterprise"]
    event = AuditEvent.objects.get(verb="incentives.notify")
    assert event.actor == sz["manager"] and event.region_code == sz["enterprise"].region_code
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["boss@example.org"]
    inbox = login(sz["ent_admin"]).get("/incentives/notifications/")
    assert "可申请科技型中小企业评价" in inbox.content.decode()
    # Another region's enterprise cannot be notified, and nothing is written.
    denied = client.post("/incentives/outreach/notify/", {
        "list": "techsme_unregistered", "year": YEAR, "enterprise": [world["gz"]["enterprise"].pk],
        "subject": "x", "body": "y"})
    assert denied.status_code == 403
    assert Notification.objects.count() == 1
