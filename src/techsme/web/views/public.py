"""Home, login/logout (rate-limited), the role-routing dashboard, error pages."""


from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from techsme.core import ratelimit
from techsme.core.http import client_ip, safe_next
from techsme.core.permissions import agency_prefixes, grants, organisations
from techsme.refdata import region_name

IP_FAILURE_FACTOR = 4  # one address may fail this many times the per-username limit (several users behind a NAT)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


# ---------------------------------------------------------------- login throttling

def _limits() -> tuple[int, int, int]:
    per_user = int(settings.LOGIN_MAX_FAILURES)
    per_ip = int(getattr(settings, "LOGIN_MAX_FAILURES_PER_IP", per_user * IP_FAILURE_FACTOR))
    return per_user, per_ip, int(settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_locked(username: str, ip: str) -> bool:
    per_user, per_ip, _window = _limits()
    return (ratelimit.count("login-fail:user", username.strip().lower()) >= per_user
            or ratelimit.count("login-fail:ip", ip) >= per_ip)


def record_login_failure(username: str, ip: str) -> None:
    """Count a failed attempt for the username (existing or not) and for the address, inside the window."""
    _per_user, _per_ip, window = _limits()
    ratelimit.hit("login-fail:user", username.strip().lower(), window_seconds=window)
    ratelimit.hit("login-fail:ip", ip, window_seconds=window)


def clear_login_failures(username: str) -> None:
    ratelimit.reset("login-fail:user", username.strip().lower())


@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, "")
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or reverse("web:dashboard"))
    locked = False
    if request.method == "POST":
        username = request.POST.get("username", "")
        ip = client_ip(request)
        form = AuthenticationForm(request, data=request.POST)
        if login_locked(username, ip):
            locked = True
            form = AuthenticationForm(request, initial={"username": username})
            minutes = max(1, round(settings.LOGIN_FAILURE_WINDOW_SECONDS / 60))
            form.lock_message = _(
                "Too many failed log-in attempts. For your security, logging in is blocked for up to "
                "%(minutes)d minutes. Please try again later."
            ) % {"minutes": minutes}
        elif form.is_valid():
            clear_login_failures(username)
            auth_login(request, form.get_user())
            return redirect(next_url or reverse("web:dashboard"))
        else:
            record_login_failure(username, ip)
    else:
        form = AuthenticationForm(request)
    return render(request, "web/login.html", {"form": form, "next": next_url, "locked": locked},
                  status=429 if locked else 200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return redirect("web:home")


# ---------------------------------------------------------------- dashboard routing

@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    from techsme.registry.selectors import enterprises_of_user

    user = request.user
    enterprises = list(enterprises_of_user(user))
    if len(enterprises) == 1:
        return redirect("web:enterprise", pk=enterprises[0].pk)
    if enterprises:
        return render(request, "web/choose_enterprise.html", {"enterprises": enterprises})
    if agency_prefixes(user):
        return redirect("web:agency")
    from techsme.accounts.models import Membership

    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")
    rows = [
        {"organisation": m.organisation, "role": m.get_role_display(),
         "region": region_name(m.organisation.region_code)}
        for m in memberships
    ]
    return render(request, "web/dashboard_other.html", {"memberships": rows, "org_ids": organisations(user),
                                                        "grants": grants(user)})
