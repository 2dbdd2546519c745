"""The working-day table is editable in the admin (superusers, audited); filings are read-only and scoped."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from techsme.core.models import AuditEvent
from techsme.evaluation.models import WorkdayOverride

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_superuser_adds_a_workday_override(django_user_model) -> None:
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x-pass-2026")
    page = _client(root).post(reverse("admin:evaluation_workdayoverride_add"),
                              {"date": "2040-01-02", "is_workday": "", "note": "New Year (observed)"})
    assert page.status_code == 302
    override = WorkdayOverride.objects.get()
    assert override.date == date(2040, 1, 2) and not override.is_workday
    assert AuditEvent.objects.filter(verb="admin.add", object_type="evaluation.workdayoverride").exists()


def test_filings_are_read_only_and_scoped(flow) -> None:
    sz, gz = flow.submitted("sz"), flow.submitted("gz")
    client = _client(flow["sz"]["admin"])
    listing = client.get(reverse("admin:evaluation_filing_changelist")).content.decode()
    assert sz.enterprise.name in listing and gz.enterprise.name not in listing
    change = client.post(reverse("admin:evaluation_filing_change", args=[sz.pk]), {"state": "registered"})
    assert change.status_code == 403
    sz.refresh_from_db()
    assert sz.state == "submitted"
    assert client.get(reverse("admin:evaluation_workdayoverride_changelist")).status_code == 403
