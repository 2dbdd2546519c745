"""Personal API tokens (list, create with an expiry — the key is shown once —, revoke); unlocking a sign-in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techsme.accounts.models import ApiToken
from techsme.accounts.services import do_create_api_token, do_revoke_api_token
from techsme.accounts.signin import do_unlock_login
from techsme.core.errors import Conflict
from techsme.web.forms import TokenForm

NEW_KEY = "techsme_new_api_key"


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            token, key = do_create_api_token(actor=request.user, name=form.cleaned_data["name"],
                                             days=form.cleaned_data["days"])
            request.session[NEW_KEY] = {"id": token.pk, "key": key}
            return redirect("web:tokens")
    else:
        form = TokenForm()
    new = request.session.pop(NEW_KEY, None)
    rows = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "web/tokens.html", {"form": form, "tokens": rows, "new": new, "now": timezone.now()},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = do_revoke_api_token(actor=request.user, token_id=token_id)
    except PermissionDenied:
        raise
    except Conflict as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("web:tokens")


@login_required
def unlock_sign_in(request: HttpRequest) -> HttpResponse:
    """A superuser or an agency administrator unlocks the sign-in of a user of their agency (every address)."""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()[:150]
        try:
            cleared = do_unlock_login(actor=request.user, username=username)
        except PermissionDenied:
            messages.error(request, _("You may not unlock the sign-in of “%(username)s”.") % {"username": username})
        else:
            messages.success(request, _("Sign-in of “%(username)s” is unlocked (%(count)d blocked addresses cleared).")
                             % {"username": username, "count": cleared})
        return redirect("web:unlock_sign_in")
    return render(request, "web/unlock_sign_in.html")
