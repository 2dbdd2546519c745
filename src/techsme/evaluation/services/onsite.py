"""On-site checks: which triggers apply to a filing, and recording the check's result."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core.errors import FieldError, InvalidInput
from techsme.evaluation.models import (
    EvaluationYear,
    Filing,
    OnsiteReason,
    OnsiteResult,
    Registration,
    Revocation,
    RevocationDecision,
)
from techsme.evaluation.services.common import authorize, lock_filing, move_filing, notify, require_text, to_decimal


def reasons_from(config: EvaluationYear, facts: dict[str, Any], *, revoked_recently: bool,
                  registered_before: bool) -> list[str]:
    """The on-site triggers for one filing's facts, given what the database says about its enterprise."""
    reasons = []
    employees, tech = to_decimal(facts.get("employees")), to_decimal(facts.get("tech_staff"))
    if employees is not None and employees <= config.onsite_max_employees_small:
        reasons.append(OnsiteReason.SMALL.value)
    if (employees is not None and tech is not None and employees >= config.onsite_tech_share_min_employees
            and employees > 0 and tech / employees >= config.onsite_tech_share_high):
        reasons.append(OnsiteReason.TECH_SHARE_HIGH.value)
    if revoked_recently or facts.get("serious_dishonesty") in (True, "true", "True", 1):
        reasons.append(OnsiteReason.PAST_REVOCATION.value)
    if config.onsite_check_first_time and not registered_before:
        reasons.append(OnsiteReason.FIRST_TIME.value)
    return reasons


def onsite_reasons(filing: Filing) -> list[str]:
    """The triggers of the on-site check that apply to the filing (settings of its evaluation year)."""
    config = EvaluationYear.for_year(filing.year)
    since = filing.year - config.onsite_past_revocation_years
    revoked = Revocation.objects.filter(
        registration__enterprise=filing.enterprise_id, decision=RevocationDecision.REVOKED,
        decided_at__year__gte=since,
    ).exists()
    registered_before = Registration.objects.filter(enterprise=filing.enterprise_id, year__lt=filing.year).exists()
    return reasons_from(config, filing.facts, revoked_recently=revoked, registered_before=registered_before)


def onsite_reasons_many(filings: list[Filing]) -> list[list[str]]:
    """``onsite_reasons`` for many filings with three queries (bulk routing of offline filings)."""
    configs = {year: EvaluationYear.for_year(year) for year in {f.year for f in filings}}
    ids = sorted({f.enterprise_id for f in filings})
    first_year: dict[int, int] = {}
    last_revoked: dict[int, int] = {}
    for start in range(0, len(ids), 900):
        part = ids[start:start + 900]
        for enterprise_id, year in Registration.objects.filter(enterprise_id__in=part).values_list(
                "enterprise_id", "year"):
            first_year[enterprise_id] = min(year, first_year.get(enterprise_id, year))
        for enterprise_id, decided_at in Revocation.objects.filter(
                registration__enterprise_id__in=part, decision=RevocationDecision.REVOKED).values_list(
                "registration__enterprise_id", "decided_at"):
            if decided_at is not None:
                year = timezone.localtime(decided_at).year
                last_revoked[enterprise_id] = max(year, last_revoked.get(enterprise_id, year))
    out = []
    for filing in filings:
        config = configs[filing.year]
        revoked = last_revoked.get(filing.enterprise_id, 0) >= filing.year - config.onsite_past_revocation_years
        registered_before = first_year.get(filing.enterprise_id, 9999) < filing.year
        out.append(reasons_from(config, filing.facts, revoked_recently=revoked, registered_before=registered_before))
    return out

def do_record_onsite_check(*, actor: Any, filing: Filing, result: str, notes: str = "",
                           now: datetime | None = None) -> Filing:
    if result not in OnsiteResult.values:
        raise InvalidInput([FieldError("result", _("Choose passed or failed."))])
    if result == OnsiteResult.FAILED:
        notes = require_text("notes", notes, _("Describe what the on-site check found."))
    with transaction.atomic():
        filing = lock_filing(filing)
        authorize(actor, "filing", "onsite_check", filing, filing.state)
        filing.onsite_check_result = result
        filing.onsite_check_notes = notes or ""
        filing.onsite_check_at = now or timezone.now()
        move_filing(filing, "onsite_check", actor, notes or "")
        values = {"name": filing.enterprise.name, "year": filing.year,
                  "result": filing.get_onsite_check_result_display()}
        body = _("The on-site check of %(name)s for the %(year)s evaluation was recorded: %(result)s.") % values
        if notes:
            body += "\n\n" + _("Notes: %(notes)s") % {"notes": notes}
        notify(filing, _("On-site check recorded: %(result)s") % values, body)
    return filing
