"""Which loans qualify for a pool: the agreement's borrower rule, kept as data and evaluated on registry facts and
statuses at filing time, and the agreement's loan terms.

A borrower rule is a list of *alternatives*; each is a list of conditions that must all hold::

    [[{"condition": "registered_tech_sme"}, {"condition": "region_prefix", "value": "4403"}],
     [{"condition": "hnte"}, {"condition": "max_employees", "value": 500}]]

reads "a registered tech SME in Shenzhen, or a high-and-new-tech enterprise with at most 500 employees". An empty
rule admits every enterprise. The result of a check is a list of plain records (condition, value, what was observed,
passed) stored on the loan, so that the page shows *why* a loan qualified or not in the reader's language, and a
later change of the registry does not rewrite the history.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techsme import refdata
from techsme.core.errors import FieldError, InvalidInput
from techsme.registry.models import AnnualFacts, Enterprise

CONDITIONS = {
    "registered_tech_sme": gettext_lazy("registered in the tech-SME database"),
    "hnte": gettext_lazy("holds a valid high-and-new-tech enterprise certificate"),
    "region_prefix": gettext_lazy("located in the region"),
    "max_employees": gettext_lazy("at most this many employees"),
    "max_revenue": gettext_lazy("sales revenue at most (yuan)"),
    "good_standing": gettext_lazy("no serious dishonesty and not on the abnormal-operation list"),
}
TERMS = {
    "loan_amount": gettext_lazy("loan amount within the agreement's largest qualifying loan"),
    "loan_term": gettext_lazy("term within the agreement's longest qualifying term"),
    "loan_rate": gettext_lazy("interest rate within the agreement's ceiling"),
    "agreement_period": gettext_lazy("granted while the agreement is valid"),
}
NEEDS_VALUE = {"region_prefix", "max_employees", "max_revenue"}


def _bad(message: str) -> InvalidInput:
    return InvalidInput([FieldError("eligibility", message)])


def _condition(cond: Any) -> dict[str, Any]:
    name = cond.get("condition") if isinstance(cond, dict) else None
    if name not in CONDITIONS:
        raise _bad(_("Unknown eligibility condition: %(name)s.") % {"name": name})
    value = cond.get("value")
    if name not in NEEDS_VALUE:
        return {"condition": name}
    if value in (None, ""):
        raise _bad(_("The eligibility condition “%(name)s” needs a value.") % {"name": CONDITIONS[name]})
    if name == "region_prefix":
        value = str(value).strip()
        if not value.isdigit() or not 1 <= len(value) <= 6:
            raise _bad(_("A region is given by one to six digits of its GB/T 2260 code."))
    else:
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise _bad(_("The eligibility condition “%(name)s” needs a whole number.")
                       % {"name": CONDITIONS[name]}) from None
        if not 0 < value < 10**15:
            raise _bad(_("The eligibility condition “%(name)s” needs a positive number.") % {"name": CONDITIONS[name]})
    return {"condition": name, "value": value}


def normalise(rule: Any) -> list[list[dict[str, Any]]]:
    """The rule as a list of alternatives; raises InvalidInput (field ``eligibility``) when malformed."""
    if rule in (None, "", []):
        return []
    if not isinstance(rule, list):
        raise _bad(_("The eligibility rule must be a list of conditions."))
    alternatives = [rule] if all(isinstance(c, dict) for c in rule) else rule
    if len(alternatives) > 20:
        raise _bad(_("An eligibility rule has at most 20 alternatives."))
    out = []
    for alternative in alternatives:
        if not isinstance(alternative, list) or not 1 <= len(alternative) <= 20:
            raise _bad(_("Each alternative of the eligibility rule must be a list of 1 to 20 conditions."))
        out.append([_condition(c) for c in alternative])
    return out


def _latest_facts(enterprise: Enterprise, on: date) -> AnnualFacts | None:
    return enterprise.facts.filter(tax_year__lt=on.year + 1).order_by("-tax_year").first()


def _observe(name: str, value: Any, enterprise: Enterprise, facts: AnnualFacts | None) -> tuple[bool, Any]:
    """Whether the condition holds, and what was observed (a plain value kept with the loan)."""
    if name == "registered_tech_sme":
        from techsme.evaluation.models import Registration, RegistrationState

        number = (Registration.objects.filter(enterprise=enterprise, state=RegistrationState.REGISTERED)
                  .order_by("-year").values_list("number", flat=True).first())
        return number is not None, number or ""
    if name == "hnte":
        held = bool(facts and facts.hnte_certificate_valid)
        return held, facts.tax_year if facts else None
    if name == "region_prefix":
        return enterprise.region_code.startswith(str(value)), enterprise.region_code
    if name == "max_employees":
        employees = facts.employees if facts else None
        return employees is not None and employees <= int(value), employees
    if name == "max_revenue":
        revenue = facts.revenue if facts else None
        return revenue is not None and revenue <= Decimal(value), str(revenue) if revenue is not None else None
    if name == "good_standing":
        flags = bool(facts and (facts.serious_dishonesty or facts.abnormal_operation_listed))
        return facts is not None and not flags, facts.tax_year if facts else None
    return False, None


def check_borrower(rule: Any, enterprise: Enterprise, on: date) -> list[dict[str, Any]]:
    """Every condition of the passing alternative (or of the one closest to passing), each with what was observed."""
    alternatives = normalise(rule)
    if not alternatives:
        return []
    facts = _latest_facts(enterprise, on)
    best: list[dict[str, Any]] | None = None
    for index, group in enumerate(alternatives):
        checks = []
        for cond in group:
            passed, observed = _observe(cond["condition"], cond.get("value"), enterprise, facts)
            checks.append({"kind": "borrower", "alternative": index, "condition": cond["condition"],
                           "value": cond.get("value"), "observed": observed, "passed": passed})
        if all(c["passed"] for c in checks):
            return checks
        if best is None or sum(not c["passed"] for c in checks) < sum(not c["passed"] for c in best):
            best = checks
    return best or []


def check_terms(agreement: Any, *, amount: Decimal, term_months: int, rate_pct: Decimal,
                granted_on: date) -> list[dict[str, Any]]:
    def row(name: str, value: Any, observed: Any, passed: bool) -> dict[str, Any]:
        return {"kind": "terms", "condition": name, "value": value, "observed": observed, "passed": passed}

    return [
        row("loan_amount", str(agreement.max_loan_amount), str(amount), amount <= agreement.max_loan_amount),
        row("loan_term", agreement.max_term_months, term_months, term_months <= agreement.max_term_months),
        row("loan_rate", str(agreement.rate_ceiling_pct), str(rate_pct), rate_pct <= agreement.rate_ceiling_pct),
        row("agreement_period", [agreement.valid_from.isoformat(), agreement.valid_until.isoformat()],
            granted_on.isoformat(), agreement.valid_from <= granted_on <= agreement.valid_until),
    ]


def _show(value: Any) -> str:
    if value in (None, ""):
        return _("unknown")
    if isinstance(value, list):
        return " – ".join(str(v) for v in value)
    try:
        number = Decimal(str(value))
    except Exception:
        return str(value)
    return number_format(number, 2 if number != number.to_integral_value() else 0, force_grouping=True)


def describe(check: dict[str, Any]) -> dict[str, Any]:
    """A stored check in the reader's language: what was required, what was found, passed or not."""
    name = check["condition"]
    label = str(CONDITIONS.get(name) or TERMS.get(name) or name)
    required = "" if check.get("value") in (None, "") else _show(check["value"])
    observed = _show(check.get("observed"))
    if name == "region_prefix":
        required = refdata.region_name(str(check["value"]))
        observed = refdata.region_name(str(check.get("observed") or "")) or observed
    return {"label": label, "required": required, "observed": observed,
            "passed": bool(check.get("passed"))}


def describe_rule(rule: Any) -> list[str]:
    """Each alternative of a rule as one line of plain words."""
    lines = []
    for group in normalise(rule):
        parts = []
        for cond in group:
            text = str(CONDITIONS[cond["condition"]])
            if cond["condition"] == "region_prefix":
                text += " " + refdata.region_name(str(cond["value"]))
            elif "value" in cond:
                text += f" {_show(cond['value'])}"
            parts.append(text)
        lines.append(_("; ").join(parts) if parts else "")
    return lines


def failed(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in checks if not c.get("passed")]
