"""The counter day: check-in, walk-ins, the calling order, the desk's actions, waits and the
daily figures the dashboard reads."""

from __future__ import annotations

from datetime import timedelta

import pytest

from appointments import selectors, services
from appointments.models import Booking, DailyWaits, OfficeRules, Ticket
from core.errors import ActionRefused
from core.models import AuditEvent

from .conftest import OFFICE, at, visitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(licence, day, now):
    return services.book(
        service=licence, office_code=OFFICE, starts_at=at(day, 10), now=now, **visitor()
    )


def test_check_in_with_the_code_or_the_dni(booking, day):
    ticket = services.check_in(
        office_code=OFFICE, code_or_dni=booking.code.lower(), now=at(day, 9, 50)
    )
    assert ticket.number == "A001" and ticket.appointment_at == booking.starts_at
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN
    # A second tap, here with the DNI written with dots, gives the same ticket.
    again = services.check_in(office_code=OFFICE, code_or_dni="30.111.222", now=at(day, 9, 51))
    assert again.pk == ticket.pk
    assert AuditEvent.objects.filter(action="appointments.checked_in").count() == 1


def test_check_in_with_an_unknown_code(booking, day, setup):
    with pytest.raises(ActionRefused, match="No encontramos"):
        services.check_in(office_code=OFFICE, code_or_dni="ZZZZZZZZ", now=at(day, 9, 50))
    with pytest.raises(ActionRefused, match="No encontramos"):
        services.check_in(office_code="cav-sur", code_or_dni=booking.code, now=at(day, 9, 50))
    with pytest.raises(ActionRefused, match="Ingresá tu código"):
        services.check_in(office_code=OFFICE, code_or_dni="  ", now=at(day, 9, 50))
    assert not Ticket.objects.exists()


def test_check_in_with_a_code_of_another_day(booking, day):
    with pytest.raises(ActionRefused, match="no para hoy"):
        services.check_in(
            office_code=OFFICE, code_or_dni=booking.code, now=at(day, 10) - timedelta(days=1)
        )
    # The DNI alone does not reveal the day of someone's appointment.
    with pytest.raises(ActionRefused, match="No encontramos"):
        services.check_in(
            office_code=OFFICE, code_or_dni=booking.dni, now=at(day, 10) - timedelta(days=1)
        )
    assert not Ticket.objects.exists()


def test_late_arrival_becomes_a_walk_in(booking, day):
    ticket = services.check_in(office_code=OFFICE, code_or_dni=booking.code, now=at(day, 10, 16))
    assert ticket.appointment_at is None and ticket.number.startswith("B")


def test_cancelled_booking_cannot_check_in(booking, day, now):
    services.cancel(booking=booking, now=now)
    with pytest.raises(ActionRefused, match="fue cancelado"):
        services.check_in(office_code=OFFICE, code_or_dni=booking.code, now=at(day, 9, 55))


def test_walk_in_for_a_service_the_office_does_not_give(setup):
    from appointments.models import Service

    permits = Service.objects.get(code="habilitaciones")  # only at cav-sur
    with pytest.raises(ActionRefused):
        services.walk_in(office_code=OFFICE, service=permits)
    assert not Ticket.objects.exists()


def test_calling_order_priority_then_due_appointments_then_arrival(
    booking, licence, desks, day, employee
):
    walk_in = services.walk_in(office_code=OFFICE, service=licence, now=at(day, 9, 30))
    with_appointment = services.check_in(
        office_code=OFFICE, code_or_dni=booking.code, now=at(day, 9, 40)
    )
    priority = services.walk_in(
        office_code=OFFICE, service=licence, priority=True, now=at(day, 9, 55)
    )
    order = lambda now: [t.pk for t in selectors.waiting_tickets(OFFICE, now=now)]  # noqa: E731
    # Before 10:00 the appointment is not due: the walk-in who came first goes first.
    assert order(at(day, 9, 58)) == [priority.pk, walk_in.pk, with_appointment.pk]
    assert order(at(day, 10, 1)) == [priority.pk, with_appointment.pk, walk_in.pk]


