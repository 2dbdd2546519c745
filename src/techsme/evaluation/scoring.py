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
