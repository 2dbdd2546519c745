"""Home, login/logout (throttled by django-axes), the role-routing dashboard, error pages."""


from django.contrib import messages
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

from techsme.accounts import signin
from techsme.core.http import safe_next
from techsme.core.permissions import agency_prefixes, grants, organisations
from techsme.refdata import region_name


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    """Sign-in; django-axes counts the failures per account and address (see ``techsme.accounts.signin``)."""
    next_url = safe_next(request, "")
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or reverse("web:dashboard"))
    if request.method != "POST":
        return render(request, "web/login.html", {"form": AuthenticationForm(request), "next": next_url})
    form = AuthenticationForm(request, data=request.POST)
    if form.is_valid():
        auth_login(request, form.get_user())
        return redirect(next_url or reverse("web:dashboard"))
    if getattr(request, "axes_locked_out", False):
        form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
        form.lock_message = signin.lock_message(request)
        return render(request, "web/login.html", {"form": form, "next": next_url, "locked": True}, status=429)
    return render(request, "web/login.html", {"form": form, "next": next_url})


def login_unlock(request: HttpRequest, token: str) -> HttpResponse:
    """The link e-mailed at a lockout: clears the account's counted failures, then the login page."""
    username = signin.username_from_unlock_token(token)
    if username is None:
        messages.error(request, _("This unlock link is not valid or has expired."))
    else:
        signin.clear_failures(username)
        messages.success(request, _("Sign-in is unlocked. You may log in again."))
    return redirect("web:login")


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
