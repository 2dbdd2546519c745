"""The one place the evaluation app calls the rules engine."""

from typing import Any

from techsme.evaluation.models import Filing


def filing_record(filing: Filing) -> dict[str, Any]:
    """The filing's facts snapshot as a record of the facts contract (typed values) for the rules engine."""
    from techsme.registry.facts_fields import FACT_FIELDS, parse_value

    record: dict[str, Any] = dict(filing.facts)
    for name in FACT_FIELDS:  # the snapshot is JSON: amounts come back as strings
        if name in record:
            record[name] = parse_value(name, record[name])
    record.setdefault("tax_year", filing.facts_year)
    return record


def assess_filing(filing: Filing) -> dict[str, Any]:
    """The rules engine's result (with explanation) for the filing's facts snapshot."""
    from techsme.rules import assess_records  # imported late: the engine is optional at import time

    return assess_records([filing_record(filing)], explain=True)[0]


# The results and keys of an explanation that the filing page renders (``views.common.readable``). A full
# explanation (every variable of the engine with its parameters) is about 100 kB per filing; the routed offline
# filings store this subset (a few kB), so the page shows them without calling the engine.
SHOWN_RESULTS = (
    "techsme_staff_score", "techsme_rd_score", "techsme_ip_score", "techsme_score",
    "techsme_condition_resident", "techsme_condition_size", "techsme_condition_industry",
    "techsme_condition_compliance", "techsme_direct_route", "techsme_eligible",
)
SHOWN_KEYS = ("variable", "label", "value", "rule", "formula_citation", "inputs", "intermediate", "improvements",
              "missing_facts")


def compact_explanation(explanation: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a ``techsme.explanation/v1`` explanation that the filing page shows (same schema, fewer items)."""
    if not isinstance(explanation, dict):
        return None
    results = explanation.get("results") or {}
    return {
        **{k: v for k, v in explanation.items() if k != "results"},
        "results": {name: {k: results[name][k] for k in SHOWN_KEYS if k in results[name]}
                    for name in SHOWN_RESULTS if name in results},
    }
