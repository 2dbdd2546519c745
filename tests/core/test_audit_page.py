"""The audit page (/audit/): works for superusers and agency administrators, shows each agency its region only,
filters by object, actor, action and dates, pages by 50 and shows changes readably in both languages."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from techsme.core import audit
from techsme.core.models import AuditEvent
from techsme.registry.services import do_save_ip_asset, do_update_enterprise

URL = reverse("web:audit")


@pytest.fixture
def history(two_regions, django_user_model):
    sz, gz = two_regions["sz"], two_regions["gz"]
    do_update_enterprise(actor=sz["admin"], enterprise_id=sz["enterprise"].pk, changes={"name": "深圳新名称有限公司"})
    do_update_enterprise(actor=gz["admin"], enterprise_id=gz["enterprise"].pk, changes={"name": "广州新名称有限公司"})
    asset = do_save_ip_asset(actor=sz["admin"], enterprise_id=sz["enterprise"].pk, data={
        "kind": "invention_patent", "number": "ZL202010000001.1", "title": "测量方法", "status": "pending",
        "related_to_main_products": True})
    with transaction.atomic():  # a change keyed by a reverse relation (ip_assets) made this page answer 500
        audit.record(actor=sz["admin"], verb="registry.touch", obj=sz["enterprise"],
                     changes={"ip_assets": [0, 1], "region_code": ["440305", "440306"]})
    return {"sz": sz, "gz": gz, "asset": asset}


def test_superuser_sees_every_region(client, history, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x-pass-2026")
    client.force_login(root)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "深圳新名称有限公司" in body and "广州新名称有限公司" in body


def test_agency_admin_sees_their_region_only(client, history):
    client.force_login(history["sz"]["admin"])
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "深圳新名称有限公司" in body
    assert "广州新名称有限公司" not in body
    client.force_login(history["gz"]["admin"])
    body = client.get(URL).content.decode()
    assert "广州新名称有限公司" in body and "深圳新名称有限公司" not in body


def test_roles_without_the_right_are_refused(client, history):
    for role in ("reviewer", "ent_admin"):
        client.force_login(history["sz"][role])
        assert client.get(URL).status_code == 403


def test_changes_are_readable(client, history):
    client.force_login(history["sz"]["admin"])
    with translation.override("en"):
        body = client.get(URL, {"object_type": "registry.ipasset"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "<strong>status</strong>" in body and "Pending" in body  # the choice's label, not "pending"
        assert "<strong>related to main products</strong>" in body and "yes" in body
        body = client.get(URL, {"verb": "registry.touch"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "<strong>IP assets</strong>" in body  # the reverse relation's name
        assert "南山区" in body and "宝安区" in body  # region codes by name
        assert "440306" not in body.split("<tbody>")[1]


def test_chinese_page(client, history):
    client.force_login(history["sz"]["admin"])
    body = client.get(URL, {"object_type": "registry.enterprise"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "审计日志" in body
    assert "名称" in body  # the field label of Enterprise.name in Chinese


def test_filters_by_object_actor_and_dates(client, history, make_user):
    sz = history["sz"]
    other_admin = make_user("agency_admin", sz["agency"], username="sz-admin-2")
    do_update_enterprise(actor=other_admin, enterprise_id=sz["enterprise"].pk, changes={"name": "第三个名称有限公司"})
    client.force_login(sz["admin"])
    by_object = client.get(URL, {"object_type": "registry.ipasset", "object_id": str(history["asset"].pk)})
    assert [r["event"].verb for r in by_object.context["rows"]] == ["registry.save_ip_asset"]
    by_actor = client.get(URL, {"actor": "sz-admin-2"})
    assert [r["event"].actor_id for r in by_actor.context["rows"]] == [other_admin.pk]
    today = timezone.localdate()
    AuditEvent.objects.filter(verb="registry.touch").update(occurred_at=timezone.now() - timedelta(days=10))
    recent = client.get(URL, {"since": today.isoformat(), "until": today.isoformat()})
    assert recent.context["rows"] and all(r["event"].verb != "registry.touch" for r in recent.context["rows"])
    old = client.get(URL, {"until": (today - timedelta(days=5)).isoformat()})
    assert [r["event"].verb for r in old.context["rows"]] == ["registry.touch"]


def test_bad_dates_are_explained(client, history):
    client.force_login(history["sz"]["admin"])
    with translation.override("en"):
        response = client.get(URL, {"since": "2026-13-01", "until": "x" * 500}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert len(response.context["errors"]) == 2
    assert "is not a date" in response.content.decode()
    response = client.get(URL, {"since": "2026-05-02", "until": "2026-05-01"})
    assert len(response.context["errors"]) == 1


def test_pages_of_fifty(client, two_regions):
    sz = two_regions["sz"]
    for _ in range(55):
        with transaction.atomic():
            audit.record(actor=sz["admin"], verb="registry.touch", obj=sz["enterprise"])
    client.force_login(sz["admin"])
    first = client.get(URL)
    assert len(first.context["rows"]) == 50 and first.context["total"] == 55
    second = client.get(URL, {"page": "2"})
    assert len(second.context["rows"]) == 5
    assert client.get(URL, {"page": "999"}).status_code == 200
