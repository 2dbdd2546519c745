"""Who is told: the e-mail addresses of an organisation's members, or of the agency staff covering a region
(registered into ``core.recipients`` from ``AccountsConfig.ready()``, so code on the ground floor can ask too)."""

from collections.abc import Iterable

from techsme.accounts.models import Membership, Organisation
from techsme.accounts.roles import OrgKind


def member_emails(organisation_id: int | None) -> list[str]:
    """The addresses of the organisation's active members (sorted, without duplicates)."""
    if organisation_id is None:
        return []
    emails = Membership.objects.filter(organisation_id=organisation_id, user__is_active=True).exclude(
        user__email="").values_list("user__email", flat=True)
    return sorted(set(emails))


def agency_emails(region_code: str, roles: Iterable[str]) -> list[str]:
    """The addresses of the active agency staff with one of ``roles`` whose region prefix covers ``region_code``
    (the same prefixes as ``core.permissions``: a city agency of 4403 covers 440305; a national one covers all)."""
    rows = (Membership.objects.filter(role__in=list(roles), organisation__kind=OrgKind.AGENCY, user__is_active=True)
            .exclude(user__email="").values_list("user__email", "organisation__region_code", "organisation__level"))
    return sorted({email for email, code, level in rows
                   if region_code.startswith(Organisation(region_code=code, level=level).region_prefix)})
