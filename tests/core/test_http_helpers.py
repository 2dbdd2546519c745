"""Request helpers: the client address for rate limits (also behind proxies) and safe redirect targets."""

from django.test import RequestFactory

from techsme.core.http import client_ip


def test_without_proxies_the_socket_address_counts(settings):
    settings.TRUSTED_PROXIES = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.5"  # a forged header is ignored


def test_behind_one_proxy_the_entry_it_appended_counts(settings):
    settings.TRUSTED_PROXIES = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"  # the client cannot choose its bucket by prepending entries


def test_a_missing_header_falls_back_to_the_socket_address(settings):
    settings.TRUSTED_PROXIES = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "10.0.0.1"


def test_safe_next_refuses_other_sites():
    from techsme.core.http import safe_next

    factory = RequestFactory()
    assert safe_next(factory.post("/", {"next": "https://evil.example/x"}), "/home/") == "/home/"
    assert safe_next(factory.post("/", {"next": "//evil.example/x"}), "/home/") == "/home/"
    assert safe_next(factory.post("/", {"next": "/evaluation/queue/?page=2"}), "/home/") == "/evaluation/queue/?page=2"
