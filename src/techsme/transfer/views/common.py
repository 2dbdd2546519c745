"""Helpers of the transfer pages: the organisation a user acts for, labels for codes, and the explained reasons."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techsme.accounts.models import Organisation
from techsme.core.permissions import organisations
from techsme.refdata import industry_class, region_name
from techsme.registry.models import Enterprise
from techsme.transfer import disciplines, rules
from techsme.transfer.matching import WEIGHTS
from techsme.transfer.models import TransferMode


def acting_org(user: Any, roles: frozenset[str]) -> Organisation:
    """The (first) organisation in which the user holds one of ``roles``; 403 when none."""
    ids = organisations(user, roles)
    org = Organisation.objects.filter(pk__in=ids).order_by("pk").first()
    if org is None:
        raise PermissionDenied(_("Your account does not act for an organisation that may do this."))
    return org


def acting_enterprise(user: Any) -> Enterprise:
    from techsme.core.roles import ENTERPRISE_ROLES

    enterprise = Enterprise.objects.filter(organisation_id__in=organisations(user, ENTERPRISE_ROLES)).first()
    if enterprise is None:
        raise PermissionDenied(_("Your account does not belong to an enterprise in the registry."))
    return enterprise


def industry_label(code: str) -> str:
    found = industry_class(code)
    return f"{found.name}（{code}）" if found else code


def modes_label(modes: list[str]) -> str:
    labels = dict(TransferMode.choices)
    return "、".join(str(labels.get(m, m)) for m in modes)


def outcome_row(outcome: Any) -> dict[str, Any]:
    return {"o": outcome, "industry": industry_label(outcome.industry_code),
            "region": region_name(outcome.region_code) or outcome.region_code,
            "discipline": disciplines.label(outcome.discipline), "modes": modes_label(outcome.modes)}


def contract_labels(contract: Any) -> dict[str, Any]:
    return {"category": rules.category_label(contract.category),
            "subtype": rules.subtype_label(contract.category, contract.subtype),
            "region": region_name(contract.region_code) or contract.region_code,
            "reliefs": [{"label": rules.relief_label(code), "basis": rules.relief_basis(code)}
                        for code in rules.categories().get(contract.category, rules.Category(
                            "", "", "", "", {}, ())).tax]}


LEVELS = {
    "class": gettext_lazy("same industry class"), "group": gettext_lazy("same industry group"),
    "division": gettext_lazy("same industry division"), "section": gettext_lazy("same industry section"),
    "county": gettext_lazy("same district"), "city": gettext_lazy("same city"),
    "province": gettext_lazy("same province"), "none": gettext_lazy("different"),
}


def explain(reasons: dict[str, Any], *, show_budget: bool) -> list[dict[str, Any]]:
    """The parts of a match score in words, each with its weight and points out of 100."""
    parts = reasons.get("parts", {})
    trl_wanted, trl_offered = (reasons.get("trl") or [None, None])[:2]
    budget, price, negotiable = (reasons.get("price") or [None, None, False])[:3]
    terms = "、".join(t for t, _w in reasons.get("terms", [])) or _("none")
    if trl_wanted is None:
        trl_text = _("readiness level %(offered)s; the need sets no minimum") % {"offered": trl_offered}
    else:
        trl_text = _("readiness level %(offered)s against at least %(wanted)s wanted") % {
            "offered": trl_offered, "wanted": trl_wanted}
    if budget is None or price is None:
        price_text = _("price or budget not stated — counted as neutral")
    elif show_budget:
        price_text = _("lowest price %(price)s yuan against a budget of %(budget)s yuan") % {
            "price": f"{float(price):,.0f}", "budget": f"{float(budget):,.0f}"}
    else:
        price_text = _("lowest price against the enterprise's budget (the budget itself stays confidential)")
    if negotiable and price is None:
        price_text = _("price negotiable — counted as neutral")
    rows = [
        ("text", _("Shared terms"), terms),
        ("field", _("Field"), LEVELS.get(reasons.get("field_level", "none"), "")),
        ("region", _("Region"), LEVELS.get(reasons.get("region_level", "none"), "")),
        ("trl", _("Readiness"), trl_text),
        ("price", _("Price"), price_text),
    ]
    return [{"label": label, "detail": detail, "weight": round(WEIGHTS[key] * 100),
             "points": round(WEIGHTS[key] * float(parts.get(key, 0)) * 100, 1),
             "part": round(float(parts.get(key, 0)) * 100)} for key, label, detail in rows]
