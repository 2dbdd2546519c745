"""On-site check triggers (configurable per year) and the rule that flagged filings need a result before publicity."""

from datetime import date

import pytest
from django.utils import timezone

from techsme.core.errors import Conflict, InvalidInput
from techsme.evaluation.models import EvaluationYear, Filing, Revocation
from techsme.evaluation.services import do_publish_batch, do_record_onsite_check, onsite_reasons

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def not_first_time(db) -> EvaluationYear:
    return EvaluationYear.objects.create(year=YEAR, onsite_check_first_time=False)


def test_first_time_applicant_is_flagged_by_default(flow) -> None:
    filing = flow.submitted("sz")
    assert filing.needs_onsite_check and filing.onsite_reasons == ["first_time"]


def test_ordinary_filing_is_not_flagged_when_first_time_checks_are_off(flow, not_first_time) -> None:
    filing = flow.submitted("sz")
    assert not filing.needs_onsite_check and filing.onsite_reasons == []


@pytest.mark.parametrize(("facts", "reason"), [
    ({"employees": 5, "tech_staff": 1}, "small"),
    ({"employees": 50, "tech_staff": 45}, "tech_share_high"),
    ({"serious_dishonesty": True}, "past_revocation"),
])
def test_each_trigger(flow, not_first_time, facts, reason) -> None:
    filing = flow.submitted("sz", **facts)
    assert filing.needs_onsite_check and filing.onsite_reasons == [reason]


@pytest.mark.parametrize("facts", [{"employees": 6, "tech_staff": 1}, {"employees": 49, "tech_staff": 49},
                                   {"employees": 50, "tech_staff": 44}])
def test_just_outside_the_triggers(flow, not_first_time, facts) -> None:
    assert flow.submitted("sz", **facts).onsite_reasons == []


def test_thresholds_are_settings_of_the_year(flow) -> None:
    EvaluationYear.objects.create(year=YEAR, onsite_check_first_time=False, onsite_max_employees_small=10)
    assert flow.submitted("sz", employees=8, tech_staff=2).onsite_reasons == ["small"]


def test_revocation_in_the_past_years_triggers_and_registered_before_is_not_first_time(flow) -> None:
    (registration,) = flow.registered("sz")
    next_year = Filing(enterprise=registration.enterprise, year=YEAR + 1, facts_year=YEAR, facts={"employees": 30})
    assert onsite_reasons(next_year) == []  # registered before: not a first-time applicant
    Revocation.objects.create(registration=registration, ground="conditions_not_met", notice_text="x",
                              notice_at=timezone.now(), defence_deadline=date(YEAR, 1, 1), state="decided",
                              decision="revoked", decided_at=timezone.now(), bars_until_year=YEAR)
    assert onsite_reasons(next_year) == ["past_revocation"]
    four_years_on = Filing(enterprise=registration.enterprise, year=YEAR + 4, facts_year=YEAR + 3, facts={})
    assert onsite_reasons(four_years_on) == []


def test_flagged_filing_needs_a_check_result_before_publicity(flow) -> None:
    filing = flow.accepted("sz", checked=False)
    agency = flow["sz"]["agency"]
    with pytest.raises(Conflict, match=filing.enterprise.name):
        do_publish_batch(actor=flow.publisher("sz"), agency=agency, filing_ids=[filing.pk])
    with pytest.raises(InvalidInput):
        do_record_onsite_check(actor=flow["sz"]["reviewer"], filing=filing, result="failed")  # notes required
    do_record_onsite_check(actor=flow["sz"]["reviewer"], filing=filing, result="failed", notes="no lab")
    with pytest.raises(Conflict):
        do_publish_batch(actor=flow.publisher("sz"), agency=agency, filing_ids=[filing.pk])
    filing = do_record_onsite_check(actor=flow["sz"]["reviewer"], filing=filing, result="passed", notes="lab seen")
    assert filing.onsite_check_at and filing.state == "accepted"
    batch = do_publish_batch(actor=flow.publisher("sz"), agency=agency, filing_ids=[filing.pk])
    filing.refresh_from_db()
    assert filing.state == "in_publicity" and filing.batch == batch
