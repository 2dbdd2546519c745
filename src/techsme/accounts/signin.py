"""Sign-in throttling with django-axes: per account *and* address, growing delays, three ways to unlock.

- Failures are counted per (username, client address) pair (``AXES_LOCKOUT_PARAMETERS``): someone guessing from
  one address cannot lock the account for its owner at another address.
- ``AXES_FAILURE_LIMIT`` failures lock that pair for ``cool_off``: ``LOCK_BASE`` the first time, doubling with each
  lockout of the same pair in the last day, at most ``LOCK_MAX``. Failures older than the delay are forgotten.
- Unlocked by time; by the link e-mailed to the account's address at the lockout (valid ``UNLOCK_LINK_SECONDS``);
  or by a superuser or an administrator of the user's agency (``do_unlock_login``, audited).
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core import audit

LOCK_BASE = timedelta(minutes=5)
LOCK_MAX = timedelta(hours=24)
LOCK_MEMORY = timedelta(hours=24)  # lockouts of the same pair within this time make the next delay longer
UNLOCK_LINK_SECONDS = 3600
_UNLOCK_SALT = "techsme.accounts.unlock"


def normalised_username(request: HttpRequest | None, credentials: dict | None = None) -> str:
    """The username the failures are counted for (trimmed, lower case; AXES_USERNAME_CALLABLE)."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username", "")
    return str(raw or "").strip().lower()[:150]


def client_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the client's address (``core.http.client_ip``, which honours the trusted proxies),
    or None when there is none (a request built in code), since axes stores it in an IP-address column."""
    from ipaddress import ip_address

    from techsme.core.http import client_ip

    address = client_ip(request)
    try:
        return str(ip_address(address))
    except ValueError:
        return None


def _address(request: HttpRequest) -> str:
    return getattr(request, "axes_ip_address", None) or client_address(request) or ""


def recent_lockouts(username: str, ip_address: str) -> int:
    from axes.models import AccessFailureLog

    since = timezone.now() - LOCK_MEMORY
    return AccessFailureLog.objects.filter(username=username, ip_address=ip_address, locked_out=True,
                                           attempt_time__gte=since).count()


def lock_delay(lockouts_before: int) -> timedelta:
    """LOCK_BASE doubled for every earlier lockout, at most LOCK_MAX."""
    return min(LOCK_BASE * (2 ** min(lockouts_before, 16)), LOCK_MAX)


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """AXES_COOLOFF_TIME: how long failures of this pair count (and a lockout lasts)."""
    if request is None:
        return LOCK_BASE
    username = normalised_username(request, getattr(request, "axes_credentials", None))
    return lock_delay(recent_lockouts(username, _address(request)))


def minutes(delta: timedelta) -> int:
    return max(1, round(delta.total_seconds() / 60))


def lock_message(request: HttpRequest) -> str:
    return _(
        "Too many failed sign-ins for this account from your address. Try again in %(minutes)d minutes, use the "
        "unlock link we e-mailed to the account's address, or ask your agency administrator to unlock it."
    ) % {"minutes": minutes(cool_off(request))}


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page with the reason (HTTP 429), also for the admin's sign-in."""
    if original_response is not None and original_response.status_code == 429:
        return original_response  # the platform's login page, already showing why
    from django.contrib.auth.forms import AuthenticationForm
    from django.shortcuts import render

    form = AuthenticationForm(request, initial={"username": normalised_username(request, credentials)})
    form.lock_message = lock_message(request)
    return render(request, "web/login.html", {"form": form, "next": "", "locked": True}, status=429)


# ---------------------------------------------------------------- unlocking

def unlock_token(username: str) -> str:
    return signing.dumps({"u": username}, salt=_UNLOCK_SALT)


def username_from_unlock_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=_UNLOCK_SALT, max_age=UNLOCK_LINK_SECONDS)["u"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def clear_failures(username: str) -> int:
    """Forget every counted failure of ``username`` (at every address); the failure log is kept."""
    from axes.utils import reset

    return reset(username=username.strip().lower())


def do_unlock_login(*, actor: Any, username: str) -> int:
    """Unlock ``username`` everywhere: a superuser, or an agency administrator of an organisation the user is a
    member of. Audited. Returns how many locked (username, address) records were cleared."""
    from techsme.accounts.models import Membership, User
    from techsme.core.permissions import grants

    with transaction.atomic():
        user = User.objects.filter(username__iexact=username.strip()).first()
        if user is None or not getattr(actor, "is_authenticated", False):
            raise PermissionDenied(_("You may not unlock this account."))
        admin_of = {g.organisation_id for g in grants(actor) if g.role == "agency_admin"}
        allowed = actor.is_superuser or Membership.objects.filter(user=user, organisation_id__in=admin_of).exists()
        if not allowed:
            raise PermissionDenied(_("You may not unlock this account."))
        cleared = clear_failures(user.username)
        audit.record(actor=actor, verb="accounts.unlock_login", obj=user, changes={"cleared": [cleared, 0]})
    return cleared


def on_locked_out(sender: Any, request: HttpRequest, username: str, ip_address: str, **kwargs: Any) -> None:
    """axes' user_locked_out signal: e-mail the account's owner once per lockout, with an unlock link."""
    from techsme.accounts.models import User

    user = User.objects.filter(username__iexact=username or "", is_active=True).exclude(email="").first()
    if user is None or not cache.add(f"techsme:unlock-mail:{user.pk}:{ip_address}", 1,
                                     timeout=int(cool_off(request).total_seconds())):
        return
    link = request.build_absolute_uri(reverse("web:login_unlock", args=[unlock_token(user.username)]))
    subject = _("Sign-in to your account was blocked")
    body = _(
        "Several failed sign-ins for your account “%(username)s” came from the address %(ip)s, so sign-in from "
        "there is blocked for a while. If this was you, open this link within an hour to unlock it:\n\n%(link)s\n\n"
        "If it was not you, your password held; consider changing it."
    ) % {"username": user.username, "ip": ip_address, "link": link}
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email],
                                            fail_silently=True))
