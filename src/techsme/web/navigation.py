"""The main navigation: one ordered list of entries, each shown to the users its predicate admits.

An entry whose URL does not resolve (its app is not installed or not built yet) is left out, so apps can be
added and removed without touching the base template.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from techsme.core.permissions import can


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    show: Callable[[Any], bool]
    current_when: tuple[str, ...] = ()  # url names or "namespace:" prefixes that mark the entry as current
    group: str = ""  # entries of one group share a drop-down menu (a group with one visible entry is shown flat)


def _everyone(user: Any) -> bool:
    return True


def _signed_in(user: Any) -> bool:
    return user.is_authenticated


GROUPS: dict[str, str | Promise] = {
    "registry": _("Enterprises"),
    "evaluation": _("Evaluation"),
    "policy": _("Policies"),
    "services": _("Services"),
    "innovation": _("Innovation"),
    "monitoring": _("Monitoring"),
}

ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("web:home", _("Home"), _everyone, ("web:home",)),
    NavEntry("web:dashboard", _("Dashboard"), _signed_in, ("web:dashboard", "web:enterprise")),
    # Enterprises
    NavEntry("web:agency", _("Enterprises"), lambda u: can(u, "registry.export"), ("web:agency",), "registry"),
    NavEntry("web:registry_import", _("Import"), lambda u: can(u, "registry.import"), ("web:registry_import",),
             "registry"),
    NavEntry("web:audit", _("Audit trail"), lambda u: can(u, "audit.view"), ("web:audit",), "registry"),
    # Evaluation
    NavEntry("evaluation:home", _("Tech-SME evaluation"), _signed_in, (
        "evaluation:home", "evaluation:detail", "evaluation:edit", "evaluation:queue", "evaluation:publicity",
        "evaluation:batch", "evaluation:import"), "evaluation"),
    NavEntry("evaluation:public_database", _("Tech-SME database"), _everyone, (
        "evaluation:public_database", "evaluation:public_publicity", "evaluation:public_batch", "evaluation:verify",
        "evaluation:verify_form", "evaluation:statistics"), "evaluation"),
    # Policies
    NavEntry("incentives:index", _("My incentives"), _signed_in, (
        "incentives:index", "incentives:enterprise", "incentives:notifications"), "policy"),
    NavEntry("incentives:outreach", _("Outreach"), lambda u: can(u, "incentives.outreach"),
             ("incentives:outreach",), "policy"),
    NavEntry("incentives:scenarios", _("Reform simulation"), lambda u: can(u, "incentives.scenario.view"), (
        "incentives:scenarios", "incentives:scenario", "incentives:compare"), "policy"),
    NavEntry("incentives:library", _("Policy library"), _everyone, (
        "incentives:library", "incentives:parameter", "incentives:variable"), "policy"),
    # Services
    NavEntry("instruments:catalogue", _("Shared instruments"), _everyone, ("instruments:",), "services"),
    NavEntry("vouchers:home", _("Innovation vouchers"), _signed_in, ("vouchers:",), "services"),
    NavEntry("incubation:home", _("Incubators and talent"), _everyone, ("incubation:",), "services"),
    # Innovation: transfer, finance, funding calls (each appears once its app has a home page)
    NavEntry("transfer:home", _("Technology transfer"), _everyone, ("transfer:",), "innovation"),
    NavEntry("finance:home", _("Finance"), _signed_in, ("finance:",), "innovation"),
    NavEntry("calls:home", _("Funding calls"), _everyone, ("calls:",), "innovation"),
    # Monitoring
    NavEntry("monitoring:home", _("Programme monitoring"), _everyone, ("monitoring:",), "monitoring"),
)


def _is_current(entry: NavEntry, view_name: str) -> bool:
    return any(view_name.startswith(m) if m.endswith(":") else view_name == m for m in entry.current_when)


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """Top-level items in order: links (``url``) and groups (``children``), each with ``label`` and ``current``."""
    user = request.user
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    items: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for entry in ENTRIES:
        if not entry.show(user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        link = {"url": url, "label": entry.label, "current": _is_current(entry, view_name)}
        if not entry.group:
            items.append(link)
            continue
        if entry.group not in groups:
            groups[entry.group] = {"label": GROUPS[entry.group], "children": [], "current": False}
            items.append(groups[entry.group])
        groups[entry.group]["children"].append(link)
        groups[entry.group]["current"] |= link["current"]
    return [item["children"][0] if len(item.get("children", ())) == 1 else item for item in items]
