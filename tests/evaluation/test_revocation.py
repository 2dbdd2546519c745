"""Revocation: notice → defence by a deadline → decision; a revoked enterprise is barred (3 years for fraud)."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from techsme.core.errors import Conflict, InvalidInput, PermissionDenied
from techsme.evaluation.models import EvaluationYear, Filing, Registration
from techsme.evaluation.selectors import public_revocations, verify_registration
from techsme.evaluation.services import (
    do_revoke_decide,
    do_revoke_defence,
    do_revoke_notice,
    do_start_filing,
)

from .conftest import YEAR

pytestmark = pytest.mark.django_db
TODAY = date(YEAR, 11, 2)


@pytest.fixture(autouse=True)
def _no_first_time_checks(db) -> None:
    EvaluationYear.objects.create(year=YEAR, onsite_check_first_time=False)


def _revoke(flow, registration, ground: str):
    admin = flow["sz"]["admin"]
    revocation = do_revoke_notice(actor=admin, registration=registration, ground=ground,
                                  notice_text="Invoices for R&D were forged.", today=TODAY)
    return do_revoke_decide(actor=admin, revocation=revocation, decision="revoked", reason="Defence not received.",
                            today=revocation.defence_deadline + timedelta(days=1))


def test_notice_defence_decision(flow) -> None:
    (registration,) = flow.registered("sz")
    admin, owner = flow["sz"]["admin"], flow.owner(registration.filing)
    with pytest.raises(PermissionDenied):
        do_revoke_notice(actor=flow["gz"]["admin"], registration=registration, ground="fraud", notice_text="x")
    with pytest.raises(PermissionDenied):
        do_revoke_notice(actor=flow["sz"]["reviewer"], registration=registration, ground="fraud", notice_text="x")
    with pytest.raises(InvalidInput):
        do_revoke_notice(actor=admin, registration=registration, ground="bad manners", notice_text="x")
    revocation = do_revoke_notice(actor=admin, registration=registration, ground="conditions_not_met",
                                  notice_text="Revenue above the limit.", today=TODAY)
    assert revocation.defence_deadline > TODAY and revocation.state == "notice"
    with pytest.raises(Conflict):  # one procedure at a time
        do_revoke_notice(actor=admin, registration=registration, ground="fraud", notice_text="x", today=TODAY)
    with pytest.raises(Conflict):  # the enterprise still has time to defend itself
        do_revoke_decide(actor=admin, revocation=revocation, decision="revoked", reason="x", today=TODAY)
    with pytest.raises(PermissionDenied):
        do_revoke_defence(actor=flow["gz"]["ent_admin"], revocation=revocation, text="x", today=TODAY)
    revocation = do_revoke_defence(actor=owner, revocation=revocation, text="Revenue was restated.", today=TODAY)
    assert revocation.state == "defence"
    with pytest.raises(Conflict):
        do_revoke_defence(actor=owner, revocation=revocation, text="again", today=TODAY)
    revocation = do_revoke_decide(actor=admin, revocation=revocation, decision="not_revoked",
                                  reason="The restated accounts meet the limit.", today=TODAY)
    assert revocation.state == "decided" and revocation.bars_until_year is None
    registration.refresh_from_db()
    assert registration.state == "registered"


def test_defence_after_the_deadline_is_refused(flow) -> None:
    (registration,) = flow.registered("sz")
    revocation = do_revoke_notice(actor=flow["sz"]["admin"], registration=registration, ground="fraud",
                                  notice_text="x", today=TODAY)
    with pytest.raises(Conflict):
        do_revoke_defence(actor=flow.owner(registration.filing), revocation=revocation, text="late",
                          today=revocation.defence_deadline + timedelta(days=1))


def test_revocation_bars_filing_again_the_same_year(flow) -> None:
    (registration,) = flow.registered("sz")
    revocation = _revoke(flow, registration, "conditions_not_met")
    assert revocation.bars_until_year == YEAR
    registration.refresh_from_db()
    assert registration.state == "revoked" and Filing.objects.get(pk=registration.filing_id).state == "revoked"
    assert verify_registration(registration.number)["state"] == "revoked"
    assert public_revocations()[0]["registration__number"] == registration.number
    owner = flow.owner(registration.filing)
    with pytest.raises(Conflict):
        do_start_filing(actor=owner, enterprise=registration.enterprise, year=YEAR)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database agrees: one active filing a year
        Filing.objects.create(enterprise=registration.enterprise, year=YEAR, facts_year=YEAR - 1)
    assert do_start_filing(actor=owner, enterprise=registration.enterprise, year=YEAR + 1).state == "draft"


def test_fraud_bars_for_three_years(flow) -> None:
    (registration,) = flow.registered("sz")
    assert _revoke(flow, registration, "fraud").bars_until_year == YEAR + 3
    owner = flow.owner(registration.filing)
    for year in (YEAR + 1, YEAR + 2, YEAR + 3):
        with pytest.raises(Conflict):
            do_start_filing(actor=owner, enterprise=registration.enterprise, year=year)
    assert do_start_filing(actor=owner, enterprise=registration.enterprise, year=YEAR + 4).year == YEAR + 4


def test_lapsed_registration_can_still_be_revoked(flow) -> None:
    (registration,) = flow.registered("sz")
    Registration.objects.filter(pk=registration.pk).update(state="lapsed")
    Filing.objects.filter(pk=registration.filing_id).update(state="lapsed")
    assert _revoke(flow, registration, "research_misconduct").decision == "revoked"
