"""An enterprise starts, edits, attests and submits; a reviewer returns, it resubmits; every decision is kept."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from techsme.core.errors import Conflict, InvalidInput, PermissionDenied
from techsme.core.models import AuditEvent
from techsme.evaluation.models import EvaluationYear, FilingDecision
from techsme.evaluation.services import (
    do_decide_filing,
    do_start_filing,
    do_submit_filing,
    do_update_filing_facts,
)
from techsme.registry.models import IPAsset

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def test_start_prefills_facts_of_the_last_completed_year_and_ip(flow) -> None:
    enterprise = flow.enterprise("sz", employees=42)
    IPAsset.objects.create(enterprise=enterprise, kind="invention_patent", number="ZL1", title="t",
                           granted_on="2024-05-01")
    filing = do_start_filing(actor=enterprise.test_admin, enterprise=enterprise, year=YEAR)
    assert filing.state == "draft" and filing.facts_year == YEAR - 1
    assert filing.facts["employees"] == 42
    assert filing.facts["revenue"] == "20000000.00"
    assert filing.facts["ip_class1"] == 1 and filing.facts["uscc"] == enterprise.uscc
    assert AuditEvent.objects.filter(verb="evaluation.filing.start", object_id=str(filing.pk)).exists()
    with pytest.raises(Conflict):
        do_start_filing(actor=enterprise.test_admin, enterprise=enterprise, year=YEAR)


def test_only_enterprise_staff_of_that_enterprise_start_a_filing(flow) -> None:
    enterprise = flow.enterprise("sz")
    for outsider in (flow["sz"]["reviewer"], flow["gz"]["ent_admin"]):
        with pytest.raises(PermissionDenied):
            do_start_filing(actor=outsider, enterprise=enterprise, year=YEAR)


def test_filing_window_of_the_year_is_enforced(flow) -> None:
    from datetime import date

    EvaluationYear.objects.create(year=YEAR, opens_on=date(YEAR, 6, 30), closes_on=date(YEAR, 9, 30))
    enterprise = flow.enterprise("sz")
    with pytest.raises(Conflict):
        do_start_filing(actor=enterprise.test_admin, enterprise=enterprise, year=YEAR, today=date(YEAR, 10, 1))
    assert do_start_filing(actor=enterprise.test_admin, enterprise=enterprise, year=YEAR, today=date(YEAR, 7, 1))


def test_update_parses_and_checks_facts(flow) -> None:
    filing = flow.draft("sz")
    owner = flow.owner(filing)
    filing = do_update_filing_facts(actor=owner, filing=filing, values={"employees": "55", "tech_staff": 20})
    assert filing.facts["employees"] == 55 and filing.facts["tech_staff"] == 20
    with pytest.raises(InvalidInput) as exc:
        do_update_filing_facts(actor=owner, filing=filing, values={"tech_staff": 80})
    assert exc.value.errors[0].field == "tech_staff"
    with pytest.raises(InvalidInput):
        do_update_filing_facts(actor=owner, filing=filing, values={"nonsense": 1})
    filing.refresh_from_db()
    assert filing.facts["tech_staff"] == 20


def test_submit_needs_the_attestation_and_freezes_the_facts(flow, django_capture_on_commit_callbacks) -> None:
    filing = flow.draft("sz")
    with translation.override("en"), pytest.raises(Conflict, match="attestation"):
        do_submit_filing(actor=filing.test_admin, filing=filing, attestation=False)
    filing.refresh_from_db()
    assert filing.state == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        filing = do_submit_filing(actor=filing.test_admin, filing=filing, attestation=True)
    assert filing.state == "submitted" and filing.attestation and filing.submitted_at
    assert len(mail.outbox) == 1 and flow.owner(filing).email in mail.outbox[0].to
    with pytest.raises(Conflict):
        do_update_filing_facts(actor=flow.owner(filing), filing=filing, values={"employees": 1})
    filing.refresh_from_db()
    assert filing.facts["employees"] == 30


def test_returned_filing_is_corrected_and_resubmitted(flow) -> None:
    filing = flow.submitted("sz")
    reviewer = flow["sz"]["reviewer"]
    with pytest.raises(InvalidInput):
        do_decide_filing(actor=reviewer, filing=filing, decision="return", reason="  ")
    filing = do_decide_filing(actor=reviewer, filing=filing, decision="return", reason="R&D figure missing")
    assert filing.state == "returned"
    owner = flow.owner(filing)
    do_update_filing_facts(actor=owner, filing=filing, values={"rd_expense": Decimal("1600000")})
    filing = do_submit_filing(actor=owner, filing=filing, attestation=True)
    filing = do_decide_filing(actor=reviewer, filing=filing, decision="accept")
    history = list(FilingDecision.objects.filter(filing=filing).values_list("transition", "from_state", "to_state",
                                                                             "reason"))
    assert history == [
        ("submit", "draft", "submitted", ""),
        ("return", "submitted", "returned", "R&D figure missing"),
        ("submit", "returned", "submitted", ""),
        ("accept", "submitted", "accepted", ""),
    ]
    assert AuditEvent.objects.filter(object_type="evaluation.filing", object_id=str(filing.pk)).count() == 6


def test_reject_needs_a_reason_and_frees_the_year(flow) -> None:
    filing = flow.submitted("sz")
    reviewer = flow["sz"]["reviewer"]
    with pytest.raises(InvalidInput):
        do_decide_filing(actor=reviewer, filing=filing, decision="reject")
    do_decide_filing(actor=reviewer, filing=filing, decision="reject", reason="Not a technology enterprise")
    owner = flow.owner(filing)
    again = do_start_filing(actor=owner, enterprise=filing.enterprise, year=YEAR)
    assert again.pk != filing.pk
