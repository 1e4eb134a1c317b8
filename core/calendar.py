"""Working time in the municipality: business days, opening hours and closures.

Business days are Monday to Friday minus Argentine national holidays, taken
from the `holidays` package (maintained yearly, includes the "feriados puente"
decreed for tourism). Opening hours are weekly intervals in local time
(America/Argentina/Buenos_Aires); an office or a team is closed on holidays
and on its own closure dates. Deadlines of cases count business days;
service levels of the contact centre and the counters count open minutes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LOCAL_TIMEZONE = ZoneInfo("America/Argentina/Buenos_Aires")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@lru_cache(maxsize=32)
def _holidays_of(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("AR", years=year))


def is_holiday(day: date) -> bool:
    return day in _holidays_of(day.year)


def holiday_name(day: date) -> str:
    """The holiday's name in Spanish, or "" on an ordinary day."""
    return holidays.country_holidays("AR", years=day.year, language="es").get(day, "") or ""


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def add_business_days(start: date, days: int) -> date:
    """The business day `days` business days after `start` (start itself not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (0 if end <= start)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count


class OpeningHoursError(ValueError):
    """A weekly schedule that cannot be read; the message says where and why."""


_INTERVAL = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


@dataclass(frozen=True)
class OpeningHours:
    """When a place is open: intervals per weekday (0 = Monday), closed on holidays and closures."""

    intervals: tuple[tuple[tuple[time, time], ...], ...] = field(default_factory=lambda: ((),) * 7)
    closures: frozenset[date] = frozenset()
    open_on_holidays: bool = False

    @classmethod
    def parse(
        cls,
        spec: Mapping[str, Iterable[str]],
        *,
        closures: Iterable[date] = (),
        open_on_holidays: bool = False,
    ) -> OpeningHours:
        """Read ``{"mon-fri": ["08:00-14:00"], "sat": ["09:00-12:00"]}``.

        Keys are a weekday (mon..sun) or a range of them ("mon-fri"); values are
        "HH:MM-HH:MM" intervals, which must not overlap within a day.
        """
        days: list[list[tuple[time, time]]] = [[] for _ in WEEKDAYS]
        for key, values in spec.items():
            for weekday in _weekdays_of(key):
                if isinstance(values, str):
                    raise OpeningHoursError(f"{key}: a list of intervals is expected")
                for text in values:
                    days[weekday].append(_interval_of(key, text))
        for weekday, day in enumerate(days):
            day.sort()
            for (_, end), (start, _) in zip(day, day[1:], strict=False):
                if start < end:
                    raise OpeningHoursError(f"{WEEKDAYS[weekday]}: intervals overlap")
        return cls(
            intervals=tuple(tuple(day) for day in days),
            closures=frozenset(closures),
            open_on_holidays=open_on_holidays,
        )

    def is_open_day(self, day: date) -> bool:
        if day in self.closures or (not self.open_on_holidays and is_holiday(day)):
            return False
        return bool(self.intervals[day.weekday()])

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open periods of a day as aware local datetimes (none when closed)."""
        if not self.is_open_day(day):
            return []
        periods = []
        for start, end in self.intervals[day.weekday()]:
            begins = datetime.combine(day, start, LOCAL_TIMEZONE)
            # "24:00" is stored as time.max: the period runs to midnight.
            ends = (
                datetime.combine(day + timedelta(days=1), time(0), LOCAL_TIMEZONE)
                if end == time.max
                else datetime.combine(day, end, LOCAL_TIMEZONE)
            )
            periods.append((begins, ends))
        return periods

    def is_open_at(self, moment: datetime) -> bool:
        local = moment.astimezone(LOCAL_TIMEZONE)
        return any(start <= local < end for start, end in self.periods_on(local.date()))

    def next_opening(self, moment: datetime, *, horizon_days: int = 60) -> datetime | None:
        """The start of the next open period at or after `moment` (itself if open then)."""
        local = moment.astimezone(LOCAL_TIMEZONE)
        for start, end in self._periods_from(local.date(), horizon_days):
            if end > local:
                return max(start, local)
        return None

    def open_seconds_between(self, start: datetime, end: datetime) -> float:
        """Seconds the place is open between two moments (0 if end <= start)."""
        if end <= start:
            return 0.0
        start, end = start.astimezone(LOCAL_TIMEZONE), end.astimezone(LOCAL_TIMEZONE)
        total = 0.0
        for period_start, period_end in self._periods_from(start.date(), None):
            if period_start >= end:
                break
            overlap = min(period_end, end) - max(period_start, start)
            total += max(overlap.total_seconds(), 0.0)
        return total

    def add_open_time(self, start: datetime, delta: timedelta) -> datetime:
        """The moment when `delta` of open time has passed since `start` (a service-level due time)."""
        remaining = delta.total_seconds()
        local = start.astimezone(LOCAL_TIMEZONE)
        for period_start, period_end in self._periods_from(local.date(), 3660):
            if period_end <= local:
                continue
            begins = max(period_start, local)
            available = (period_end - begins).total_seconds()
            if remaining <= available:
                return begins + timedelta(seconds=remaining)
            remaining -= available
        raise OpeningHoursError("never open in the next ten years")

    def _periods_from(
        self, day: date, horizon_days: int | None
    ) -> Iterator[tuple[datetime, datetime]]:
        if not any(self.intervals):
            return
        offset = 0
        while horizon_days is None or offset <= horizon_days:
            yield from self.periods_on(day + timedelta(days=offset))
            offset += 1


def _weekdays_of(key: str) -> list[int]:
    first, _, last = key.strip().lower().partition("-")
    if first not in WEEKDAYS or (last and last not in WEEKDAYS):
        raise OpeningHoursError(f"{key}: not a weekday or a range such as mon-fri")
    if not last:
        return [WEEKDAYS.index(first)]
    begin, end = WEEKDAYS.index(first), WEEKDAYS.index(last)
    if end < begin:
        raise OpeningHoursError(f"{key}: the range runs backwards")
    return list(range(begin, end + 1))


def _interval_of(key: str, text: str) -> tuple[time, time]:
    match = _INTERVAL.match(str(text).strip())
    if not match:
        raise OpeningHoursError(f"{key}: {text!r} is not an interval such as 08:00-14:00")
    start = time(int(match[1]), int(match[2]))
    end_hour, end_minute = int(match[3]), int(match[4])
    if end_hour == 24 and end_minute:
        raise OpeningHoursError(f"{key}: {text!r} ends after midnight")
    end = time.max if end_hour == 24 else time(end_hour, end_minute)
    if end <= start:
        raise OpeningHoursError(f"{key}: {text!r} ends before it starts")
    return start, end
