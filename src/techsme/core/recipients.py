"""Who is told — the extension point. The ground floor knows no organisations or memberships, so the accounts app
registers the functions that answer (``accounts/recipients.py``, from its ``AppConfig.ready()``); callers may use
either module. Until one is registered (a bare ``core`` without accounts) nobody is told.
"""

from collections.abc import Callable, Iterable

MemberEmails = Callable[[int | None], list[str]]
AgencyEmails = Callable[[str, Iterable[str]], list[str]]

_PROVIDERS: dict[str, Callable] = {}


def register_recipients(*, members: MemberEmails, agency: AgencyEmails) -> None:
    _PROVIDERS["members"], _PROVIDERS["agency"] = members, agency


def member_emails(organisation_id: int | None) -> list[str]:
    """The addresses of the organisation's active members (sorted, without duplicates)."""
    provider = _PROVIDERS.get("members")
    return provider(organisation_id) if provider else []


def agency_emails(region_code: str, roles: Iterable[str]) -> list[str]:
    """The addresses of the active agency staff with one of ``roles`` whose region prefix covers ``region_code``."""
    provider = _PROVIDERS.get("agency")
    return provider(region_code, roles) if provider else []
