"""E-mails to residents about their appointment (Spanish), sent by outbox handlers.

The confirmation and the reminder carry an iCalendar (.ics, RFC 5545) event made with the
``icalendar`` library; a cancellation carries the same UID with METHOD:CANCEL so calendars
remove it. Every mail has the signed link to cancel or reschedule without logging in.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar, Event, vCalAddress, vText

from core import outbox
from core.calendar import LOCAL_TIMEZONE

from . import selectors, services
from .models import Booking

SUBJECTS = {
    "confirmation": "Turno confirmado: {service}, {when} (código {code})",
    "reminder": "Recordatorio: tu turno es mañana, {when} (código {code})",
    "cancelled": "Turno cancelado: {service}, {when} (código {code})",
    "displaced": "Tuvimos que cancelar tu turno del {when}: elegí otro horario",
}
HOST = "turnos"


def manage_url(booking: Booking) -> str:
    return settings.SITE_URL + reverse("appointments:manage", args=[services.manage_token(booking)])


def ics_for(booking: Booking, *, cancelled: bool = False) -> bytes:
    place = selectors.office(booking.office_code)
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.MUNICIPALITY_NAME}//Turnos//ES")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.code}@{HOST}.{settings.SITE_URL.split('://')[-1].split('/')[0]}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.starts_at.astimezone(LOCAL_TIMEZONE))
    event.add("dtend", booking.ends_at.astimezone(LOCAL_TIMEZONE))
    event.add("summary", f"{booking.service.name} — {settings.MUNICIPALITY_NAME}")
    if place is not None:
        event.add("location", vText(f"{place.name.in_language('es')}, {place.address}"))
        organizer = vCalAddress(f"mailto:{place.email}")
        organizer.params["cn"] = vText(place.name.in_language("es"))
        event.add("organizer", organizer)
    event.add(
        "description",
        f"Código de turno: {booking.code}\nCancelar o cambiar: {manage_url(booking)}",
    )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)
    calendar.add_component(event)
    return calendar.to_ical()


def _send(booking_id: int, kind: str) -> None:
    booking = Booking.objects.select_related("service").get(pk=booking_id)
    place = selectors.office(booking.office_code)
    with translation.override(settings.LANGUAGE_CODE):
        when = services.when_text(booking.starts_at)
        context = {
            "booking": booking,
            "office": place,
            "office_name": place.name.in_language("es") if place else booking.office_code,
            "when": when,
            "manage_url": manage_url(booking),
            "book_again_url": settings.SITE_URL
            + reverse("appointments:book")
            + f"?servicio={booking.service.code}&oficina={booking.office_code}",
            "next_times": _next_times(booking) if kind == "displaced" else [],
            "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
        }
        message = EmailMessage(
            SUBJECTS[kind].format(service=booking.service.name, when=when, code=booking.code),
            render_to_string(f"appointments/email/{kind}.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [booking.email],
        )
    if kind in ("confirmation", "reminder"):
        message.attach(f"turno-{booking.code}.ics", ics_for(booking), "text/calendar")
    elif kind in ("cancelled", "displaced"):
        message.attach(
            f"turno-{booking.code}.ics", ics_for(booking, cancelled=True), "text/calendar"
        )
    message.send()


def _next_times(booking: Booking, limit: int = 3) -> list[str]:
    times = []
    for day, _free in selectors.free_days(booking.service, booking.office_code):
        for slot in selectors.free_slots_on(booking.service, booking.office_code, day):
            times.append(services.when_text(slot.starts_at))
            if len(times) >= limit:
                return times
    return times


def send_confirmation(booking_id: int) -> None:
    _send(booking_id, "confirmation")


def send_reminder(booking_id: int) -> None:
    booking = Booking.objects.get(pk=booking_id)
    # Cancelled (or past) since it was queued: nothing to remind.
    if booking.status == Booking.Status.BOOKED and booking.starts_at > timezone.now():
        _send(booking_id, "reminder")


def send_cancelled(booking_id: int) -> None:
    _send(booking_id, "cancelled")


def send_displaced(booking_id: int) -> None:
    _send(booking_id, "displaced")


def register_handlers() -> None:
    outbox.register("appointments.confirmation", send_confirmation)
    outbox.register("appointments.reminder", send_reminder)
    outbox.register("appointments.cancelled", send_cancelled)
    outbox.register("appointments.displaced", send_displaced)
