"""The Django admin signs in through the platform's rate-limited login page."""

from django.test import Client

from tests.conftest import PASSWORD


def test_admin_login_redirects_to_the_throttled_login(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/admin/")


def test_posting_to_the_admin_login_cannot_sign_in(two_regions):
    admin = two_regions["sz"]["admin"]
    client = Client()
    response = client.post("/admin/login/", {"username": admin.username, "password": PASSWORD})
    assert response.status_code in (301, 302)
    assert "_auth_user_id" not in client.session


def test_the_admin_is_locked_after_repeated_failures_like_every_login(two_regions, settings):
    admin = two_regions["sz"]["admin"]
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": admin.username, "password": "wrong"})
    client.post("/login/?next=/admin/", {"username": admin.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
