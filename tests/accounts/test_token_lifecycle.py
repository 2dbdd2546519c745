"""API tokens expire (default and maximum in the settings), record their last use, can be revoked; the key is shown
once; an expired or revoked token answers 401 with the reason."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from techsme.accounts.models import ApiToken
from techsme.accounts.services import do_create_api_token, do_revoke_api_token
from techsme.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def _me(key: str):
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})


def test_a_token_expires_after_the_default_lifetime(two_regions, settings):
    before = timezone.now()
    token, _key = do_create_api_token(actor=two_regions["sz"]["reviewer"], name="cli")
    lifetime = token.expires_at - before
    assert timedelta(days=settings.API_TOKEN_DEFAULT_DAYS) <= lifetime < timedelta(days=settings.API_TOKEN_DEFAULT_DAYS,
                                                                                   minutes=1)


@pytest.mark.parametrize("days", [0, -3, 366, 10_000])
def test_a_lifetime_outside_one_day_to_the_maximum_is_refused(two_regions, settings, days):
    settings.API_TOKEN_MAX_DAYS = 365
    with pytest.raises(InvalidInput):
        do_create_api_token(actor=two_regions["sz"]["reviewer"], name="cli", days=days)
    assert not ApiToken.objects.exists()


def test_an_expired_token_answers_401_with_the_reason(two_regions):
    token, key = do_create_api_token(actor=two_regions["sz"]["reviewer"], name="cli", days=1)
    assert _me(key).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _me(key)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_revoked_token_answers_401_with_the_reason(two_regions):
    user = two_regions["sz"]["reviewer"]
    token, key = do_create_api_token(actor=user, name="cli")
    do_revoke_api_token(actor=user, token_id=token.pk)
    response = _me(key)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_last_use_is_recorded_at_most_once_a_minute(two_regions):
    token, key = do_create_api_token(actor=two_regions["sz"]["reviewer"], name="cli")
    assert token.last_used_at is None
    _me(key)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    _me(key)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    _me(key)
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)


def test_the_agency_admin_revokes_a_members_token_but_not_others(two_regions):
    member = two_regions["sz"]["reviewer"]
    token, key = do_create_api_token(actor=member, name="cli")
    with pytest.raises(PermissionDenied):
        do_revoke_api_token(actor=two_regions["gz"]["admin"], token_id=token.pk)
    revoked = do_revoke_api_token(actor=two_regions["sz"]["admin"], token_id=token.pk)
    assert revoked.revoked_by == two_regions["sz"]["admin"]
    assert _me(key).status_code == 401


def test_the_page_shows_the_key_once_with_expiry_and_status(two_regions):
    client = Client()
    client.force_login(two_regions["sz"]["reviewer"])
    response = client.post("/account/tokens/", {"name": "laptop", "days": "30"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    token = ApiToken.objects.get(name="laptop")
    page = response.content.decode()
    assert token.key_prefix in page and page.count("tsme_") >= 1
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    with override("en"):
        again = client.get("/account/tokens/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    key_line = next(line for line in page.splitlines() if 'id="new-key"' in line)
    key = key_line.split(">")[1].split("<")[0]
    assert key.startswith("tsme_") and key not in again  # shown once
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert "expired" in client.get("/account/tokens/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_page_refuses_a_lifetime_above_the_maximum(two_regions, settings):
    client = Client()
    client.force_login(two_regions["sz"]["reviewer"])
    response = client.post("/account/tokens/", {"name": "laptop", "days": str(settings.API_TOKEN_MAX_DAYS + 1)})
    assert response.status_code == 422 and not ApiToken.objects.exists()
