"""'What do I get and why': the incentives of one enterprise-year, built from the rules engine's explanation.

Every amount shown comes from ``techsme.rules.assess_records`` on the ``registry.selectors.facts_record`` row —
the same function ``techsme assess`` runs — so the page, the PDF and the CLI agree to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from techsme.incentives.claims import claim_for
from techsme.rules import assess_records, variables_metadata

ELIGIBLE, NOT_ELIGIBLE, UNKNOWN = "eligible", "not_eligible", "unknown"
STATUS_LABELS = {ELIGIBLE: _("Eligible"), NOT_ELIGIBLE: _("Not eligible"), UNKNOWN: _("Unknown")}

# Facts the what-if panel lets a user change (without saving).
WHAT_IF_FIELDS = ("rd_expense", "rd_core_expense", "employees", "tech_staff", "ip_class1", "ip_class2", "revenue",
                  "taxable_income_before_incentives")

ROUTE_LABELS = {
    "score": _("by score (at least 60 points)"),
    "direct": _("direct route (HNTE, award, R&D institution or standard)"),
    "none": _("not qualified"),
}


def lang() -> str:
    return "zh" if (get_language() or "zh").lower().startswith("zh") else "en"


@dataclass
class Incentive:
    key: str
    title: str
    status: str
    amount: Decimal | None  # estimated EIT saving (None: not computable from the facts)
    amount_note: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)  # (label, value) pairs, already formatted
    explained: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    improvements: list[str] = field(default_factory=list)
    legal_basis: list[dict[str, Any]] = field(default_factory=list)
    claim: dict[str, Any] = field(default_factory=dict)
    unconfirmed: bool = False
    note: str = ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


_LABELS: dict[str, dict[str, str]] | None = None


def fact_label(name: str, language: str) -> str:
    global _LABELS
    if _LABELS is None:
        _LABELS = {m["name"]: {"en": m["label_en"], "zh": m["label_zh"]} for m in variables_metadata()}
    return _LABELS.get(name, {}).get(language, name)


def _status(value: Any) -> str:
    if value is None:
        return UNKNOWN
    return ELIGIBLE if value else NOT_ELIGIBLE


def _money(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _render_result(result: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        "variable": result["variable"],
        "label": result["label"][language],
        "value": result["value"],
        "unit": result["unit"],
        "rule": result["rule"][language],
        "missing": [fact_label(n, language) for n in result.get("missing_facts", [])],
        "improvements": [i["text"][language] for i in result.get("improvements", [])],
        "unconfirmed": result.get("unconfirmed", False),
        "note": result.get("note", ""),
        "inputs": [(i["label"][language], i["value"]) for i in result.get("inputs", [])],
    }


def _legal_basis(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for result in results:
        for parameter in result.get("parameters", []):
            citation = parameter["citation"]
            key = (citation["document"], citation["article"])
            entry = seen.setdefault(key, {**citation, "unconfirmed": False, "parameters": []})
            entry["unconfirmed"] = entry["unconfirmed"] or parameter.get("unconfirmed", False)
            if parameter["path"] not in entry["parameters"]:
                entry["parameters"].append(parameter["path"])
        if result.get("formula_citation"):
            seen.setdefault((result["formula_citation"], ""), {"document": result["formula_citation"], "article": "",
                                                               "unconfirmed": False, "parameters": []})
    return sorted(seen.values(), key=lambda c: (c["document"], c["article"]))


def _incentive(key: str, title: Any, status: str, amount: Decimal | None, results: dict[str, Any],
               names: list[str], language: str, **extra: Any) -> Incentive:
    chosen = [results[n] for n in names if n in results]
    rendered = [_render_result(r, language) for r in chosen]
    missing: list[str] = []
    improvements: list[str] = []
    for item in rendered:
        for name in item["missing"]:
            if name not in missing:
                missing.append(name)
        for text in item["improvements"]:
            if text not in improvements:
                improvements.append(text)
    return Incentive(
        key=key, title=str(title), status=status, amount=amount, explained=rendered,
        missing=missing if status == UNKNOWN else [], improvements=improvements,
        legal_basis=_legal_basis(chosen), claim=claim_for(key, language),
        unconfirmed=any(r.get("unconfirmed") for r in chosen), **extra,
    )


TECHSME_RESULTS = ["techsme_condition_resident", "techsme_condition_size", "techsme_condition_industry",
                   "techsme_condition_compliance", "techsme_staff_score", "techsme_rd_score", "techsme_ip_score",
                   "techsme_score", "techsme_direct_route", "techsme_eligible"]


def assess_record(record: dict[str, Any]) -> dict[str, Any]:
    """One facts row → the engine's result row with its explanation (raises ValueError on a bad row)."""
    result = assess_records([record], explain=True)[0]
    if "errors" in result:
        language = lang()
        raise ValueError("; ".join(f"{e['field']}: {e['message_' + language]}" for e in result["errors"]))
    return result


