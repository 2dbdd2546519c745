"""Who may apply to a programme: a rule kept as data and evaluated on registry facts and evaluation statuses.

A rule is a list of *alternatives*; each alternative is a list of conditions that must all hold::

    [
        [{"condition": "registered_tech_sme"}, {"condition": "region_prefix", "value": "4403"}],
        [{"condition": "incubator_team", "value": ["91440300…", …]}, {"condition": "founded_within_years", "value": 3}],
    ]

reads "a registered tech-SME in Shenzhen, or a start-up team (founded in the last three years) in an incubator".
An empty rule admits every enterprise. A single flat list of conditions is read as one alternative.

Conditions (``CONDITIONS``): ``registered_tech_sme`` (a registration in the tech-SME database in state
"registered", ``evaluation.models.Registration``), ``region_prefix`` (GB/T 2260 prefix of the enterprise's region),
``incubator_team`` (the enterprise's USCC is on the incubator tenant list given as ``value`` — until an incubation
registry exists), ``founded_within_years`` (founded at most ``value`` years before the programme year),
``max_employees`` (latest annual facts report at most ``value`` employees).
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techsme.core.errors import FieldError, InvalidInput
from techsme.registry.models import Enterprise

CONDITIONS = {
    "registered_tech_sme": gettext_lazy("registered technology-based SME"),
    "region_prefix": gettext_lazy("located in region"),
    "incubator_team": gettext_lazy("start-up team in an incubator"),
    "founded_within_years": gettext_lazy("founded within years"),
    "max_employees": gettext_lazy("at most this many employees"),
}
NEEDS_VALUE = {"region_prefix", "incubator_team", "founded_within_years", "max_employees"}


def normalise(rule: Any) -> list[list[dict[str, Any]]]:
    """The rule as a list of alternatives; raises InvalidInput (field ``eligibility``) when malformed."""
    def bad(message: str) -> InvalidInput:
        return InvalidInput([FieldError("eligibility", message)])

    if rule in (None, "", []):
        return []
    if not isinstance(rule, list):
        raise bad(_("The eligibility rule must be a list of conditions."))
    alternatives = [rule] if all(isinstance(c, dict) for c in rule) else rule
    out = []
    for alternative in alternatives:
        if not isinstance(alternative, list) or not alternative:
            raise bad(_("Each alternative of the eligibility rule must be a non-empty list of conditions."))
        group = []
        for cond in alternative:
            name = cond.get("condition") if isinstance(cond, dict) else None
            if name not in CONDITIONS:
                raise bad(_("Unknown eligibility condition: %(name)s.") % {"name": name})
            value = cond.get("value")
            if name in NEEDS_VALUE and value in (None, "", []):
                raise bad(_("The eligibility condition %(name)s needs a value.") % {"name": name})
            if name in ("founded_within_years", "max_employees"):
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    raise bad(_("The eligibility condition %(name)s needs a whole number.") % {"name": name}) from None
            if name == "incubator_team":
                if isinstance(value, str):
                    value = [v.strip().upper() for v in value.replace(",", " ").split() if v.strip()]
                if not isinstance(value, list):
                    raise bad(_("The incubator tenant list must be a list of USCCs."))
            if name == "region_prefix":
                value = str(value).strip()
                if not value.isdigit() or len(value) > 6:
                    raise bad(_("A region prefix is one to six digits of a GB/T 2260 code."))
            group.append({"condition": name, "value": value} if name in NEEDS_VALUE else {"condition": name})
        out.append(group)
    return out


def _holds(condition: dict[str, Any], enterprise: Enterprise, year: int) -> bool:
    name, value = condition["condition"], condition.get("value")
    if name == "registered_tech_sme":
        from techsme.evaluation.models import Registration, RegistrationState

        return Registration.objects.filter(enterprise=enterprise, state=RegistrationState.REGISTERED).exists()
    if name == "region_prefix":
        return enterprise.region_code.startswith(str(value))
    if name == "incubator_team":
        return enterprise.uscc.upper() in {str(v).upper() for v in value}
    if name == "founded_within_years":
        return year - enterprise.founded_on.year <= int(value)
    if name == "max_employees":
        facts = enterprise.facts.exclude(employees__isnull=True).order_by("-tax_year").first()
        return facts is not None and facts.employees <= int(value)
    return False


def describe(condition: dict[str, Any]) -> str:
    label = str(CONDITIONS.get(condition["condition"], condition["condition"]))
    value = condition.get("value")
    if value in (None, "", []):
        return label
    if isinstance(value, list):
        value = _("%(n)d listed enterprises") % {"n": len(value)}
    return f"{label}: {value}"


def failed_conditions(rule: Any, enterprise: Enterprise, year: int) -> list[str]:
    """Empty when the enterprise is eligible; else the conditions it fails (of the alternative closest to passing)."""
    alternatives = normalise(rule)
    if not alternatives:
        return []
    best: list[str] | None = None
    for group in alternatives:
        failed = [describe(c) for c in group if not _holds(c, enterprise, year)]
        if not failed:
            return []
        if best is None or len(failed) < len(best):
            best = failed
    return best or []
