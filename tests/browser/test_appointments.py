"""Appointments in a real browser: a resident books (e-mail with .ics, cancel link), and a
counter day: the kiosk, the desk console and the calling screen open in a second page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.models import User
from appointments import demo, services
from appointments.models import Booking, Desk, Service, Ticket
from tests.appointments.conftest import OFFICE, open_day
from tests.browser.test_procedure_flow import PASSWORD, TOTP_SECRET, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_book_get_the_ics_and_cancel_from_the_link(
    live_server, browser, settings, assert_accessible
):
    settings.SITE_URL = live_server.url
    demo.set_up()
    day = open_day(timezone.localdate(), skip=1)
    page = browser.new_context(locale="es-AR").new_page()
    page.goto(f"{live_server.url}/turnos/")
    assert_accessible(page)
    page.get_by_role("link", name="Licencia de conducir").click()
    page.locator(f"a[href*='oficina={OFFICE}']").click()
    page.locator(f"a[href*='dia={day.isoformat()}']").click()
    assert_accessible(page)
    page.get_by_label("10:00").check()
    page.locator("main form button[type=submit]").click()
    page.locator("#id_dni").fill("30111222")
    page.locator("#id_full_name").fill("Ana Vecina")
    page.locator("#id_email").fill("ana@example.com")
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    booking = Booking.objects.get()
    expect(page.locator(".reference")).to_have_text(booking.code)
    assert_accessible(page)

    (message,) = mail.outbox
    _name, content, mimetype = message.attachments[0]
    assert mimetype == "text/calendar"
    assert Calendar.from_ical(content).walk("VEVENT")[0].decoded("dtstart") == booking.starts_at
    link = next(line for line in message.body.splitlines() if "/turnos/gestionar/" in line)

    other = browser.new_context(locale="es-AR").new_page()  # no session: only the link
    other.goto(link.strip())
    expect(other.locator(".reference")).to_have_text(booking.code)
    other.locator("main form button[type=submit]").click()
    expect(other.locator(".messages")).to_be_visible()
    assert_accessible(other)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert len(mail.outbox) == 2 and "cancelado" in mail.outbox[1].subject


def make_officer(email: str) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, full_name="Agente de mostrador")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    department = account_services.ensure_department(code="cav", name="Centros de atención")
    account_services.make_employee(user=user, departments=[department], actor=None)
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
    )
    return user


def test_counter_day_with_the_calling_screen(live_server, browser, assert_accessible):
    demo.set_up()
    make_officer("mostrador@example.com")
    licence = Service.objects.get(code="licencia-de-conducir")
    desk = Desk.objects.get(office_code=OFFICE, name="Box 1")
    # Today's appointment, created directly: the test runs whatever the day and hour.
    soon = timezone.now()
    Booking.objects.create(
        code="TEST7777", service=licence, office_code=OFFICE, desk=desk, starts_at=soon,
        ends_at=soon + timedelta(minutes=20), dni="30111222", full_name="Ana Vecina",
        email="ana@example.com",
    )  # fmt: skip
    base = live_server.url

    screen = browser.new_context(locale="es-AR").new_page()
    screen.goto(f"{base}/turnos/pantalla/{OFFICE}/")
    expect(screen.locator("#chime-toggle")).to_be_visible()
    assert_accessible(screen)

    kiosk = browser.new_context(locale="es-AR").new_page()
    kiosk.goto(f"{base}/turnos/recepcion/{OFFICE}/")
    assert_accessible(kiosk)
    kiosk.locator("#id_code_or_dni").fill("test7777")
    kiosk.locator("#id_code_or_dni").press("Enter")  # the keyboard is enough
    expect(kiosk.locator(".ticket-number")).to_have_text("A001")
    expect(kiosk.locator("#print-ticket")).to_be_visible()
    assert_accessible(kiosk)

    desk_page = browser.new_context(locale="es-AR").new_page()
    log_in(desk_page, base, "mostrador@example.com", with_totp=True)
    desk_page.goto(f"{base}/gestion/turnos/puesto/{desk.pk}/")
    assert_accessible(desk_page)
    desk_page.locator("main form[action$='/call_next/'] button").click()
    expect(desk_page.locator(".ticket-number")).to_have_text("A001")
    # The screen shows the call by itself, within two seconds.
    expect(screen.locator("#called tr.latest")).to_contain_text("A001", timeout=2000)
    expect(screen.locator("#called tr.latest")).to_contain_text("Box 1")
    desk_page.locator("main form[action$='/start/'] button").click()
    desk_page.locator("main form[action$='/finish/'] button").click()
    expect(desk_page.locator("main form[action$='/call_next/']")).to_be_visible()
    assert Ticket.objects.get(number="A001").status == Ticket.Status.DONE

    # The screen loses its connection, says so, and recovers without a reload.
    screen.route("**/llamados.json", lambda route: route.abort())
    expect(screen.locator("#connection")).not_to_be_empty()
    walk_in = services.walk_in(office_code=OFFICE, service=licence)
    services.call(ticket=walk_in, desk=desk, actor=None)
    screen.unroute("**/llamados.json")
    expect(screen.locator("#called tr.latest")).to_contain_text(walk_in.number, timeout=3000)
    expect(screen.locator("#connection")).to_be_empty()
