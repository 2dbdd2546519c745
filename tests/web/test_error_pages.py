"""Friendly error pages in both languages for the web, JSON for the API, never Django's debug or English pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path

from techsme import urls as project_urls


def _boom(request):  # noqa: ANN001, ANN202
    raise RuntimeError("boom")


def _denied(request):  # noqa: ANN001, ANN202
    raise PermissionDenied


def _bad(request):  # noqa: ANN001, ANN202
    from django.core.exceptions import SuspiciousOperation

    raise SuspiciousOperation("tampered")


urlpatterns = [
    path("test-errors/boom/", _boom),
    path("test-errors/denied/", _denied),
    path("test-errors/bad/", _bad),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.web.test_error_pages")]

PAGES = {  # path, status, English title, Chinese title
    "bad": ("/test-errors/bad/", 400, "Bad request", "请求有误"),
    "denied": ("/test-errors/denied/", 403, "Access denied", "无权访问"),
    "missing": ("/no-such-page/", 404, "Page not found", "页面不存在"),
    "boom": ("/test-errors/boom/", 500, "Server error", "服务器错误"),
}


@override_settings(DEBUG=False)
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_web_errors_are_friendly_pages_in_the_users_language(page, language):
    url, status, english, chinese = PAGES[page]
    response = Client(raise_request_exception=False).get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == status
    html = response.content.decode()
    assert (english if language == "en" else chinese) in html
    assert "Traceback" not in html and "boom" not in html and "tampered" not in html
    assert 'href="/"' in html or "/\"" in html  # a way back home


@override_settings(DEBUG=False)
@pytest.mark.parametrize("url,status", [("/api/v1/no-such-thing", 404), ("/api/v1/", 404)])
def test_api_paths_answer_json_even_outside_operations(url, status):
    response = Client().get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json") and response.json()["detail"]


@override_settings(DEBUG=False)
def test_a_form_without_its_csrf_token_gets_a_friendly_page(two_regions):
    client = Client(enforce_csrf_checks=True)
    client.force_login(two_regions["sz"]["reviewer"])
    response = client.post("/account/tokens/", {"name": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()
