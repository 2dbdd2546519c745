"""Registration numbers: default and configured format, per-region sequences, never reused."""

import pytest
from django.db import transaction

from techsme.evaluation import numbering
from techsme.evaluation.models import EvaluationYear, Registration, RegistrationCounter

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_first_time_checks(db) -> None:
    EvaluationYear.objects.create(year=YEAR, onsite_check_first_time=False)


def test_default_format_and_per_region_sequences(flow) -> None:
    sz = flow.registered("sz", n=3)
    gz = flow.registered("gz", n=2)
    sz_region, gz_region = flow["sz"]["enterprise"].region_code, flow["gz"]["enterprise"].region_code
    assert [r.number for r in sz] == [f"{YEAR}{sz_region}{seq:05d}" for seq in (1, 2, 3)]
    assert [r.number for r in gz] == [f"{YEAR}{gz_region}{seq:05d}" for seq in (1, 2)]
    assert [r.seq for r in flow.registered("sz")] == [4]


def test_configured_format(flow, settings) -> None:
    settings.TECHSME_REGISTRATION_NUMBER_FORMAT = "GD-{region6}-{year}-{seq:04d}"
    (registration,) = flow.registered("sz")
    assert registration.number == f"GD-{registration.region6}-{YEAR}-0001"


def test_numbers_are_never_reused(flow) -> None:
    (first,) = flow.registered("sz")
    Registration.objects.filter(pk=first.pk).update(state="revoked")
    (second,) = flow.registered("sz")
    assert second.seq == 2 and second.number != first.number


def test_rolled_back_issue_leaves_no_gap(db) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.issue("440305", YEAR)
        raise RuntimeError("the registration could not be stored")
    with transaction.atomic():
        assert numbering.issue("440305", YEAR) == (1, f"{YEAR}44030500001")
    assert RegistrationCounter.objects.get(region6="440305", year=YEAR).next_seq == 2


@pytest.mark.django_db(transaction=True)
def test_issue_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError):
        numbering.issue("440305", YEAR)
