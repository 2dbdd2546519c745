"""Working days by the official Chinese calendar (holidays and adjusted working days).

The ``chinese_calendar`` package knows the State Council's yearly holiday arrangements (including the weekend days
that become working days). An admin-editable table (``evaluation.WorkdayOverride``) takes precedence and covers years
the package does not know yet; without either, a day counts as a working day from Monday to Friday and
``calendar_coverage_warning`` tells the caller that the result is provisional.
"""

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from django.apps import apps
from django.utils.translation import gettext as _


@lru_cache(maxsize=256)
def package_covers(year: int) -> bool:
    """Does the ``chinese_calendar`` package hold the official arrangement for ``year``?"""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _override_model():
    return apps.get_model("evaluation", "WorkdayOverride")


def _overrides(start: date, end: date) -> dict[date, bool]:
    rows = _override_model().objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday")
    return dict(rows)


def _default_is_workday(day: date) -> bool:
    if package_covers(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def is_workday(day: date) -> bool:
    override = _overrides(day, day).get(day)
    return _default_is_workday(day) if override is None else override


def add_workdays(start: date, n: int) -> date:
    """The date of the ``n``-th working day after ``start`` (the day after ``start`` may be the first)."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return start
    found = 0
    window_start = start + timedelta(days=1)
    while True:
        window_end = window_start + timedelta(days=max(31, n * 3))
        overrides = _overrides(window_start, window_end)
        day = window_start
        while day <= window_end:
            override = overrides.get(day)
            if (_default_is_workday(day) if override is None else override):
                found += 1
                if found == n:
                    return day
            day += timedelta(days=1)
        window_start = window_end + timedelta(days=1)


def workdays_between(start: date, end: date) -> int:
    """Working days in the period after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    if end <= start:
        return 0
    overrides = _overrides(start + timedelta(days=1), end)
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        override = overrides.get(day)
        count += _default_is_workday(day) if override is None else override
        day += timedelta(days=1)
    return count


def uncovered_years(start: date, end: date) -> list[int]:
    """Years of the period that neither the package nor any override row covers."""
    model = _override_model()
    return [
        year
        for year in range(start.year, end.year + 1)
        if not package_covers(year) and not model.objects.filter(date__year=year).exists()
    ]


def calendar_coverage_warning(start: date, end: date) -> str | None:
    """A translated warning when the period runs into a year without an official holiday calendar."""
    years = uncovered_years(start, end)
    if not years:
        return None
    return _(
        "The official holiday calendar for %(years)s is not available, so working days in that period are "
        "counted as Monday to Friday. An administrator can enter the holidays and adjusted working days in the "
        "working-day table."
    ) % {"years": ", ".join(str(y) for y in years)}