def incentives_from_result(result: dict[str, Any]) -> list[Incentive]:
    """The incentives of one assessed row, in a fixed order, with everything the page and the PDF show."""
    language = lang()
    results = result["explanation"]["results"]
    regime = result["eit_regime"]
    out: list[Incentive] = []

    out.append(_incentive(
        "techsme", _("Registration as a technology-based SME"), _status(result["techsme_eligible"]), None,
        results, TECHSME_RESULTS, language,
        amount_note=str(_("A qualification, not an amount: it gives access to the tech-SME rates and support.")),
        details=[(str(_("Score")), "—" if result["techsme_score"] is None else f"{result['techsme_score']} / 100"),
                 (str(_("Route")), str(ROUTE_LABELS.get(result["techsme_route"], "—")))],
    ))

    rate, extra = result["rd_deduction_rate"], _money(result["rd_extra_deduction"])
    if rate is None or extra is None:
        rd_status = UNKNOWN
    else:
        rd_status = ELIGIBLE if rate > 0 and extra > 0 else NOT_ELIGIBLE
    out.append(_incentive(
        "rd_super_deduction", _("R&D super-deduction"), rd_status, _money(result["eit_saving_rd_deduction"]),
        results, ["rd_deduction_rate", "rd_extra_deduction"], language,
        details=[(str(_("Extra deduction rate")), "—" if rate is None else f"{rate * 100:g}%"),
                 (str(_("Extra deduction")), "—" if extra is None else f"¥{extra:,.2f}")],
    ))

    slp = result["eit_small_low_profit_eligible"]
    slp_amount = _money(result["eit_saving_regime"]) if regime == "small_low_profit" else Decimal("0.00")
    out.append(_incentive(
        "small_low_profit", _("Small low-profit enterprise EIT relief"), _status(slp),
        None if slp is None else slp_amount, results, ["eit_regime", "eit_payable"], language,
    ))

    hnte_cert = bool(result.get("hnte_certificate_valid_input"))
    hnte_amount = _money(result["eit_saving_regime"]) if regime == "hnte" else Decimal("0.00")
    precheck = result["hnte_precheck"]
    hnte = _incentive(
        "hnte", _("High and new technology enterprise (HNTE) 15% rate"),
        ELIGIBLE if hnte_cert else (UNKNOWN if precheck is None else NOT_ELIGIBLE),
        hnte_amount if hnte_cert else None, results, ["hnte_precheck"], language,
        details=[(str(_("Innovation score (computable part)")),
                  f"{result['hnte_innovation_score_low']}–{result['hnte_innovation_score_high']}")],
        note=str(_("The 15% rate needs a valid HNTE certificate; the pre-check shows how far the recognition "
                   "conditions can be judged from the facts held here.")),
    )
    if hnte_cert:
        hnte.missing = []
    out.append(hnte)

    transfer = _money(result["eit_saving_tech_transfer"])
    has_income = bool(result.get("tech_transfer_income_input"))
    out.append(_incentive(
        "tech_transfer", _("Technology-transfer income exemption"),
        ELIGIBLE if has_income and transfer is not None and transfer > 0 else NOT_ELIGIBLE, transfer,
        results, [], language,
        note=str(_("Based on the technology-transfer income recorded in the annual facts.")),
    ))

    out.append(_incentive(
        "six_taxes_two_fees", _("Six taxes and two fees reduction"), _status(result["six_taxes_two_fees_eligible"]),
        None, results, ["six_taxes_two_fees_eligible"], language,
        amount_note=str(_("The amount depends on the local taxes and fees paid, which are not recorded here.")),
    ))
    out.append(_incentive(
        "vat_tech_contract", _("VAT exemption of technology contracts"), UNKNOWN, None, results, [], language,
        note=str(_("Needs the registered technology contracts and VAT figures, which the annual facts do not "
                   "contain.")),
    ))
    out.append(_incentive(
        "vc_deduction", _("Venture-capital 70% deduction (for your investors)"), UNKNOWN, None, results, [],
        language,
        note=str(_("Claimed by investors in start-up technology enterprises; it depends on each investment.")),
    ))
    return out


def consult(record: dict[str, Any]) -> tuple[dict[str, Any], list[Incentive]]:
    """Assess ``record`` and build its incentives (the result row keeps a few input flags the page needs)."""
    result = assess_record(record)
    result["hnte_certificate_valid_input"] = bool(record.get("hnte_certificate_valid"))
    income = record.get("tech_transfer_income")
    result["tech_transfer_income_input"] = bool(income) and Decimal(str(income)) > 0
    return result, incentives_from_result(result)


def total_saving(incentives: list[Incentive]) -> Decimal:
    return sum((i.amount for i in incentives if i.amount is not None and i.status == ELIGIBLE), Decimal("0.00"))
