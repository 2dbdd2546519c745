"""Registry writes only by the enterprise itself and the agency administrator of its region; every change audited
per field with its before and after values; a region changes only by a request the receiving agency accepts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from techsme.core.models import AuditEvent
from techsme.registry.models import AnnualFacts, Enterprise, RegionChange
from tests.registry.helpers import csv_bytes, fact_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(two_regions, make_user):
    sz = two_regions["sz"]
    province = sz["agency"].__class__.objects.create(kind="agency", level="province", region_code="440000",
                                                      name="广东省科学技术厅(测试)")
    sz["manager"] = make_user("programme_manager", province, username="gd-manager")
    return two_regions


def _api(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _import(user, rows) -> object:
    upload = SimpleUploadedFile("rows.csv", csv_bytes(rows), content_type="text/csv")
    return _api(user).post("/api/v1/imports", {"file": upload, "encoding": "utf-8"})


def test_programme_manager_cannot_overwrite_an_enterprises_facts_by_import(world):
    enterprise = world["sz"]["enterprise"]
    AnnualFacts.objects.create(enterprise=enterprise, tax_year=2024, employees=80, tech_staff=20)
    row = fact_row(1, region=enterprise.region_code, employees=5, tech_staff=1)
    row.update(uscc=enterprise.uscc, name=enterprise.name, founded_on=enterprise.founded_on.isoformat(),
               industry_code=enterprise.industry_code)
    events = AuditEvent.objects.count()
    response = _import(world["sz"]["manager"], [row])
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["uscc"], response.json()
    assert AnnualFacts.objects.get(enterprise=enterprise, tax_year=2024).employees == 80
    assert AuditEvent.objects.count() == events


def test_programme_manager_still_registers_new_enterprises_by_import(world):
    response = _import(world["sz"]["manager"], [fact_row(2, region="440305")])
    assert response.status_code == 200, response.content
    assert response.json()["enterprises_created"] == 1


def test_agency_admin_overwrites_by_import_with_before_and_after_per_field(world):
    enterprise = world["sz"]["enterprise"]
    AnnualFacts.objects.create(enterprise=enterprise, tax_year=2024, employees=80, tech_staff=20)
    row = fact_row(3, region=enterprise.region_code, employees=90, tech_staff=20)
    row.update(uscc=enterprise.uscc, name=enterprise.name, founded_on=enterprise.founded_on.isoformat(),
               industry_code=enterprise.industry_code)
    response = _import(world["sz"]["admin"], [row])
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.get(verb="registry.import_facts")
    assert event.changes["employees"] == [80, 90] and "tech_staff" not in event.changes
    assert event.actor == world["sz"]["admin"] and event.region_code == enterprise.region_code


def test_enterprise_admin_cannot_move_its_enterprise_by_api_or_page(world):
    sz = world["sz"]
    enterprise = sz["enterprise"]
    old_name = enterprise.name
    client = _api(sz["ent_admin"])
    response = client.patch(f"/api/v1/enterprises/{enterprise.pk}", {"region_code": "440106"},
                            content_type="application/json")
    assert response.status_code == 403
    response = client.patch(f"/api/v1/enterprises/{enterprise.pk}", {"region_code": "440306"},
                            content_type="application/json")
    assert response.status_code == 403  # not even inside its own city
    form = {"uscc": enterprise.uscc, "name": "新名称科技有限公司", "region_code": "440106",
            "industry_code": enterprise.industry_code, "founded_on": enterprise.founded_on.isoformat()}
    response = client.post(f"/enterprises/{enterprise.pk}/edit/", form)
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.region_code == "440305" and enterprise.name == "新名称科技有限公司"
    event = AuditEvent.objects.filter(verb="registry.update_enterprise").latest("id")
    assert event.changes == {"name": [old_name, "新名称科技有限公司"]}  # the region field was not taken


def test_agency_admin_moves_inside_its_area_but_not_across_the_border(world):
    sz = world["sz"]
    enterprise = sz["enterprise"]
    client = _api(sz["admin"])
    assert client.patch(f"/api/v1/enterprises/{enterprise.pk}", {"region_code": "440106"},
                        content_type="application/json").status_code == 403
    response = client.patch(f"/api/v1/enterprises/{enterprise.pk}", {"region_code": "440306"},
                            content_type="application/json")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(verb="registry.update_enterprise").latest("id")
    assert event.changes == {"region_code": ["440305", "440306"]}


def test_update_is_audited_per_field_with_before_and_after(world):
    sz = world["sz"]
    enterprise = sz["enterprise"]
    before_name = enterprise.name
    response = _api(sz["ent_admin"]).patch(f"/api/v1/enterprises/{enterprise.pk}",
                                           {"contact_phone": "0755-1234", "name": "甲科技有限公司"},
                                           content_type="application/json")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(verb="registry.update_enterprise").latest("id")
    assert event.changes == {"contact_phone": ["", "0755-1234"], "name": [before_name, "甲科技有限公司"]}


def test_region_change_request_is_accepted_by_the_receiving_agency(world):
    from techsme.core.hooks import todos_for
    from techsme.registry import region_changes as rc

    sz, gz = world["sz"], world["gz"]
    enterprise = sz["enterprise"]
    change = rc.do_request_region_change(actor=sz["ent_admin"], enterprise_id=enterprise.pk, to_region="440106",
                                         reason="注册地址迁至广州市天河区")
    enterprise.refresh_from_db()
    assert enterprise.region_code == "440305"  # nothing moves before the decision
    with pytest.raises(rc.Conflict):
        rc.do_request_region_change(actor=sz["ent_admin"], enterprise_id=enterprise.pk, to_region="440106",
                                    reason="again")
    # the sending agency and the enterprise cannot decide; the receiving agency has it on its to-do list
    for outsider in (sz["admin"], sz["ent_admin"], gz["reviewer"]):
        with pytest.raises((rc.PermissionDenied, rc.Http404)):
            rc.do_accept_region_change(actor=outsider, change_id=change.pk)
    assert [t.count for t in todos_for(gz["admin"]) if "region-changes" in t.url] == [1]
    assert not [t for t in todos_for(sz["admin"]) if "region-changes" in t.url and t.count]
    rc.do_accept_region_change(actor=gz["admin"], change_id=change.pk, note="欢迎")
    enterprise.refresh_from_db()
    assert enterprise.region_code == "440106" and enterprise.organisation.region_code == "440106"
    moved = AuditEvent.objects.filter(verb="registry.update_enterprise", object_id=str(enterprise.pk)).latest("id")
    assert moved.changes == {"region_code": ["440305", "440106"]} and moved.actor == gz["admin"]
    assert AuditEvent.objects.filter(verb="registry.region_change.accept", object_id=str(change.pk)).exists()
    # jurisdiction followed the enterprise
    from techsme.core.permissions import can

    assert can(gz["reviewer"], "enterprise.view", enterprise)
    assert not can(sz["reviewer"], "enterprise.view", enterprise)
    with pytest.raises(rc.Conflict):
        rc.do_reject_region_change(actor=gz["admin"], change_id=change.pk, note="late")


def test_region_change_rejected_with_a_reason_or_withdrawn(world):
    from techsme.registry import region_changes as rc

    sz, gz = world["sz"], world["gz"]
    enterprise = sz["enterprise"]
    change = rc.do_request_region_change(actor=sz["ent_admin"], enterprise_id=enterprise.pk, to_region="440106",
                                         reason="迁址")
    with pytest.raises(rc.InvalidInput):
        rc.do_reject_region_change(actor=gz["admin"], change_id=change.pk, note=" ")
    rc.do_reject_region_change(actor=gz["admin"], change_id=change.pk, note="地址材料不全")
    assert RegionChange.objects.get(pk=change.pk).state == RegionChange.State.REJECTED
    again = rc.do_request_region_change(actor=sz["ent_admin"], enterprise_id=enterprise.pk, to_region="440106",
                                        reason="补充材料后再次申请")
    for outsider in (gz["admin"], sz["reviewer"]):  # not the requester's side; a reviewer may not
        with pytest.raises((rc.PermissionDenied, rc.Http404)):
            rc.do_withdraw_region_change(actor=outsider, change_id=again.pk)
    rc.do_withdraw_region_change(actor=sz["ent_admin"], change_id=again.pk)
    assert Enterprise.objects.get(pk=enterprise.pk).region_code == "440305"
    with pytest.raises(rc.InvalidInput):
        rc.do_request_region_change(actor=sz["ent_admin"], enterprise_id=enterprise.pk, to_region="999999",
                                    reason="x")


def test_region_change_pages_for_the_enterprise_and_the_receiving_agency(world):
    sz, gz = world["sz"], world["gz"]
    enterprise = sz["enterprise"]
    ent = _api(sz["ent_admin"])
    page = ent.get(f"/enterprises/{enterprise.pk}/region/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Send the request" in page
    response = ent.post(f"/enterprises/{enterprise.pk}/region/", {"to_region": "440106", "reason": ""})
    assert response.status_code == 422 and not RegionChange.objects.exists()
    response = ent.post(f"/enterprises/{enterprise.pk}/region/", {"to_region": "440106", "reason": "迁址"})
    assert response.status_code == 302
    change = RegionChange.objects.get()
    agency = _api(gz["admin"])
    listing = agency.get("/agency/region-changes/").content.decode()
    assert enterprise.name in listing
    assert _api(sz["admin"]).get(f"/agency/region-changes/{change.pk}/").status_code == 404
    response = agency.post(f"/agency/region-changes/{change.pk}/", {"note": "ok"})  # no decision chosen
    assert response.status_code == 422
    response = agency.post(f"/agency/region-changes/{change.pk}/", {"decision": "accept", "note": "ok"})
    assert response.status_code == 302
    assert Enterprise.objects.get(pk=enterprise.pk).region_code == "440106"
