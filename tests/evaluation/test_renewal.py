"""The annual update by 31 March of the next year renews a registration; without it the registration lapses."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from techsme.core.errors import Conflict, PermissionDenied
from techsme.evaluation.models import EvaluationYear, Filing
from techsme.evaluation.selectors import verify_registration
from techsme.evaluation.services import do_lapse_registrations, do_record_annual_update
from techsme.registry.models import AnnualFacts

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_first_time_checks(db) -> None:
    EvaluationYear.objects.create(year=YEAR, onsite_check_first_time=False)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=12)))


def test_registrations_without_annual_update_lapse(flow) -> None:
    renewed, forgotten = flow.registered("sz", n=2)
    owner = flow.owner(renewed.filing)
    with pytest.raises(Conflict):  # the facts of the registration year come first
        do_record_annual_update(actor=owner, registration=renewed, now=_at(date(YEAR + 1, 3, 1)))
    AnnualFacts.objects.create(enterprise=renewed.enterprise, tax_year=YEAR, employees=33)
    with pytest.raises(PermissionDenied):
        do_record_annual_update(actor=flow["gz"]["ent_admin"], registration=renewed, now=_at(date(YEAR + 1, 3, 1)))
    do_record_annual_update(actor=owner, registration=renewed, now=_at(date(YEAR + 1, 3, 31)))
    with pytest.raises(Conflict):  # too early: the deadline has not passed
        do_lapse_registrations(actor=None, year=YEAR, today=date(YEAR + 1, 3, 31))
    assert do_lapse_registrations(actor=None, year=YEAR, today=date(YEAR + 1, 4, 1)) == 1
    forgotten.refresh_from_db()
    renewed.refresh_from_db()
    assert forgotten.state == "lapsed" and renewed.state == "registered"
    assert Filing.objects.get(pk=forgotten.filing_id).state == "lapsed"
    assert verify_registration(forgotten.number)["state"] == "lapsed"
    assert do_lapse_registrations(actor=None, year=YEAR, today=date(YEAR + 1, 4, 2)) == 0


def test_annual_update_after_the_deadline_is_refused(flow) -> None:
    (registration,) = flow.registered("sz")
    AnnualFacts.objects.create(enterprise=registration.enterprise, tax_year=YEAR, employees=33)
    with pytest.raises(Conflict):
        do_record_annual_update(actor=flow.owner(registration.filing), registration=registration,
                                now=_at(date(YEAR + 1, 4, 1)))


def test_agency_admin_lapses_only_inside_its_region(flow) -> None:
    (sz,) = flow.registered("sz")
    (gz,) = flow.registered("gz")
    assert do_lapse_registrations(actor=flow["gz"]["admin"], year=YEAR, today=date(YEAR + 1, 4, 1)) == 1
    sz.refresh_from_db()
    gz.refresh_from_db()
    assert (sz.state, gz.state) == ("registered", "lapsed")
    with pytest.raises(PermissionDenied):
        do_lapse_registrations(actor=flow["sz"]["reviewer"], year=YEAR, today=date(YEAR + 1, 4, 1))


def test_lapse_command(flow) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    flow.registered("sz")
    out = StringIO()
    call_command("lapse_registrations", year=YEAR - 1, stdout=out)  # nothing registered that year
    assert "0 registration(s)" in out.getvalue()
    with pytest.raises(CommandError):  # this year's deadline is next 31 March
        call_command("lapse_registrations", year=YEAR, stdout=out)
