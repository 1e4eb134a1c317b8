"""Real concurrent connections on PostgreSQL: no overbooking, one winner per ticket call."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from appointments import services
from appointments.models import Booking, Ticket
from core.errors import ActionRefused

from .conftest import OFFICE, at, visitor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (run where it answers)")


def race(count: int, action) -> Counter:
    """Run `action(index)` in `count` threads with their own connections, released together."""
    barrier = threading.Barrier(count)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait()
            try:
                result = action(index)
                outcome = ("ok", getattr(result, "pk", None))
            except ActionRefused:
                outcome = ("refused", None)
            with lock:
                outcomes[outcome] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_fifty_requests_for_the_last_free_place_make_one_booking(licence, day, now):
    services.book(
        service=licence, office_code=OFFICE, starts_at=at(day, 10), now=now, **visitor(dni="999")
    )  # one of the two desks is taken: one place left

    outcomes = race(
        50,
        lambda index: services.book(
            service=licence,
            office_code=OFFICE,
            starts_at=at(day, 10),
            now=now,
            **visitor(dni=f"2000{index:04d}"),
        ),
    )
    assert outcomes[("refused", None)] == 49
    assert Booking.objects.filter(starts_at=at(day, 10), status="booked").count() == 2


def test_the_same_person_clicking_many_times_books_once(licence, day, now):
    outcomes = race(
        10,
        lambda index: services.book(
            service=licence, office_code=OFFICE, starts_at=at(day, 11), now=now, **visitor()
        ),
    )
    (booking,) = Booking.objects.all()
    assert outcomes == Counter({("ok", booking.pk): 10})


def test_two_desks_calling_the_same_ticket_one_wins(licence, desks, employee):
    ticket = services.walk_in(office_code=OFFICE, service=licence)
    outcomes = race(
        2,
        lambda index: services.call(ticket=ticket, desk=desks[f"Box {index + 1}"], actor=employee),
    )
    assert outcomes == Counter({("ok", ticket.pk): 1, ("refused", None): 1})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CALLED


def test_two_desks_calling_next_get_different_visitors(licence, desks, employee):
    first = services.walk_in(office_code=OFFICE, service=licence)
    second = services.walk_in(office_code=OFFICE, service=licence)
    outcomes = race(
        2, lambda index: services.call_next(desk=desks[f"Box {index + 1}"], actor=employee)
    )
    assert outcomes == Counter({("ok", first.pk): 1, ("ok", second.pk): 1})
