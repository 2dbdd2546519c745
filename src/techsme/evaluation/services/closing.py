"""The close of publicity: the facts are scored again; a filing that no longer passes is held, not numbered.

Between acceptance and the close, the registry may learn more about an enterprise: a listing for dishonesty, a new
industry classification, corrected annual facts. ``closing_record`` is what the close scores: the facts frozen at
submission, with the enterprise's current region, industry and founding date, and — when the registry's facts of the
same tax year were changed after the submission — those later facts. A filing whose new score fails a criterion that
no recorded override covers is held (state ``held``, reasons stored on the filing and in its history, both sides told
by e-mail). The agency then rejects it, or registers it (``do_register_held``) once it passes or by an override.
"""

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.evaluation import criteria, numbering
from techsme.evaluation.models import Filing, Registration
from techsme.evaluation.services.common import (
    audit_event,
    authorize,
    lock_filing,
    move_filing,
    notify,
    notify_agency,
    notify_state,
)
from techsme.evaluation.services.guards import guard_approval
from techsme.registry.models import AnnualFacts

logger = logging.getLogger(__name__)


def closing_record(filing: Filing) -> dict[str, Any]:
    """The facts scored at the close (see the module text)."""
    from techsme.evaluation.scoring import filing_record
    from techsme.registry.selectors import facts_record

    enterprise = filing.enterprise
    record = filing_record(filing)
    record.update(region_code=enterprise.region_code, industry_code=enterprise.industry_code,
                  founded_on=enterprise.founded_on.isoformat())
    facts = AnnualFacts.objects.filter(enterprise=enterprise, tax_year=filing.facts_year).first()
    if facts is not None and filing.submitted_at is not None and facts.updated_at > filing.submitted_at:
        record.update(facts_record(enterprise, facts))
    return record


def closing_failures(filings: list[Filing]) -> dict[int, list[str]]:
    """Filing id → the criteria its closing facts fail (one vectorised call of the rules engine)."""
    from techsme.rules import assess_records

    if not filings:
        return {}
    try:
        results = assess_records([closing_record(f) for f in filings])
    except Exception:  # the engine failed: nothing may be registered unassessed
        logger.exception("closing assessment of %d filings failed", len(filings))
        return {f.pk: [criteria.NOT_ASSESSED] for f in filings}
    return {f.pk: criteria.of_result(r, f.onsite_check_result) for f, r in zip(filings, results, strict=True)}


def issue_registration(filing: Filing, actor: Any, transition: str, now: datetime) -> Registration:
    """Number the filing (its counter already locked), move it to ``registered`` and tell the enterprise."""
    region6 = filing.enterprise.region_code
    seq, number = numbering.issue(region6, filing.year)
    registration = Registration.objects.create(filing=filing, enterprise=filing.enterprise, number=number,
                                               region6=region6, year=filing.year, seq=seq, issued_at=now,
                                               state_changed_at=now)
    move_filing(filing, transition, actor, registration.number, now)
    audit_event(actor, "evaluation.registration.issue", registration, filing, number=registration.number)
    notify(filing, _("Tech-SME registration %(number)s") % {"number": registration.number},
           _("%(name)s is registered as a technology-based SME for %(year)s with the number %(number)s.") % {
               "name": filing.enterprise.name, "year": filing.year, "number": registration.number})
    return registration


def hold(filing: Filing, codes: list[str], actor: Any, now: datetime) -> None:
    """Hold the filing's registration: the reasons (codes) on the filing and in its history; both sides told."""
    filing.hold_reasons = codes
    filing.held_at = now
    move_filing(filing, "hold", actor, ";".join(codes), now)
    reasons = " ".join(criteria.texts(codes))
    notify_state(filing, reasons)
    values = {"name": filing.enterprise.name, "year": filing.year, "reasons": reasons}
    notify_agency(filing.enterprise.region_code, _("Registration held: %(name)s") % values,
                  _("At the close of publicity the facts of %(name)s (%(year)s) no longer pass: %(reasons)s The "
                    "registration is held; register it once it passes (or by an override), or reject it.") % values)


def do_register_held(*, actor: Any, filing: Filing, override: bool = False, override_reason: str = "") -> Registration:
    """Register a held filing: its facts are scored again now; failing ones need an agency administrator's override."""
    with transaction.atomic():
        filing = lock_filing(filing)
        authorize(actor, "filing", "release", filing, filing.state)
        failures = closing_failures([filing])
        guard_approval(actor=actor, filings=[filing], step="release", override=override,
                       override_reason=override_reason, failed=lambda f: failures[f.pk])
        numbering.lock_counters([(filing.enterprise.region_code, filing.year)])
        return issue_registration(filing, actor, "release", timezone.now())
