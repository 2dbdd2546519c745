"""Nobody sees or changes an enterprise outside their scope by editing the id in the address."""

import pytest

pytestmark = pytest.mark.django_db


def test_enterprise_user_cannot_open_another_enterprise(client, two_regions, make_enterprise):
    a = two_regions["sz"]
    other = make_enterprise(name="乙方保密科技有限公司", region_code="440305")  # same district, other organisation
    client.force_login(a["ent_admin"])
    for url in (f"/enterprises/{other.pk}/", f"/enterprises/{other.pk}/facts/2024/", f"/enterprises/{other.pk}/edit/",
                f"/enterprises/{other.pk}/ip/new/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "乙方保密科技有限公司" not in response.content.decode()
    response = client.post(f"/enterprises/{other.pk}/facts/2024/", {"employees": "10"})
    assert response.status_code == 404
    assert not other.facts.exists()


def test_shenzhen_reviewer_cannot_open_guangzhou_enterprise(client, two_regions):
    gz_enterprise = two_regions["gz"]["enterprise"]
    client.force_login(two_regions["sz"]["reviewer"])
    response = client.get(f"/enterprises/{gz_enterprise.pk}/")
    assert response.status_code == 404
    assert gz_enterprise.name not in response.content.decode()
    assert client.get(f"/enterprises/{two_regions['sz']['enterprise'].pk}/").status_code == 200


def test_agency_list_never_shows_out_of_scope_enterprises(client, two_regions, make_enterprise):
    inside = make_enterprise(name="深圳范围内科技公司", region_code="440305")
    outside = make_enterprise(name="广州范围外科技公司", region_code="440106")
    client.force_login(two_regions["sz"]["reviewer"])
    for query in ("", "?q=科技", "?region=44", "?region=4401", f"?q={outside.uscc}", "?industry=I",
                  "?sort=-employees", "?sort=region"):
        body = client.get("/agency/" + query).content.decode()
        assert outside.name not in body, query
        assert two_regions["gz"]["enterprise"].name not in body, query
    body = client.get("/agency/?q=深圳范围内").content.decode()
    assert inside.name in body


def test_agency_admin_of_guangzhou_cannot_edit_shenzhen_facts(client, two_regions):
    sz_enterprise = two_regions["sz"]["enterprise"]
    client.force_login(two_regions["gz"]["admin"])
    assert client.post(f"/enterprises/{sz_enterprise.pk}/facts/2024/", {"employees": "5"}).status_code == 404
    assert not sz_enterprise.facts.exists()


def test_audit_trail_shows_only_events_in_scope(client, two_regions):
    from techsme.registry.services import do_save_facts

    sz, gz = two_regions["sz"], two_regions["gz"]
    do_save_facts(actor=sz["ent_admin"], enterprise_id=sz["enterprise"].pk, tax_year=2024, values={"employees": 11})
    do_save_facts(actor=gz["ent_admin"], enterprise_id=gz["enterprise"].pk, tax_year=2024, values={"employees": 22})
    client.force_login(sz["admin"])
    body = client.get("/audit/").content.decode()
    assert sz["enterprise"].name in body
    assert gz["enterprise"].name not in body


def test_job_page_only_for_its_owner(client, two_regions):
    from techsme.core.models import Job

    job = Job.objects.create(kind="registry.import", owner=two_regions["sz"]["admin"], progress=40, message="half")
    client.force_login(two_regions["sz"]["reviewer"])
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    client.force_login(two_regions["sz"]["admin"])
    data = client.get(f"/jobs/{job.pk}/?format=json").json()
    assert data["progress"] == 40 and data["status"] == "queued" and data["finished"] is False
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "<progress" in page and 'value="40"' in page


def test_enterprise_history_collects_profile_facts_and_ip_events(client, two_regions):
    from techsme.registry.services import do_save_facts

    sz, gz = two_regions["sz"], two_regions["gz"]
    do_save_facts(actor=sz["ent_admin"], enterprise_id=sz["enterprise"].pk, tax_year=2024, values={"employees": 11})
    client.force_login(sz["admin"])
    page = client.get(f"/enterprises/{sz['enterprise'].pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/audit/?enterprise={sz['enterprise'].pk}" in page
    body = client.get(f"/audit/?enterprise={sz['enterprise'].pk}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "registry.save_facts" in body and "employees" in body
    assert client.get(f"/audit/?enterprise={gz['enterprise'].pk}").status_code == 404