def test_desk_actions_and_measured_waits(booking, licence, desks, day, employee):
    ticket = services.check_in(office_code=OFFICE, code_or_dni=booking.code, now=at(day, 9, 40))
    desk = desks["Box 1"]
    called = services.call_next(desk=desk, actor=employee, now=at(day, 10, 25))
    assert called.pk == ticket.pk
    with pytest.raises(ActionRefused, match="Primero terminá"):
        services.call_next(desk=desk, actor=employee, now=at(day, 10, 26))
    with pytest.raises(ActionRefused, match="ya no está en ese paso"):
        services.act(ticket=ticket, desk=desk, action="finish", actor=employee)
    with pytest.raises(ActionRefused, match="ya no está en ese paso"):
        services.act(ticket=ticket, desk=desks["Box 2"], action="start", actor=employee)
    services.act(ticket=ticket, desk=desk, action="recall", actor=employee, now=at(day, 10, 26))
    services.act(ticket=ticket, desk=desk, action="start", actor=employee, now=at(day, 10, 27))
    services.act(ticket=ticket, desk=desk, action="finish", actor=employee, now=at(day, 10, 39))
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.DONE and ticket.recalls == 1
    # Came early (9:40) for 10:00: the wait counts from 10:00, 25 minutes, over the 20 standard.
    assert selectors.wait_seconds(ticket) == 25 * 60
    actions = AuditEvent.objects.filter(object_id=str(ticket.pk)).values_list("action", flat=True)
    assert set(actions) >= {
        "appointments.checked_in",
        "appointments.called",
        "appointments.recall",
        "appointments.start",
        "appointments.finish",
    }


def test_live_waits_flag_breaches_against_configurable_standards(licence, employee):
    now = selectors.local_today()
    start = at(now, 8)
    services.walk_in(office_code=OFFICE, service=licence, now=start)
    rows = selectors.current_waits(OFFICE, now=start + timedelta(minutes=61))
    assert rows[0].wait_minutes == 61 and rows[0].standard_minutes == 60 and rows[0].breached
    OfficeRules.objects.create(office_code=OFFICE, standard_without_appointment_minutes=90)
    assert not selectors.current_waits(OFFICE, now=start + timedelta(minutes=61))[0].breached


def test_no_show_and_transfer(booking, licence, desks, day, employee, setup):
    from appointments.models import Service

    ticket = services.check_in(office_code=OFFICE, code_or_dni=booking.code, now=at(day, 9, 55))
    services.call(ticket=ticket, desk=desks["Box 1"], actor=employee)
    services.act(ticket=ticket, desk=desks["Box 1"], action="no_show", actor=employee)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW
    assert AuditEvent.objects.filter(
        action="appointments.no_show", object_type="appointments.booking"
    ).exists()

    walk_in = services.walk_in(office_code=OFFICE, service=licence)
    services.call(ticket=walk_in, desk=desks["Box 1"], actor=employee)
    rates = Service.objects.get(code="tasas-y-patentes")
    moved = services.transfer(ticket=walk_in, desk=desks["Box 1"], service=rates, actor=employee)
    assert moved.status == Ticket.Status.WAITING and moved.service == rates
    assert services.call_next(desk=desks["Box 2"], actor=employee).pk == walk_in.pk
    with pytest.raises(ActionRefused, match="No hay nadie esperando"):
        services.call_next(desk=desks["Box 1"], actor=employee)


def test_daily_figures_per_office_and_service(licence, desks, employee):
    today = selectors.local_today()
    desk = desks["Box 1"]
    for minutes_waited in (5, 10, 30, 70):
        ticket = services.walk_in(office_code=OFFICE, service=licence, now=at(today, 8))
        services.call(
            ticket=ticket,
            desk=desk,
            actor=employee,
            now=at(today, 8) + timedelta(minutes=minutes_waited),
        )
        services.act(
            ticket=ticket,
            desk=desk,
            action="start",
            actor=employee,
            now=at(today, 8) + timedelta(minutes=minutes_waited),
        )
        services.act(
            ticket=ticket,
            desk=desk,
            action="finish",
            actor=employee,
            now=at(today, 8) + timedelta(minutes=minutes_waited + 10),
        )
    absent = services.walk_in(office_code=OFFICE, service=licence, now=at(today, 9))
    services.call(ticket=absent, desk=desk, actor=employee, now=at(today, 9, 2))
    services.act(ticket=absent, desk=desk, action="no_show", actor=employee)

    (row,) = services.compute_daily_waits(today)
    assert (row.tickets, row.served, row.no_shows) == (5, 4, 1)
    assert row.median_wait_seconds == 10 * 60  # waits 2, 5, 10, 30, 70 minutes
    assert row.p90_wait_seconds == 70 * 60
    assert float(row.within_standard_percent) == 80.0  # 70 > 60 without appointment
    assert row.median_service_seconds == 600
    services.compute_daily_waits(today)  # recomputing replaces, never duplicates
    assert DailyWaits.objects.count() == 1
