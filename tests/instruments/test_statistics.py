"""Sharing statistics per instrument and institution, compared with the editable reference figures."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from techsme.instruments.models import SharingReference
from techsme.instruments.services import do_record_usage, do_set_reference
from techsme.instruments.stats import report

pytestmark = pytest.mark.django_db
YEAR = 2025


def t(month: int, day: int, hour: int) -> datetime:
    return timezone.make_aware(datetime(YEAR, month, day, hour))


def test_reference_figures_are_rows(lab):
    reference = SharingReference.objects.get(valid_from_year=2019)
    assert (reference.effective_hours, reference.external_hours, reference.sharing_rate) == (
        Decimal("1440.0"), Decimal("240.0"), Decimal("0.1600"))


def test_figures_flags_and_institution_totals(lab, make_instrument, make_user, make_org):
    busy = make_instrument("液相色谱质谱联用仪", fee_internal=Decimal("100.00"), fee_external=Decimal("300.00"))
    idle = make_instrument("气相色谱仪")
    other_org = make_org("enterprise", "440305")
    staff = lab["sz_staff"]
    # 10 days × 8 h internal, 5 days × 8 h external (two organisations), one record in another year.
    for day in range(1, 11):
        do_record_usage(actor=staff, instrument=busy, organisation=lab["sz"], start=t(3, day, 9), end=t(3, day, 17))
    for day in range(1, 6):
        org = lab["ent_a"] if day % 2 else other_org
        do_record_usage(actor=staff, instrument=busy, organisation=org, start=t(4, day, 9), end=t(4, day, 17))
    do_record_usage(actor=staff, instrument=busy, organisation=lab["ent_a"],
                    start=timezone.make_aware(datetime(YEAR + 1, 1, 2, 9)),
                    end=timezone.make_aware(datetime(YEAR + 1, 1, 2, 10)))
    # A low reference so that `busy` passes and `idle` is flagged.
    do_set_reference(actor=make_user("agency_admin", make_org("agency", "440300"), is_superuser=True),
                     valid_from_year=2024, effective_hours=Decimal("100"), external_hours=Decimal("40"),
                     sharing_rate=Decimal("0.16"), flag_share=Decimal("1.00"), citation="test")
    from techsme.instruments.models import Instrument

    result = report(Instrument.objects.filter(owner=lab["sz"]), YEAR)
    assert result.reference.valid_from_year == 2024
    rows = {r.instrument.pk: r for r in result.rows}
    figures = rows[busy.pk].figures
    assert figures.effective_hours == Decimal(120) and figures.external_hours == Decimal(40)
    assert figures.sharing_rate == Decimal("0.3333") and figures.users_served == 2
    assert figures.income == Decimal(80 * 100 + 40 * 300)
    assert rows[busy.pk].flags == []
    assert len(rows[idle.pk].flags) == 3 and result.flagged == [rows[idle.pk]]
    institution = result.institutions[lab["sz"].name]
    assert institution.effective_hours == Decimal(120) and institution.users_served == 2
    # The 2019 reference applies to earlier years: 120 h < 0.5 × 1440 → flagged.
    assert report(Instrument.objects.filter(pk=busy.pk), 2020).rows[0].figures.effective_hours == 0
    SharingReference.objects.filter(valid_from_year=2024).delete()
    assert report(Instrument.objects.filter(pk=busy.pk), YEAR).rows[0].flagged
