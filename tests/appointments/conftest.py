from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from appointments import demo
from appointments.models import Desk, Service
from core.calendar import LOCAL_TIMEZONE
from core.offices import directory

OFFICE = "cav-norte"  # mon-fri 08:00-16:00, sat 09:00-12:00


def open_day(after: date, office: str = OFFICE, *, skip: int = 0) -> date:
    """The first weekday after `after` the office opens (holidays skipped), `skip` more later."""
    hours = directory().office(office).hours
    day = after
    while True:
        day += timedelta(days=1)
        if day.weekday() < 5 and hours.is_open_day(day):
            if skip == 0:
                return day
            skip -= 1


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL_TIMEZONE)


@pytest.fixture
def setup(db):
    demo.set_up()


@pytest.fixture
def licence(setup) -> Service:
    """Two desks at cav-norte give it (Box 1 and Box 2), 20-minute slots."""
    return Service.objects.get(code="licencia-de-conducir")


@pytest.fixture
def desks(setup) -> dict[str, Desk]:
    return {desk.name: desk for desk in Desk.objects.filter(office_code=OFFICE)}


@pytest.fixture
def now() -> datetime:
    """Monday-to-Friday morning, two open days before the day the tests book."""
    today = date.today()
    return at(today, 9)


@pytest.fixture
def day(now) -> date:
    return open_day(now.date(), skip=1)


def visitor(**overrides):
    return {
        "dni": "30111222",
        "full_name": "Ana Vecina",
        "email": "ana@example.com",
        **overrides,
    }


@pytest.fixture
def officer(employee):
    """An employee with an authenticator: staff pages need the second factor."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(
        user=employee, type=Authenticator.Type.TOTP, data={"secret": "A" * 32}
    )
    return employee
