"""State changes of accounts: users, memberships, API tokens."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.accounts.models import ApiToken, Membership, Organisation, User
from techsme.core import audit
from techsme.core.errors import Conflict, FieldError, InvalidInput


def token_lifetime_days(days: int | None) -> int:
    """The lifetime asked for, or the default; refused outside 1 … ``settings.API_TOKEN_MAX_DAYS``."""
    maximum = int(settings.API_TOKEN_MAX_DAYS)
    if days is None:
        return min(int(settings.API_TOKEN_DEFAULT_DAYS), maximum)
    if not 1 <= days <= maximum:
        raise InvalidInput([FieldError("days", _("A token lives from 1 to %(max)d days.") % {"max": maximum})])
    return days


def do_create_api_token(*, actor: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new personal token for ``actor`` that expires after ``days`` (default and maximum in the settings);
    returns the token row and the clear key, which is shown once and never stored."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Log in first."))
    lifetime = token_lifetime_days(days)
    key = ApiToken.new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name.strip()[:100] or _("API token"), key_prefix=key[:10], key_hash=ApiToken.hash_key(key),
            expires_at=timezone.now() + timedelta(days=lifetime),
        )
        audit.record(actor=actor, verb="accounts.create_api_token", obj=token,
                     changes={"name": [None, token.name], "expires_at": [None, token.expires_at.isoformat()]})
    return token, key


def _may_revoke(actor: Any, token: ApiToken) -> bool:
    """The owner; a superuser; an agency administrator for the members of their own agency."""
    if token.user_id == actor.pk or getattr(actor, "is_superuser", False):
        return True
    from techsme.core.permissions import grants

    admin_of = {g.organisation_id for g in grants(actor) if g.role == "agency_admin"}
    return Membership.objects.filter(user_id=token.user_id, organisation_id__in=admin_of).exists()


def do_revoke_api_token(*, actor: User, token_id: int) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
        if token is None or not actor.is_authenticated or not _may_revoke(actor, token):
            raise PermissionDenied(_("This is not your token."))
        if token.revoked_at:
            raise Conflict(_("This token is already revoked."))
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(actor=actor, verb="accounts.revoke_api_token", obj=token,
                     changes={"revoked": [False, True], "owner": [None, token.user.username]})
    return token


def do_add_member(*, actor: Any, organisation: Organisation, user: User, role: str) -> Membership:
    """Give ``user`` a role in ``organisation`` (superusers and the organisation's own agency admins)."""
    from techsme.core.permissions import grants

    allowed = getattr(actor, "is_superuser", False) or any(
        g.organisation_id == organisation.pk and g.role == "agency_admin" for g in grants(actor)
    )
    if not allowed:
        raise PermissionDenied(_("You may not manage the members of this organisation."))
    with transaction.atomic():
        membership = Membership(user=user, organisation=organisation, role=role)
        membership.full_clean()
        membership.save()
        audit.record(actor=actor, verb="accounts.add_member", obj=membership, region_code=organisation.region_code,
                     organisation_id=organisation.pk, changes={"role": [None, role], "user": [None, user.username]})
    return membership
