"""API authentication: personal tokens (``Authorization: Bearer tsme_…``) or the web session (with CSRF).

A request that carries an ``Authorization`` header is judged by it alone: a bad, expired or revoked token answers
401 with the reason, never a CSRF 403 and never the session's identity. The session counts only for requests
without that header; a session write must carry the CSRF token (403 otherwise).
"""

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from techsme.accounts.models import ApiToken

LAST_USED_RESOLUTION = timedelta(minutes=1)  # last_used_at is written at most once a minute per token


class ApiTokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if header is None:
            return None
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != self.openapi_scheme.lower() or not token.strip():
            raise AuthenticationError(message=_("Send the token as “Authorization: Bearer tsme_…”."))
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = None
        if token.startswith(ApiToken.PREFIX) and len(token) <= 100:
            found = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
        now = timezone.now()
        if found is None or not found.user.is_active:
            raise AuthenticationError(message=_("This token is not valid."))
        if found.revoked_at is not None:
            raise AuthenticationError(message=_("This token was revoked."))
        if found.expires_at <= now:
            raise AuthenticationError(message=_("This token expired on %(date)s; create a new one.")
                                      % {"date": timezone.localtime(found.expires_at).strftime("%Y-%m-%d %H:%M")})
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class BrowserSessionAuth(SessionAuth):
    """The logged-in web session, for requests without an Authorization header; CSRF only for a real session."""

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" in request.headers or not request.user.is_authenticated:
            return None
        return super().__call__(request)


API_AUTH = [ApiTokenAuth(), BrowserSessionAuth()]
