"""A rebuild running while the periodic task runs: no duplicate rows, no missing day.

Both write the same days at once from separate connections; each day is rewritten whole
under a lock named after it, so they take turns day by day. Proven on PostgreSQL (SQLite
lets one writer at a time anyway).
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection

from indicators.models import CaseDay
from indicators.services import aggregates

from .conftest import at

FIRST, LAST = date(2026, 5, 4), date(2026, 6, 12)


def _fields():
    return [f.name for f in CaseDay._meta.fields if f.name != "id"]


@pytest.mark.django_db(transaction=True)
def test_rebuild_during_the_periodic_run(scenario):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL")
    filed = [scenario.file(FIRST + timedelta(days=offset)) for offset in (0, 1, 8, 15)]
    scenario.approve(filed[0], date(2026, 5, 20))
    scenario.ask_correction(filed[1], date(2026, 5, 21))

    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def work(job):
        try:
            start.wait(timeout=30)
            for _round in range(2):
                job()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    with at(LAST, 23):
        jobs = [
            threading.Thread(target=work, args=(lambda: aggregates.rebuild(FIRST, LAST),)),
            threading.Thread(target=work, args=(lambda: aggregates.refresh(),)),
            threading.Thread(target=work, args=(lambda: aggregates.rebuild(FIRST, LAST),)),
        ]
        for job in jobs:
            job.start()
        for job in jobs:
            job.join(timeout=300)
    assert not errors, errors

    written = list(CaseDay.objects.order_by("day", "procedure", "channel").values_list(*_fields()))
    expected = []
    day = FIRST
    while day <= LAST:
        expected += [
            tuple(getattr(row, name) for name in _fields()) for row in aggregates.compute_day(day)
        ]
        day += timedelta(days=1)
    assert written == expected
    days = set(CaseDay.objects.values_list("day", flat=True))
    # Every day from the first case to the last has its row (the backlog is never empty).
    assert days == {FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)}
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
