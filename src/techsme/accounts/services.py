"""State changes of accounts: users, memberships, API tokens."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.accounts.models import ApiToken, Membership, Organisation, User
from techsme.core import audit
from techsme.core.errors import Conflict


def do_create_api_token(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new personal token for ``actor``; returns the token row and the clear key (shown once)."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Log in first."))
    key = ApiToken.new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name.strip()[:100] or _("API token"), key_prefix=key[:10], key_hash=ApiToken.hash_key(key)
        )
        audit.record(actor=actor, verb="accounts.create_api_token", obj=token, changes={"name": [None, token.name]})
    return token, key


def do_revoke_api_token(*, actor: User, token_id: int) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
        if token is None:
            raise PermissionDenied(_("This is not your token."))
        if token.revoked_at:
            raise Conflict(_("This token is already revoked."))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, verb="accounts.revoke_api_token", obj=token, changes={"revoked": [False, True]})
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
