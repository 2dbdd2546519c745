"""The admin goes through the permission module: scoped lists, read-only registry and audit, audited writes."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from techsme.accounts.models import Organisation
from techsme.core.audit import verify_chain
from techsme.core.models import AuditEvent

# The Chinese labels checked below come from the compiled catalogues: `make test` compiles them first; a bare pytest
# run on a fresh checkout compiles them here, at collection, before any catalogue is loaded.
call_command("compile_messages", stdout=StringIO())


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "x-pass-2026")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_city_agency_admin_sees_only_its_region(two_regions):
    client = _client(two_regions["sz"]["admin"])
    page = client.get(reverse("admin:registry_enterprise_changelist"))
    assert page.status_code == 200
    assert two_regions["sz"]["enterprise"].uscc in page.content.decode()
    assert two_regions["gz"]["enterprise"].uscc not in page.content.decode()
    inside = client.get(reverse("admin:registry_enterprise_change", args=[two_regions["sz"]["enterprise"].pk]))
    assert inside.status_code == 200
    outside = client.get(reverse("admin:registry_enterprise_change", args=[two_regions["gz"]["enterprise"].pk]))
    assert outside.status_code == 302  # "does not exist" for the admin: out of scope
    assert two_regions["gz"]["enterprise"].name not in client.get(outside.url, follow=True).content.decode()


def test_registry_admin_is_read_only_for_everyone(two_regions, root):
    enterprise = two_regions["sz"]["enterprise"]
    for user in (two_regions["sz"]["admin"], root):
        client = _client(user)
        url = reverse("admin:registry_enterprise_change", args=[enterprise.pk])
        assert 'name="_save"' not in client.get(url).content.decode()
        client.post(url, {"name": "改名"})
        enterprise.refresh_from_db()
        assert enterprise.name != "改名"
        assert client.get(reverse("admin:registry_enterprise_add")).status_code == 403
        assert client.get(reverse("admin:registry_enterprise_delete", args=[enterprise.pk])).status_code == 403


def test_audit_events_cannot_be_added_changed_or_deleted(two_regions, root, make_org):
    client = _client(root)
    org = make_org("agency", "440300", "city", name="机构甲")
    client.post(
        reverse("admin:accounts_organisation_change", args=[org.pk]),
        {"kind": "agency", "name": "机构乙", "level": "city", "region_code": "440300"},
    )
    org.refresh_from_db()
    assert org.name == "机构乙"
    event = AuditEvent.objects.get(verb="admin.change", object_id=str(org.pk))
    assert event.changes == {"name": ["机构甲", "机构乙"]}
    assert verify_chain().ok

    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
    change_page = client.get(reverse("admin:core_auditevent_change", args=[event.pk])).content.decode()
    assert 'name="_save"' not in change_page
    changelist = reverse("admin:core_auditevent_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [event.pk]})
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_agency_admin_cannot_change_organisations_or_see_tokens(two_regions):
    client = _client(two_regions["sz"]["admin"])
    org = two_regions["gz"]["agency"]
    assert client.get(reverse("admin:accounts_organisation_change", args=[org.pk])).status_code == 302
    own = two_regions["sz"]["agency"]
    client.post(reverse("admin:accounts_organisation_change", args=[own.pk]),
                {"kind": "agency", "name": "x", "level": "city", "region_code": "440300"})
    assert Organisation.objects.get(pk=own.pk).name == own.name
    assert client.get(reverse("admin:accounts_apitoken_changelist")).status_code == 403
    assert client.get(reverse("admin:core_job_changelist")).status_code == 403


def test_audit_list_is_scoped_by_region(two_regions, root):
    from techsme.accounts.services import do_add_member

    for key in ("sz", "gz"):
        do_add_member(actor=root, organisation=two_regions[key]["agency"], user=two_regions[key]["reviewer"],
                      role="programme_manager")
    page = _client(two_regions["sz"]["admin"]).get(reverse("admin:core_auditevent_changelist")).content.decode()
    assert "sz-reviewer" in page and "gz-reviewer" not in page


def test_non_staff_cannot_enter_the_admin(two_regions):
    client = _client(two_regions["sz"]["ent_admin"])
    assert client.get(reverse("admin:index")).status_code == 302


def test_superuser_creates_a_user_in_the_admin_audited_without_the_password(root):
    from techsme.accounts.models import User

    client = _client(root)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "newcomer", "password1": "Long-enough-pass-2026", "password2": "Long-enough-pass-2026",
         "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newcomer")
    event = AuditEvent.objects.get(verb="admin.add", object_id=str(user.pk))
    assert "Long-enough-pass-2026" not in str(event.changes)
    assert event.actor == root
    assert verify_chain().ok


def test_staff_without_superuser_cannot_see_users(two_regions):
    client = _client(two_regions["sz"]["admin"])
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_admin_speaks_chinese_and_english(root, two_regions):
    client = _client(root)
    zh = client.get(reverse("admin:index"), headers={"Accept-Language": "zh-hans"}).content.decode()
    for label in ("组织", "成员关系", "API 令牌", "审计记录", "补充行政区划代码"):
        assert label in zh
    en = client.get(reverse("admin:index"), headers={"Accept-Language": "en"}).content.decode()
    for label in ("Organisations", "Memberships", "API tokens", "Audit events"):
        assert label in en
    roles = client.get(reverse("admin:accounts_membership_add"), headers={"Accept-Language": "zh-hans"})
    assert "企业管理员" in roles.content.decode() and "审核人员" in roles.content.decode()


def test_superuser_changes_a_user_in_the_admin(root, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("someone", password="x-pass-2026")
    group = Group.objects.create(name="g")
    response = _client(root).post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {"username": "someone", "display_name": "某人", "is_active": "on", "groups": [group.pk],
         "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(verb="admin.change", object_id=str(user.pk))
    assert event.changes["display_name"] == ["", "某人"]
    assert event.changes["groups"] == ["…", "…"]
    assert verify_chain().ok
