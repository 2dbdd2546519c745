"""Sign-in throttling (django-axes): per account and address, growing delays, unlock by time, e-mail or an admin."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from techsme.accounts import signin
from techsme.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip,
                       HTTP_ACCEPT_LANGUAGE="en")


def _fail(client: Client, username: str, times: int, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert _login(client, username, "wrong-password", ip).status_code in (200, 429)


@pytest.fixture
def officer(two_regions):
    user = two_regions["sz"]["reviewer"]
    user.email = "officer@example.cn"
    user.save()
    return user


def test_the_limit_locks_the_account_at_that_address_only(officer, settings):
    attacker, owner = Client(), Client()
    _fail(attacker, officer.username, settings.AXES_FAILURE_LIMIT, ip="203.0.113.9")
    locked = _login(attacker, officer.username, PASSWORD, ip="203.0.113.9")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in attacker.session
    # the officer, at their own address, is not locked out by someone else's guessing
    assert _login(owner, officer.username, PASSWORD, ip="10.20.30.40").status_code == 302


def test_fewer_failures_than_the_limit_do_not_lock(officer, settings):
    client = Client()
    _fail(client, officer.username, settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, officer.username, PASSWORD).status_code == 302


def test_the_user_name_is_counted_whatever_its_case(officer, settings):
    client = Client()
    for index in range(settings.AXES_FAILURE_LIMIT):
        name = officer.username.upper() if index % 2 else officer.username
        _login(client, name, "wrong")
    assert _login(client, officer.username, PASSWORD).status_code == 429


def test_delays_grow_with_each_lockout_of_the_day(officer, settings):
    from axes.models import AccessFailureLog

    assert signin.lock_delay(0) == signin.LOCK_BASE
    assert signin.lock_delay(1) == 2 * signin.LOCK_BASE
    assert signin.lock_delay(3) == 8 * signin.LOCK_BASE
    assert signin.lock_delay(40) == signin.LOCK_MAX
    client = Client()
    _fail(client, officer.username, settings.AXES_FAILURE_LIMIT, ip="198.51.100.7")
    assert AccessFailureLog.objects.filter(ip_address="198.51.100.7", locked_out=True).count() >= 1
    first = signin.lock_delay(signin.recent_lockouts(officer.username, "198.51.100.7"))
    assert first == 2 * signin.LOCK_BASE  # the next lockout of this pair will last twice as long
    assert signin.recent_lockouts(officer.username, "192.0.2.1") == 0  # other addresses keep the base delay


def test_the_lock_expires_with_time(officer, settings):
    from axes.models import AccessAttempt, AccessAttemptExpiration

    client = Client()
    _fail(client, officer.username, settings.AXES_FAILURE_LIMIT)
    assert _login(client, officer.username, PASSWORD).status_code == 429
    later = signin.lock_delay(signin.recent_lockouts(officer.username, "10.0.0.1")) + timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=timezone.now() - later)  # as if the delay had passed
    AccessAttemptExpiration.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _login(client, officer.username, PASSWORD).status_code == 302


def test_the_owner_is_mailed_an_unlock_link_once(officer, settings, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _fail(client, officer.username, settings.AXES_FAILURE_LIMIT + 2)
    mails = [m for m in mail.outbox if officer.email in m.to]
    assert len(mails) == 1
    link = next(line for line in mails[0].body.splitlines() if "/login/unlock/" in line).strip()
    path = link[link.index("/login/unlock/"):]
    assert _login(client, officer.username, PASSWORD).status_code == 429
    assert client.get(path).status_code == 302
    assert _login(client, officer.username, PASSWORD).status_code == 302


def test_a_forged_unlock_link_does_nothing(officer, settings):
    client = Client()
    _fail(client, officer.username, settings.AXES_FAILURE_LIMIT)
    forged = signin.unlock_token(officer.username)[:-3] + "abc"
    client.get(f"/login/unlock/{forged}/")
    assert _login(client, officer.username, PASSWORD).status_code == 429


def test_the_agency_admin_unlocks_a_member_and_it_is_audited(officer, two_regions, settings):
    client = Client()
    _fail(client, officer.username, settings.AXES_FAILURE_LIMIT)
    other_admin = two_regions["gz"]["admin"]
    with pytest.raises(PermissionDenied):
        signin.do_unlock_login(actor=other_admin, username=officer.username)
    assert _login(client, officer.username, PASSWORD).status_code == 429
    admin = Client()
    admin.force_login(two_regions["sz"]["admin"])
    assert admin.post("/account/unlock-sign-in/", {"username": officer.username}).status_code == 302
    assert AuditEvent.objects.filter(verb="accounts.unlock_login", object_id=str(officer.pk)).exists()
    assert _login(client, officer.username, PASSWORD).status_code == 302


def test_unknown_user_names_are_throttled_too(db, settings):
    client = Client()
    _fail(client, "nobody-here", settings.AXES_FAILURE_LIMIT)
    assert _login(client, "nobody-here", "x").status_code == 429


def test_success_before_the_limit_resets_the_count(officer, settings):
    client = Client()
    _fail(client, officer.username, settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, officer.username, PASSWORD).status_code == 302
    client.post("/logout/")
    _fail(client, officer.username, settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, officer.username, PASSWORD).status_code == 302


def test_login_redirects_to_safe_next_only(officer):
    client = Client()
    response = client.post("/login/", {"username": officer.username, "password": PASSWORD,
                                       "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    client.post("/logout/")
    response = client.post("/login/", {"username": officer.username, "password": PASSWORD,
                                       "next": "/account/tokens/"})
    assert response["Location"] == "/account/tokens/"
