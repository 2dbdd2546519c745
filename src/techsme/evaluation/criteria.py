"""The criteria an approval rests on: which of them a filing fails, in codes and in words.

A filing may be accepted (and published, and registered) only when the rules engine found it eligible — every hard
condition met and a score of at least 60 points or a direct route — and no on-site check failed. The codes are the
engine's failure codes (``techsme_fail_reasons``) plus those of the process: ``not_assessed`` (the facts could not be
assessed), ``undetermined`` (facts the decision needs are missing, so eligibility is unknown) and ``onsite_failed``.
The service verbs refuse a decision on a failing filing unless an agency administrator records an override with a
written reason (``services.guards``); the pages and the API show the same words from here.
"""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

NOT_ASSESSED = "not_assessed"
UNDETERMINED = "undetermined"
ONSITE_FAILED = "onsite_failed"
NOT_ELIGIBLE = "not_eligible"  # the engine said "not eligible" without naming a reason

# The rules engine's failure codes (``techsme_fail_reasons``) and the process's own, in words.
CRITERIA = {
    "not_resident_or_unaudited": _("Not a resident enterprise taxed on audited books."),
    "employees_over_limit": _("More employees than the limit of 500."),
    "revenue_over_limit": _("Sales revenue above the limit of 200 million yuan."),
    "assets_over_limit": _("Total assets above the limit of 200 million yuan."),
    "restricted_industry": _("The products or services are in a prohibited, restricted or eliminated industry."),
    "excluded_industry": _("The main business is in an industry excluded from the R&D deduction."),
    "compliance": _("A major accident, a serious violation or a listing for abnormal operation or dishonesty."),
    "score_below_60": _("The total score is below 60 points and no direct route applies."),
    "tech_staff_score_zero": _("The technology-staff score is zero."),
    NOT_ELIGIBLE: _("The assessment found the enterprise not eligible."),
    NOT_ASSESSED: _("The facts could not be assessed."),
    UNDETERMINED: _("Facts are missing, so the eligibility could not be established."),
    ONSITE_FAILED: _("The on-site check failed."),
}


def codes_of(fail_reasons: str | Iterable[str] | None) -> list[str]:
    """The failure codes of a stored ``fail_reasons`` text (``a;b``) or a list."""
    if not fail_reasons:
        return []
    if isinstance(fail_reasons, str):
        fail_reasons = fail_reasons.split(";")
    return [c for c in (str(c).strip() for c in fail_reasons) if c]


def failing(eligible: bool | None, fail_reasons: str | Iterable[str] | None, onsite_result: str = "", *,
            assessed: bool = True) -> list[str]:
    """The criteria failed by an assessment (``eligible``, ``fail_reasons``) and an on-site check result."""
    from techsme.evaluation.models import OnsiteResult

    if not assessed:
        codes = [NOT_ASSESSED]
    elif eligible is None:
        codes = [UNDETERMINED]
    elif eligible:
        codes = []
    else:
        codes = codes_of(fail_reasons) or [NOT_ELIGIBLE]
    if onsite_result == OnsiteResult.FAILED:
        codes.append(ONSITE_FAILED)
    return codes


def failed_criteria(filing: Any) -> list[str]:
    """The criteria the filing fails on its stored assessment (empty: it may be approved)."""
    assessed = filing.assessed_at is not None and not (filing.explanation or {}).get("errors")
    return failing(filing.eligible, filing.fail_reasons, filing.onsite_check_result, assessed=assessed)


def of_result(result: dict[str, Any], onsite_result: str = "") -> list[str]:
    """The criteria failed by a result of the rules engine (``assess_records``)."""
    return failing(result.get("techsme_eligible"), result.get("techsme_fail_reasons"), onsite_result,
                   assessed=not result.get("errors"))


def uncovered(filing: Any, codes: Iterable[str] | None = None) -> list[str]:
    """Failed criteria that no recorded override of the filing covers (``codes``: defaults to the stored ones)."""
    covered = set(filing.override_criteria or []) if filing.override_at else set()
    return [c for c in (failed_criteria(filing) if codes is None else codes) if c not in covered]


def texts(codes: str | Iterable[str] | None) -> list[str]:
    """The criteria in words (an unknown code is shown as it is)."""
    return [str(CRITERIA.get(code, code)) for code in codes_of(codes)]


def summary(filings: Iterable[Any]) -> list[dict[str, Any]]:
    """How many of ``filings`` fail each criterion, most frequent first: ``[{code, label, count}]``."""
    counts = Counter(code for filing in filings for code in failed_criteria(filing))
    return [{"code": code, "label": str(CRITERIA.get(code, code)), "count": n}
            for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def shown_reason(transition: str, reason: str) -> str:
    """The reason of a history row in words (a held registration stores the codes of its criteria)."""
    return " ".join(texts(reason)) if transition == "hold" else reason
