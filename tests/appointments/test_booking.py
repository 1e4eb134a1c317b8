"""Booking rules: capacity from desks, the office's calendar, the per-person limit, tokens,
blocked slots and their residents, reminders; each refusal changes nothing."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from icalendar import Calendar

from appointments import notices, selectors, services
from appointments.models import Booking, OfficeRules, SlotBlock
from core.errors import ActionRefused
from core.models import AuditEvent

from .conftest import OFFICE, at, open_day, visitor

pytestmark = pytest.mark.django_db


def book(service, starts_at, now, **overrides):
    return services.book(
        service=service, office_code=OFFICE, starts_at=starts_at, now=now, **visitor(**overrides)
    )


def test_slots_follow_the_office_hours_and_service_length(licence, day, now):
    slots = selectors.free_slots_on(licence, OFFICE, day, now=now)
    # cav-norte opens 08:00-16:00: 24 slots of 20 minutes, two desks each.
    assert [slot.starts_at for slot in slots[:2]] == [at(day, 8), at(day, 8, 20)]
    assert slots[-1].starts_at == at(day, 15, 40)
    assert len(slots) == 24 and {slot.free for slot in slots} == {2}


def test_booking_takes_a_desk_and_the_capacity_is_the_desks(licence, day, now):
    first = book(licence, at(day, 10), now, dni="1000001")
    second = book(licence, at(day, 10), now, dni="1000002")
    assert {first.desk.name, second.desk.name} == {"Box 1", "Box 2"}
    with pytest.raises(ActionRefused, match="ya no está libre"):
        book(licence, at(day, 10), now, dni="1000003")
    assert Booking.objects.count() == 2
    assert not [
        s
        for s in selectors.free_slots_on(licence, OFFICE, day, now=now)
        if s.starts_at == at(day, 10)
    ]


def test_the_same_request_twice_is_one_booking(licence, day, now):
    first = book(licence, at(day, 10), now)
    again = book(licence, at(day, 10), now)
    assert again.pk == first.pk and Booking.objects.count() == 1


def test_a_desk_shared_by_two_services_is_not_booked_twice(setup, day, now):
    from appointments.models import Service

    licence = Service.objects.get(code="licencia-de-conducir")
    rates = Service.objects.get(code="tasas-y-patentes")  # 15 min, only Box 2 gives it
    book(licence, at(day, 10), now, dni="1000001")  # Box 1 (first free)
    book(licence, at(day, 10), now, dni="1000002")  # Box 2 until 10:20
    with pytest.raises(ActionRefused, match="ya no está libre"):
        services.book(
            service=rates, office_code=OFFICE, starts_at=at(day, 10, 15), now=now, **visitor()
        )


def test_per_person_limit(licence, day, now):
    book(licence, at(day, 10), now)
    with pytest.raises(ActionRefused, match="ya tiene 1 turno"):
        book(licence, at(day, 11), now)
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    "when, message",
    [
        (lambda day, now: now - timedelta(hours=1), "ya pasó"),
        (lambda day, now: at(day, 7, 40), "no da turnos en ese horario"),
        (lambda day, now: at(day, 16), "no da turnos en ese horario"),
        (lambda day, now: at(day, 10, 5), "no da turnos en ese horario"),
        (lambda day, now: now + timedelta(minutes=20), "muy próximo"),
        (lambda day, now: at(open_day(now.date() + timedelta(days=40)), 10), "hasta el"),
    ],
    ids=["past", "before-opening", "after-closing", "off-the-grid", "too-soon", "beyond-horizon"],
)
def test_times_the_office_refuses(licence, day, now, when, message):
    # The "muy próximo" time must be inside opening hours for the notice rule to be the reason.
    now = at(day, 10) if message == "muy próximo" else now
    with pytest.raises(ActionRefused, match=message):
        book(licence, when(day, now), now)
    assert not Booking.objects.exists()


def test_a_holiday_is_refused_by_name(licence):
    now = at(date(2027, 5, 20), 9)
    with pytest.raises(ActionRefused, match="feriado"):
        book(licence, at(date(2027, 5, 25), 10), now)
    assert not Booking.objects.exists()


def test_office_closures_remove_the_day(licence, day, now):
    assert selectors.free_slots_on(licence, OFFICE, day, now=now)
    place = selectors.office(OFFICE)
    closed = dataclasses.replace(
        place, hours=dataclasses.replace(place.hours, closures=frozenset({day}))
    )
    with mock.patch("appointments.selectors.office", return_value=closed):
        assert selectors.free_slots_on(licence, OFFICE, day, now=now) == []
        with pytest.raises(ActionRefused, match="no da turnos"):
            book(licence, at(day, 10), now)
    assert not Booking.objects.exists()


def test_a_slot_blocked_meanwhile_cannot_be_booked(licence, day, now, employee):
    services.block_slots(
        office_code=OFFICE,
        desk=None,
        starts_at=at(day, 10),
        ends_at=at(day, 11),
        reason="Corte de luz",
        actor=employee,
    )
    with pytest.raises(ActionRefused, match="ya no está libre"):
        book(licence, at(day, 10, 20), now)
    assert not Booking.objects.exists()


def test_blocking_a_desk_moves_or_cancels_and_tells_the_resident(
    licence, day, now, desks, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        on_box1 = book(licence, at(day, 10), now, dni="1000001")
        book(licence, at(day, 10), now, dni="1000002", email="b@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _block, cancelled = services.block_slots(
            office_code=OFFICE,
            desk=desks["Box 1"],
            starts_at=at(day, 9),
            ends_at=at(day, 12),
            reason="Capacitación",
            actor=employee,
        )
    # Box 2 was taken too, so the Box 1 booking could not move: cancelled and told.
    assert [booking.pk for booking in cancelled] == [on_box1.pk]
    on_box1.refresh_from_db()
    assert on_box1.status == Booking.Status.CANCELLED
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"]
    assert (
        "próximos horarios libres" in message.body
        and "/turnos/?servicio=licencia-de-conducir" in message.body
    )
    assert AuditEvent.objects.filter(
        action="appointments.cancelled_by_block", object_id=str(on_box1.pk)
    ).exists()


def test_blocking_moves_a_booking_to_another_free_desk(licence, day, now, desks, employee):
    booking = book(licence, at(day, 10), now)
    services.block_slots(
        office_code=OFFICE,
        desk=booking.desk,
        starts_at=at(day, 10),
        ends_at=at(day, 11),
        reason="Reparación",
        actor=employee,
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED and booking.desk.name == "Box 2"


def test_a_block_that_ends_before_it_starts_is_refused(day, employee, setup):
    with pytest.raises(ActionRefused):
        services.block_slots(
            office_code=OFFICE,
            desk=None,
            starts_at=at(day, 11),
            ends_at=at(day, 10),
            reason="x",
            actor=employee,
        )
    assert not SlotBlock.objects.exists()


def test_confirmation_mail_has_an_ics_and_a_working_manage_link(
    licence, day, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(licence, at(day, 10), now)
    (message,) = mail.outbox
    assert booking.code in message.subject
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".ics") and mimetype == "text/calendar"
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == at(day, 10)
    assert "Belgrano 480" in str(event["location"])
    token = message.body.split("/turnos/gestionar/")[1].split("/")[0]
    assert services.booking_from_token(token) == booking


def test_forged_and_expired_tokens_are_refused(licence, day, now):
    booking = book(licence, at(day, 10), now)
    token = services.manage_token(booking)
    with pytest.raises(ActionRefused, match="no es válido"):
        services.booking_from_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    other_purpose = signing.dumps({"b": booking.pk, "c": booking.code}, salt="something.else")
    with pytest.raises(ActionRefused, match="no es válido"):
        services.booking_from_token(other_purpose)
    with mock.patch("time.time", return_value=__import__("time").time() - 200 * 86400):
        old = services.manage_token(booking)
    with pytest.raises(ActionRefused, match="venció"):
        services.booking_from_token(old)


def test_cancel_until_the_deadline_then_refused(licence, day, now):
    booking = book(licence, at(day, 10), now)
    with pytest.raises(ActionRefused, match="se podía cambiar hasta"):
        services.cancel(booking=booking, now=at(day, 9))  # deadline: 2 h before
    services.cancel(booking=booking, now=now)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    with pytest.raises(ActionRefused, match="ya no está activo"):
        services.cancel(booking=booking, now=now)
    assert list(
        AuditEvent.objects.filter(object_id=str(booking.pk))
        .values_list("action", flat=True)
        .order_by("pk")
    ) == ["appointments.booked", "appointments.cancelled"]


def test_reschedule_moves_the_booking_atomically(licence, day, now):
    booking = book(licence, at(day, 10), now)
    new = services.reschedule(booking=booking, starts_at=at(day, 11), now=now)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and new.starts_at == at(day, 11)
    # A refused new time leaves the old booking as it was.
    book(licence, at(day, 12), now, dni="1000001")
    book(licence, at(day, 12), now, dni="1000002")
    with pytest.raises(ActionRefused, match="ya no está libre"):
        services.reschedule(booking=new, starts_at=at(day, 12), now=now)
    new.refresh_from_db()
    assert new.status == Booking.Status.BOOKED


def test_reminders_go_once_24_hours_before(licence, day, now, django_capture_on_commit_callbacks):
    booking = book(licence, at(day, 10), now)
    assert services.queue_reminders(now=now) == 0  # two days ahead: not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert services.queue_reminders(now=at(day, 10) - timedelta(hours=23)) == 1
    assert services.queue_reminders(now=at(day, 10) - timedelta(hours=22)) == 0
    (message,) = mail.outbox
    assert "Recordatorio" in message.subject and message.attachments
    booking.refresh_from_db()
    assert booking.reminder_sent_at is not None


def test_cancellation_ics_cancels_the_event(licence, day, now):
    booking = book(licence, at(day, 10), now)
    calendar = Calendar.from_ical(notices.ics_for(booking, cancelled=True))
    assert str(calendar["method"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["status"]) == "CANCELLED"


def test_rules_of_the_office_are_configurable(licence, day, now):
    OfficeRules.objects.create(office_code=OFFICE, horizon_days=1)
    with pytest.raises(ActionRefused, match="hasta el"):
        book(licence, at(day, 10), now)
