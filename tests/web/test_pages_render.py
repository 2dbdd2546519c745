"""Each page renders for the role it is for and refuses (403/404) the others."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_is_public_and_explains_the_services(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    for words in ("Tech-SME evaluation", "Tax incentives", "Policy consultation", "Innovation vouchers",
                  "Shared instruments", "Technology transfer", "Finance"):
        assert words in body
    assert '<html lang="en">' in body


def test_login_page_renders(client):
    assert client.get(reverse("web:login")).status_code == 200


def test_pages_need_login(client, two_regions):
    enterprise = two_regions["sz"]["enterprise"]
    for url in ("/dashboard/", f"/enterprises/{enterprise.pk}/", "/agency/", "/audit/", "/account/tokens/",
                "/registry/import/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_dashboard_routes_enterprise_user_to_their_enterprise(client, two_regions):
    sz = two_regions["sz"]
    client.force_login(sz["ent_admin"])
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:enterprise", args=[sz["enterprise"].pk])


def test_dashboard_routes_agency_staff_to_agency_page(client, two_regions):
    client.force_login(two_regions["sz"]["reviewer"])
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"] == reverse("web:agency")


def test_dashboard_for_other_roles_lists_organisations(client, make_org, make_user):
    bank = make_org("bank", "440300", name="招商测试银行")
    officer = make_user("bank_officer", bank)
    client.force_login(officer)
    response = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "招商测试银行" in response.content.decode()
    assert "Bank officer" in response.content.decode() or "bank_officer" in response.content.decode()


def test_enterprise_page_shows_profile_names(client, two_regions):
    sz = two_regions["sz"]
    client.force_login(sz["ent_admin"])
    response = client.get(f"/enterprises/{sz['enterprise'].pk}/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert sz["enterprise"].name in body and sz["enterprise"].uscc in body
    assert "深圳市" in body and "南山区" in body  # region name via refdata
    assert "I6513" in body


def test_agency_page_for_agency_staff_only(client, two_regions):
    client.force_login(two_regions["sz"]["ent_admin"])
    assert client.get("/agency/").status_code == 403
    client.force_login(two_regions["sz"]["reviewer"])
    assert client.get("/agency/").status_code == 200


def test_audit_page_for_agency_admins_only(client, two_regions):
    client.force_login(two_regions["sz"]["reviewer"])
    assert client.get("/audit/").status_code == 403
    client.force_login(two_regions["sz"]["ent_admin"])
    assert client.get("/audit/").status_code == 403
    client.force_login(two_regions["sz"]["admin"])
    assert client.get("/audit/").status_code == 200


def test_import_page_for_import_roles_only(client, two_regions):
    client.force_login(two_regions["sz"]["reviewer"])
    assert client.get("/registry/import/").status_code == 403
    client.force_login(two_regions["sz"]["admin"])
    assert client.get("/registry/import/").status_code == 200


def test_profile_edit_needs_edit_right(client, two_regions, make_user):
    sz = two_regions["sz"]
    member = make_user("enterprise_member", sz["enterprise"].organisation)
    client.force_login(member)
    assert client.get(f"/enterprises/{sz['enterprise'].pk}/edit/").status_code == 403
    client.force_login(sz["ent_admin"])
    assert client.get(f"/enterprises/{sz['enterprise'].pk}/edit/").status_code == 200


def test_profile_edit_saves_through_the_service(client, two_regions):
    sz = two_regions["sz"]
    e = sz["enterprise"]
    client.force_login(sz["ent_admin"])
    data = {"uscc": e.uscc, "name": e.name, "region_code": e.region_code, "industry_code": e.industry_code,
            "founded_on": "2015-03-01", "address": "深圳市南山区科技园 1 号", "contact_name": "王经理",
            "contact_phone": "0755-12345678", "contact_email": "wang@example.com"}
    response = client.post(f"/enterprises/{e.pk}/edit/", data)
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.address == "深圳市南山区科技园 1 号"
    bad = dict(data, region_code="440106")  # moving the enterprise to Guangzhou: stays, it is its own org
    bad["industry_code"] = "Z9999"
    response = client.post(f"/enterprises/{e.pk}/edit/", bad, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    e.refresh_from_db()
    assert e.industry_code == "I6513"


def test_reviewer_sees_enterprise_but_cannot_edit_facts(client, two_regions):
    sz = two_regions["sz"]
    client.force_login(sz["reviewer"])
    assert client.get(f"/enterprises/{sz['enterprise'].pk}/").status_code == 200
    assert client.get(f"/enterprises/{sz['enterprise'].pk}/facts/2024/").status_code == 403


def test_facts_year_must_be_sensible(client, two_regions):
    sz = two_regions["sz"]
    client.force_login(sz["ent_admin"])
    pk = sz["enterprise"].pk
    assert client.get(f"/enterprises/{pk}/facts/2014/").status_code == 404  # before founding (2015)
    assert client.get(f"/enterprises/{pk}/facts/2999/").status_code == 404
    assert client.get(f"/enterprises/{pk}/facts/2015/").status_code == 200


def test_error_pages_use_our_templates(client, two_regions):
    client.force_login(two_regions["sz"]["ent_admin"])
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404 and "Page not found" in response.content.decode()
    response = client.get("/agency/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403 and "Access denied" in response.content.decode()


def test_ip_asset_add_and_edit(client, two_regions):
    sz = two_regions["sz"]
    pk = sz["enterprise"].pk
    client.force_login(sz["ent_admin"])
    data = {"kind": "invention_patent", "number": "ZL202310000001.X", "title": "一种测试方法",
            "granted_on": "2023-05-01", "status": "valid", "related_to_main_products": "on"}
    assert client.post(f"/enterprises/{pk}/ip/new/", data).status_code == 302
    asset = sz["enterprise"].ip_assets.get()
    assert asset.title == "一种测试方法"
    page = client.get(f"/enterprises/{pk}/").content.decode()
    assert "ZL202310000001.X" in page
    response = client.post(f"/enterprises/{pk}/ip/{asset.pk}/", dict(data, title="一种改进的测试方法"))
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.title == "一种改进的测试方法"
    future = client.post(f"/enterprises/{pk}/ip/new/", dict(data, number="ZL2", granted_on="2999-01-01"))
    assert future.status_code == 422
    assert sz["enterprise"].ip_assets.count() == 1


def test_agency_counts_by_district_and_size(client, two_regions, make_enterprise):
    from techsme.registry.services import do_save_facts

    e = make_enterprise(region_code="440304")  # 福田区
    do_save_facts(actor=two_regions["sz"]["admin"], enterprise_id=e.pk, tax_year=2024, values={"employees": 50})
    client.force_login(two_regions["sz"]["reviewer"])
    response = client.get("/agency/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert "福田区" in body and "南山区" in body
    sizes = {row["key"]: row["count"] for row in response.context["size_rows"]}
    assert sizes["21-100"] == 1 and response.context["total"] == 2
    assert client.get("/agency/?size=21-100").context["page"].paginator.count == 1


def test_agency_list_paginates_by_50_and_sorts(client, two_regions, make_enterprise):
    for i in range(55):
        make_enterprise(name=f"分页测试{i:02d}", region_code="440305", with_org=False)
    client.force_login(two_regions["sz"]["reviewer"])
    first = client.get("/agency/?q=分页测试")
    assert len(first.context["rows"]) == 50 and first.context["page"].paginator.num_pages == 2
    second = client.get("/agency/?q=分页测试&page=2")
    assert len(second.context["rows"]) == 5
    names = [r["e"].name for r in client.get("/agency/?q=分页测试&sort=-name").context["rows"]]
    assert names[0] == "分页测试54" and names == sorted(names, reverse=True)
