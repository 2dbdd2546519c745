"""Working days by the official Chinese calendar, with the admin override table and the coverage warning."""

from datetime import date

import chinese_calendar
import pytest
from django.utils import translation

from techsme.core.workdays import add_workdays, calendar_coverage_warning, is_workday, workdays_between
from techsme.evaluation.models import WorkdayOverride

pytestmark = pytest.mark.django_db


def test_2024_national_day_holiday_and_adjusted_working_days() -> None:
    # The 2024 arrangement: 1–7 October off; Sunday 29 September and Saturday 12 October are working days.
    assert chinese_calendar.is_workday(date(2024, 9, 29)) and date(2024, 9, 29).weekday() == 6
    assert chinese_calendar.is_workday(date(2024, 10, 12)) and date(2024, 10, 12).weekday() == 5
    assert not any(chinese_calendar.is_workday(date(2024, 10, d)) for d in range(1, 8))
    # From Thursday 26 September: 27 Sep, 29 Sep (Sun), 30 Sep, 8–12 Oct (incl. Sat 12), 14 Oct, 15 Oct.
    assert add_workdays(date(2024, 9, 26), 10) == date(2024, 10, 15)
    assert workdays_between(date(2024, 9, 26), date(2024, 10, 15)) == 10
    assert add_workdays(date(2024, 9, 26), 1) == date(2024, 9, 27)  # the day after the start is the first
    assert add_workdays(date(2024, 9, 27), 1) == date(2024, 9, 29)  # a Sunday that is a working day
    assert add_workdays(date(2024, 9, 26), 0) == date(2024, 9, 26)


def test_override_takes_precedence() -> None:
    WorkdayOverride.objects.create(date=date(2024, 10, 14), is_workday=False, note="local typhoon day")
    assert not is_workday(date(2024, 10, 14))
    assert add_workdays(date(2024, 9, 26), 10) == date(2024, 10, 16)
    WorkdayOverride.objects.create(date=date(2024, 10, 13), is_workday=True)
    assert add_workdays(date(2024, 9, 26), 10) == date(2024, 10, 15)


def test_years_the_package_lacks_count_weekdays_and_warn() -> None:
    start = date(2040, 1, 1)  # a Sunday; the package has no 2040 arrangement
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(start)
    assert add_workdays(start, 10) == date(2040, 1, 13)  # Mon 2 Jan … Fri 13 Jan: ten weekdays
    with translation.override("en"):
        warning = calendar_coverage_warning(start, date(2040, 1, 14))
    assert warning and "2040" in warning
    assert calendar_coverage_warning(date(2024, 9, 26), date(2024, 10, 15)) is None


def test_override_rows_cover_a_missing_year() -> None:
    WorkdayOverride.objects.create(date=date(2040, 1, 2), is_workday=False, note="New Year (observed)")
    assert calendar_coverage_warning(date(2040, 1, 1), date(2040, 1, 20)) is None
    assert add_workdays(date(2040, 1, 1), 1) == date(2040, 1, 3)


def test_period_running_into_the_next_year_warns_only_for_the_missing_year() -> None:
    last_known = max(y for y in range(2004, 2100) if _covered(y))
    warning = calendar_coverage_warning(date(last_known, 12, 20), date(last_known + 1, 1, 10))
    assert warning and str(last_known + 1) in warning and str(last_known) + "," not in warning


def _covered(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True
