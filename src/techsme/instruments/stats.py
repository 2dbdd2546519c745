"""Sharing statistics per instrument and institution and year, compared with the reference figures (rules.md §5).

- effective machine hours: hours of recorded usage in the year (Asia/Shanghai calendar year, by start time);
- external (shared) hours: usage by organisations other than the owner;
- sharing rate: external hours / effective hours;
- users served: distinct external organisations;
- income: sum of charges.
An instrument is flagged when any of its three figures is below ``flag_share`` × the reference figure (the reference
row that applies to the year, editable by administrators).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.instruments.models import Instrument, SharingReference, UsageRecord

HOURS = Decimal("0.1")
RATE = Decimal("0.0001")


@dataclass
class Figures:
    effective_hours: Decimal = Decimal(0)
    external_hours: Decimal = Decimal(0)
    income: Decimal = Decimal("0.00")
    users: set = field(default_factory=set)

    @property
    def sharing_rate(self) -> Decimal:
        if not self.effective_hours:
            return Decimal(0)
        return (self.external_hours / self.effective_hours).quantize(RATE)

    @property
    def users_served(self) -> int:
        return len(self.users)

    def add(self, usage: UsageRecord) -> None:
        hours = usage.hours
        self.effective_hours += hours
        if usage.external:
            self.external_hours += hours
            self.users.add(usage.organisation_id)
        self.income += usage.charge


@dataclass
class InstrumentRow:
    instrument: Instrument
    figures: Figures
    flags: list[str]

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def as_dict(self) -> dict[str, Any]:
        f = self.figures
        return {
            "instrument_id": self.instrument.pk, "name_zh": self.instrument.name_zh,
            "name_en": self.instrument.name_en, "owner": self.instrument.owner.name,
            "region_code": self.instrument.region_code, "purchase_value": self.instrument.purchase_value,
            "effective_hours": f.effective_hours.quantize(HOURS), "external_hours": f.external_hours.quantize(HOURS),
            "sharing_rate": f.sharing_rate, "users_served": f.users_served, "income": f.income,
            "flags": ", ".join(self.flags),
        }


@dataclass
class Report:
    year: int
    reference: SharingReference | None
    rows: list[InstrumentRow]
    institutions: dict[str, Figures]

    @property
    def flagged(self) -> list[InstrumentRow]:
        return [r for r in self.rows if r.flagged]


def reference_for(year: int) -> SharingReference | None:
    return SharingReference.objects.filter(valid_from_year__lte=year).order_by("-valid_from_year").first()


def flags(figures: Figures, reference: SharingReference | None) -> list[str]:
    if reference is None:
        return []
    share = reference.flag_share
    out = []
    if figures.effective_hours < reference.effective_hours * share:
        out.append(_("effective hours below reference"))
    if figures.external_hours < reference.external_hours * share:
        out.append(_("external hours below reference"))
    if figures.sharing_rate < reference.sharing_rate * share:
        out.append(_("sharing rate below reference"))
    return out


def year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def report(instruments: QuerySet, year: int) -> Report:
    """Figures for each of ``instruments`` (already scoped by the caller) and per owner institution."""
    start, end = year_bounds(year)
    instruments = list(instruments.select_related("owner").order_by("owner__name", "name_zh", "pk"))
    per: dict[int, Figures] = defaultdict(Figures)
    usage = UsageRecord.objects.filter(instrument__in=[i.pk for i in instruments], start__gte=start, start__lt=end)
    for record in usage.only("instrument_id", "organisation_id", "start", "end", "external", "charge"):
        per[record.instrument_id].add(record)
    reference = reference_for(year)
    rows = [InstrumentRow(i, per[i.pk], flags(per[i.pk], reference)) for i in instruments]
    institutions: dict[str, Figures] = defaultdict(Figures)
    for row in rows:
        total = institutions[row.instrument.owner.name]
        total.effective_hours += row.figures.effective_hours
        total.external_hours += row.figures.external_hours
        total.income += row.figures.income
        total.users |= row.figures.users
    return Report(year, reference, rows, dict(institutions))


def report_columns() -> list[tuple[str, str]]:
    return [
        ("instrument_id", _("ID")), ("name_zh", _("Name (Chinese)")), ("name_en", _("Name (English)")),
        ("owner", _("Owner institution")), ("region_code", _("Region code")),
        ("purchase_value", _("Purchase value (yuan)")), ("effective_hours", _("Effective machine hours")),
        ("external_hours", _("External (shared) hours")), ("sharing_rate", _("Sharing rate")),
        ("users_served", _("External users served")), ("income", _("Income (yuan)")), ("flags", _("Flags")),
    ]
