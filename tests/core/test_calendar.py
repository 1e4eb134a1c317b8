from datetime import date, datetime, timedelta

import pytest

from core.calendar import (
    LOCAL_TIMEZONE,
    OpeningHours,
    OpeningHoursError,
    add_business_days,
    business_days_between,
    holiday_name,
    is_business_day,
)


def test_weekends_and_national_holidays_are_not_business_days():
    assert not is_business_day(date(2026, 12, 25))  # Navidad
    assert not is_business_day(date(2026, 5, 25))  # Revolución de Mayo
    assert not is_business_day(date(2026, 2, 16))  # Carnaval (moves every year)
    assert not is_business_day(date(2026, 11, 21))  # Saturday
    assert not is_business_day(date(2026, 11, 23))  # Soberanía Nacional, moved to Monday
    assert is_business_day(date(2026, 11, 24))


def test_a_deadline_skips_holidays():
    # From Wednesday 23 Dec 2026: 24 (Thu), [25 holiday], [26-27 weekend], 28 (Mon), 29 (Tue).
    assert add_business_days(date(2026, 12, 23), 3) == date(2026, 12, 29)
    assert business_days_between(date(2026, 12, 23), date(2026, 12, 29)) == 3
    assert business_days_between(date(2026, 12, 29), date(2026, 12, 23)) == 0


# --- Opening hours -------------------------------------------------------------------------

OFFICE = OpeningHours.parse({"mon-fri": ["08:00-12:00", "13:00-17:00"], "sat": ["09:00-12:00"]})


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TIMEZONE)


def test_holidays_have_spanish_names():
    assert "Navidad" in holiday_name(date(2026, 12, 25))
    assert holiday_name(date(2026, 11, 24)) == ""


def test_open_time_skips_lunch_nights_weekends_and_holidays():
    # Friday 20 Nov 2026 16:00 -> Tuesday 24 Nov 10:00: 1 h on Friday, 3 h on Saturday,
    # Sunday closed, Monday 23 a holiday, 2 h on Tuesday morning.
    assert OFFICE.open_seconds_between(local(2026, 11, 20, 16), local(2026, 11, 24, 10)) == 6 * 3600
    # Lunch does not count.
    assert OFFICE.open_seconds_between(local(2026, 11, 24, 11), local(2026, 11, 24, 14)) == 2 * 3600
    assert OFFICE.open_seconds_between(local(2026, 11, 24, 14), local(2026, 11, 24, 11)) == 0


def test_a_service_level_due_time_counts_open_time_only():
    # 2 open hours from Friday 16:30: 30 min on Friday, then 09:00-10:30 on Saturday.
    assert OFFICE.add_open_time(local(2026, 11, 20, 16, 30), timedelta(hours=2)) == local(
        2026, 11, 21, 10, 30
    )
    # Started while closed (Sunday): the clock starts on Tuesday (Monday is a holiday).
    assert OFFICE.add_open_time(local(2026, 11, 22, 10), timedelta(minutes=30)) == local(
        2026, 11, 24, 8, 30
    )


def test_next_opening_and_open_at():
    assert OFFICE.is_open_at(local(2026, 11, 24, 8))
    assert not OFFICE.is_open_at(local(2026, 11, 24, 12, 30))
    assert OFFICE.next_opening(local(2026, 11, 24, 12, 30)) == local(2026, 11, 24, 13)
    assert OFFICE.next_opening(local(2026, 11, 24, 9)) == local(2026, 11, 24, 9)
    assert OFFICE.next_opening(local(2026, 11, 21, 18)) == local(2026, 11, 24, 8)


def test_a_day_may_run_to_midnight_and_holidays_can_be_worked():
    always = OpeningHours.parse({"mon-sun": ["00:00-24:00"]}, open_on_holidays=True)
    assert always.is_open_at(local(2026, 12, 25, 23, 59))
    assert always.open_seconds_between(local(2026, 12, 24, 0), local(2026, 12, 26, 0)) == 2 * 86400


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ({"mon-fri": ["8-14"]}, "is not an interval"),
        ({"fri-mon": ["08:00-14:00"]}, "runs backwards"),
        ({"mon": ["08:00-12:00", "11:00-13:00"]}, "overlap"),
        ({"mon": "08:00-12:00"}, "a list of intervals"),
        ({"mon": ["10:00-09:00"]}, "ends before it starts"),
    ],
)
def test_bad_schedules_say_why(spec, reason):
    with pytest.raises(OpeningHoursError, match=reason):
        OpeningHours.parse(spec)
