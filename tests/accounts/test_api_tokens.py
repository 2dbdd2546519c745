"""Personal API tokens: created and revoked by their owner, bearer authentication, CSRF on session writes."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from techsme.accounts.models import ApiToken
from techsme.accounts.services import do_create_api_token, do_revoke_api_token
from techsme.core.errors import Conflict
from techsme.core.models import AuditEvent


@pytest.fixture
def reviewer(make_org, make_user):
    return make_user("agency_reviewer", make_org("agency", "440300", "city"), username="rev", display_name="审核员")


def _me(token: str):
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_create_stores_only_the_hash(reviewer):
    token, key = do_create_api_token(actor=reviewer, name="  laptop  ")
    assert key.startswith("tsme_") and len(key) > 40
    assert token.name == "laptop"
    assert token.key_hash == ApiToken.hash_key(key) and key not in (token.key_hash, token.key_prefix)
    assert key.startswith(token.key_prefix)
    assert AuditEvent.objects.filter(verb="accounts.create_api_token", object_id=str(token.pk)).exists()


def test_bearer_token_authenticates_me(reviewer):
    token, key = do_create_api_token(actor=reviewer, name="cli")
    response = _me(key)
    assert response.status_code == 200
    assert response.json() == {
        "username": "rev", "display_name": "审核员", "roles": ["agency_reviewer"], "region_prefixes": ["4403"],
    }
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused(reviewer):
    token, key = do_create_api_token(actor=reviewer, name="cli")
    do_revoke_api_token(actor=reviewer, token_id=token.pk)
    assert _me(key).status_code == 401
    with pytest.raises(Conflict):
        do_revoke_api_token(actor=reviewer, token_id=token.pk)
    assert AuditEvent.objects.filter(verb="accounts.revoke_api_token").count() == 1


def test_only_the_owner_revokes(reviewer, make_user, make_org):
    token, key = do_create_api_token(actor=reviewer, name="cli")
    other = make_user("agency_reviewer", make_org("agency", "440100", "city"))
    with pytest.raises(PermissionDenied):
        do_revoke_api_token(actor=other, token_id=token.pk)
    assert _me(key).status_code == 200


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer tsme_not-a-real-key", "Bearer abc", "Basic dXNlcjpwYXNz"])
def test_missing_or_wrong_token_is_401(db, header):
    headers = {"Authorization": header} if header else {}
    assert Client().get("/api/v1/me", headers=headers).status_code == 401


def test_token_of_an_inactive_user_is_refused(reviewer):
    _, key = do_create_api_token(actor=reviewer, name="cli")
    reviewer.is_active = False
    reviewer.save()
    assert _me(key).status_code == 401


def test_session_works_for_reads(reviewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    assert client.get("/api/v1/me").status_code == 200


def test_session_without_csrf_cannot_write(reviewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post("/api/v1/assess", {"facts": []}, content_type="application/json")
    assert response.status_code in (401, 403)


def test_anonymous_cannot_create_a_token(db):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        do_create_api_token(actor=AnonymousUser(), name="x")
