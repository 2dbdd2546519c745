"""A Content-Security-Policy without inline scripts: the header on every page, and no page of any app relies on an
inline <script> or an on…= handler (which the policy would block)."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _pages_without_parameters() -> list[str]:
    """Every URL of the site that takes no parameter (one page per route), outside the API and the admin."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:  # noqa: ANN001
        for entry in patterns:
            route = str(entry.pattern)
            if isinstance(entry, URLResolver):
                if route.startswith(("api/", "admin/", "i18n/")):
                    continue
                walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern) and "<" not in route and "(" not in route:
                found.append("/" + prefix + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def test_the_policy_allows_scripts_only_from_our_own_files(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("who", ["anonymous", "superuser", "agency admin", "enterprise admin"])
def test_no_page_of_any_app_has_inline_script(two_regions, django_user_model, who):
    client = Client()
    if who == "superuser":
        client.force_login(django_user_model.objects.create_superuser("root", "root@example.cn", "x"))
    elif who == "agency admin":
        client.force_login(two_regions["sz"]["admin"])
    elif who == "enterprise admin":
        client.force_login(two_regions["sz"]["ent_admin"])
    pages = _pages_without_parameters()
    apps = {p.strip("/").split("/")[0] for p in pages}
    assert {"evaluation", "vouchers", "instruments", "incentives"} <= apps
    rendered, offenders = 0, []
    for path in pages:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        rendered += 1
        assert "script-src 'self'" in response["Content-Security-Policy"]
        html = response.content.decode()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JS_URL):
            offenders += [f"{path}: {m.group(0)[:80]}" for m in pattern.finditer(html)]
    assert rendered >= 5
    assert not offenders, offenders
