"""Log-in is refused after too many failures for one user name, or from one address, inside the window."""

import pytest
from django.test import override_settings

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip,
                       HTTP_ACCEPT_LANGUAGE="en")


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_FAILURE_WINDOW_SECONDS=600)
def test_correct_password_is_refused_after_too_many_failures(client, two_regions):
    user = two_regions["sz"]["ent_admin"]
    for _ in range(3):
        response = _login(client, user.username, "wrong-password")
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # another address does not unlock the user name
    assert _login(client, user.username, PASSWORD, ip="10.9.9.9").status_code == 429


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_FAILURE_WINDOW_SECONDS=600)
def test_unknown_user_names_are_counted_too(client, db):
    for _ in range(3):
        assert _login(client, "nobody-here", "x").status_code == 200
    assert _login(client, "nobody-here", "x").status_code == 429
    assert _login(client, "NOBODY-here", "x").status_code == 429  # same name, other case


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_FAILURE_WINDOW_SECONDS=600)
def test_many_failures_from_one_address_block_it(client, two_regions):
    for i in range(12):  # 4 × the per-user limit, each with a different name
        _login(client, f"guess-{i}", "x", ip="10.1.1.1")
    user = two_regions["sz"]["ent_admin"]
    assert _login(client, user.username, PASSWORD, ip="10.1.1.1").status_code == 429
    assert _login(client, user.username, PASSWORD, ip="10.2.2.2").status_code == 302


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_FAILURE_WINDOW_SECONDS=600)
def test_success_before_the_limit_resets_the_count(client, two_regions):
    user = two_regions["sz"]["ent_admin"]
    _login(client, user.username, "bad")
    _login(client, user.username, "bad")
    assert _login(client, user.username, PASSWORD).status_code == 302
    client.post("/logout/")
    _login(client, user.username, "bad")
    _login(client, user.username, "bad")
    assert _login(client, user.username, PASSWORD).status_code == 302


def test_login_redirects_to_safe_next_only(client, two_regions):
    user = two_regions["sz"]["ent_admin"]
    response = client.post("/login/", {"username": user.username, "password": PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    client.post("/logout/")
    response = client.post("/login/", {"username": user.username, "password": PASSWORD, "next": "/account/tokens/"})
    assert response["Location"] == "/account/tokens/"
