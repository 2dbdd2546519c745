"""Request helpers shared by the surfaces."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str:
    """The client's address for rate limits.

    Behind ``TECHSME_TRUSTED_PROXIES`` reverse proxies (a count, default 0), the address is taken from the
    ``X-Forwarded-For`` entry that the outermost trusted proxy appended; otherwise ``REMOTE_ADDR``. Without this
    setting, every client behind a proxy would share one rate-limit bucket.
    """
    trusted = int(getattr(settings, "TRUSTED_PROXIES", 0))
    if trusted > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= trusted:
            return hops[-trusted]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` address of the request if it stays on this site, else ``fallback`` (no open redirects)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return fallback
