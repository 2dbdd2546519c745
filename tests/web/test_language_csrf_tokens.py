"""Language switch, CSRF on every POST, API tokens page."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_language_switch_renders_chinese(client, two_regions):
    sz = two_regions["sz"]
    client.force_login(sz["ent_admin"])
    url = f"/enterprises/{sz['enterprise'].pk}/"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in english and "Enterprise profile" in english
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert "企业概况" in chinese and "按纳税年度的数据" in chinese
    assert "2015年3月1日" in chinese  # founding date in the Chinese format
    client.post("/i18n/setlang/", {"language": "en", "next": url})
    assert "Enterprise profile" in client.get(url).content.decode()


def test_default_language_is_chinese(client):
    body = Client().get("/").content.decode()
    assert '<html lang="zh-hans">' in body and "我们的服务" in body


def test_csrf_is_enforced_on_posts(two_regions):
    sz = two_regions["sz"]
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/login/", {"username": sz["ent_admin"].username, "password": PASSWORD}).status_code == 403
    strict.force_login(sz["ent_admin"])
    pk = sz["enterprise"].pk
    for url, data in ((f"/enterprises/{pk}/facts/2024/", {"employees": "3"}),
                      (f"/enterprises/{pk}/edit/", {"name": "x"}),
                      (f"/enterprises/{pk}/ip/new/", {"kind": "design"}),
                      ("/account/tokens/", {"name": "t"}),
                      ("/logout/", {})):
        assert strict.post(url, data).status_code == 403, url
    assert not sz["enterprise"].facts.exists()
    # with the token from the page, the same post works
    page = strict.get(f"/enterprises/{pk}/facts/2024/")
    token = page.context["csrf_token"]
    response = strict.post(f"/enterprises/{pk}/facts/2024/", {"employees": "3", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert sz["enterprise"].facts.get().employees == 3


def test_logout_is_post_only(client, two_regions):
    client.force_login(two_regions["sz"]["ent_admin"])
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_api_token_create_shows_key_once_and_revoke(client, two_regions):
    from techsme.accounts.models import ApiToken

    user = two_regions["sz"]["ent_admin"]
    client.force_login(user)
    response = client.post("/account/tokens/", {"name": "ERP connector"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert "ERP connector" in body and "it will not be shown again" in body
    key = body.split('id="new-key">')[1].split("<")[0].strip()
    assert key.startswith("tsme_") and ApiToken.hash_key(key) == token.key_hash
    assert key not in client.get("/account/tokens/").content.decode()  # shown once
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(client, two_regions):
    from techsme.accounts.services import do_create_api_token

    token, _key = do_create_api_token(actor=two_regions["gz"]["ent_admin"], name="theirs")
    client.force_login(two_regions["sz"]["ent_admin"])
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
