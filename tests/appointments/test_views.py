"""The pages, through the test client: every step is a link or a form (no JavaScript)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from appointments import selectors, services
from appointments.models import Booking, SlotBlock, Ticket

from .conftest import OFFICE, at, visitor

pytestmark = pytest.mark.django_db


def test_booking_step_by_step_without_javascript(
    client, licence, day, django_capture_on_commit_callbacks
):
    page = client.get("/turnos/")
    assert "?servicio=licencia-de-conducir" in page.content.decode()
    page = client.get("/turnos/?servicio=licencia-de-conducir")
    assert f"oficina={OFFICE}" in page.content.decode()
    page = client.get(f"/turnos/?servicio=licencia-de-conducir&oficina={OFFICE}")
    assert f"dia={day.isoformat()}" in page.content.decode()
    page = client.get(f"/turnos/?servicio=licencia-de-conducir&oficina={OFFICE}&dia={day}")
    starts = at(day, 10).isoformat()
    assert f'value="{starts}"' in page.content.decode()
    url = f"/turnos/?servicio=licencia-de-conducir&oficina={OFFICE}&dia={day}&hora={starts}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"starts_at": starts, **visitor(dni="30.111.222")})
    booking = Booking.objects.get()
    assert booking.dni == "30111222" and booking.starts_at == at(day, 10)
    assert response.status_code == 302 and "/turnos/gestionar/" in response["Location"]
    assert len(mail.outbox) == 1
    page = client.get(response["Location"])
    assert booking.code in page.content.decode()


def test_bad_input_on_the_booking_form(client, licence, day):
    url = f"/turnos/?servicio=licencia-de-conducir&oficina={OFFICE}&dia={day}&hora=x"
    page = client.post(url, {"starts_at": "mañana", **visitor(dni="abc", email="no")})
    content = page.content.decode()
    assert (
        page.status_code == 200 and "There is a problem" in content or "Hay un problema" in content
    )
    assert not Booking.objects.exists()
    assert client.get("/turnos/?servicio=no-existe").status_code == 404
    assert client.get("/turnos/?servicio=licencia-de-conducir&oficina=cav-sur").status_code == 404
    page = client.get(f"/turnos/?servicio=licencia-de-conducir&oficina={OFFICE}&dia=31-02")
    assert page.status_code == 200


def test_a_refused_time_says_why_and_books_nothing(client, licence, day):
    starts = at(day, 7).isoformat()  # before opening
    url = f"/turnos/?servicio=licencia-de-conducir&oficina={OFFICE}&dia={day}&hora={starts}"
    page = client.post(url, {"starts_at": starts, **visitor()}, follow=True)
    assert "horario" in page.content.decode() or "that time" in page.content.decode()
    assert not Booking.objects.exists()


def test_manage_link_cancels_and_forged_link_is_refused(client, licence, day, now):
    booking = services.book(service=licence, office_code=OFFICE, starts_at=at(day, 10), **visitor())
    token = services.manage_token(booking)
    assert client.get(f"/turnos/gestionar/{token}x/").status_code == 400
    assert client.post(f"/turnos/gestionar/{token}x/cancelar/").status_code == 400
    assert client.get(f"/turnos/gestionar/{token}/cancelar/").status_code == 405
    client.post(f"/turnos/gestionar/{token}/cancelar/")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_reschedule_through_the_link(client, licence, day):
    booking = services.book(service=licence, office_code=OFFICE, starts_at=at(day, 10), **visitor())
    token = services.manage_token(booking)
    starts = at(day, 11).isoformat()
    url = f"/turnos/?servicio=licencia-de-conducir&oficina={OFFICE}&dia={day}&hora={starts}&cambiar={token}"
    response = client.post(url, {"starts_at": starts})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert Booking.objects.get(status="booked").starts_at == at(day, 11)


def test_availability_api(client, licence, day):
    response = client.get(
        f"/turnos/api/disponibilidad.json?servicio=licencia-de-conducir&oficina={OFFICE}&desde={day}&dias=1"
    )
    data = response.json()
    assert data["days"][0]["date"] == day.isoformat()
    assert data["days"][0]["times"][0] == {"start": at(day, 8).isoformat(), "free": 2}
    bad = client.get("/turnos/api/disponibilidad.json?servicio=x&oficina=y&desde=hoy&dias=900")
    assert bad.status_code == 400 and len(bad.json()["errors"]) == 4


def test_kiosk_check_in_and_walk_in(client, licence, setup):
    page = client.post(f"/turnos/recepcion/{OFFICE}/", {"code_or_dni": "NOEXISTE"})
    assert page.status_code == 400 and not Ticket.objects.exists()
    response = client.post(
        f"/turnos/recepcion/{OFFICE}/", {"walk-service": licence.pk, "walk-priority": "on"}
    )
    ticket = Ticket.objects.get()
    assert ticket.priority and response["Location"].endswith(f"/numero/{ticket.pk}/")
    page = client.get(response["Location"])
    assert ticket.number in page.content.decode()
    assert client.get("/turnos/recepcion/no-existe/").status_code == 404


def test_screen_feed_lists_the_last_calls(client, licence, desks, employee):
    ticket = services.walk_in(office_code=OFFICE, service=licence)
    assert client.get(f"/turnos/pantalla/{OFFICE}/llamados.json").json() == {"called": []}
    services.call(ticket=ticket, desk=desks["Box 1"], actor=employee)
    (called,) = client.get(f"/turnos/pantalla/{OFFICE}/llamados.json").json()["called"]
    assert (called["number"], called["desk"]) == (ticket.number, "Box 1")
    assert ticket.number in client.get(f"/turnos/pantalla/{OFFICE}/").content.decode()


def test_staff_pages_are_for_employees(client, resident, setup):
    client.force_login(resident)
    assert client.get("/gestion/turnos/").status_code == 403
    client.logout()
    assert client.get("/gestion/turnos/").status_code == 302


def test_staff_day_list_block_and_console(client, officer, licence, desks, day):
    client.force_login(officer)
    services.book(service=licence, office_code=OFFICE, starts_at=at(day, 10), **visitor())
    page = client.get(f"/gestion/turnos/?oficina={OFFICE}&dia={day}&q=30111222")
    assert "Ana Vecina" in page.content.decode()
    response = client.post(
        f"/gestion/turnos/{OFFICE}/bloquear/",
        {
            "desk": "",
            "day": day.isoformat(),
            "start": "09:00",
            "end": "11:00",
            "reason": "Corte de luz",
        },
    )
    assert response.status_code == 302 and SlotBlock.objects.count() == 1
    assert Booking.objects.get().status == Booking.Status.CANCELLED
    bad = client.post(
        f"/gestion/turnos/{OFFICE}/bloquear/",
        {"desk": "", "day": day.isoformat(), "start": "11:00", "end": "09:00", "reason": "x"},
    )
    assert bad.status_code == 200 and SlotBlock.objects.count() == 1

    ticket = services.walk_in(office_code=OFFICE, service=licence)
    desk = desks["Box 1"]
    client.post(reverse("appointments_staff:console_action", args=[desk.pk, "call_next"]))
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CALLED and ticket.desk == desk
    page = client.get(reverse("appointments_staff:console", args=[desk.pk]))
    assert ticket.number in page.content.decode()
    for action in ("start", "finish"):
        client.post(
            reverse("appointments_staff:console_action", args=[desk.pk, action]),
            {"ticket": ticket.pk},
        )
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.DONE
    assert (
        client.post(
            reverse("appointments_staff:console_action", args=[desk.pk, "explode"])
        ).status_code
        == 404
    )


def test_staff_books_for_a_resident(client, officer, licence, day):
    client.force_login(officer)
    starts = at(day, 10).isoformat()
    url = f"/gestion/turnos/reservar/?servicio=licencia-de-conducir&oficina={OFFICE}&dia={day}&hora={starts}"
    response = client.post(url, {"starts_at": starts, **visitor()})
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.booked_by == officer and booking.user is None


def test_procedure_page_offers_the_booking(client, licence, tmp_path):
    from procedures.catalog import load_catalog
    from procedures.services.catalog import sync_catalog
    from tests.engine.conftest import make_catalog_dir

    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog")))
    assert "?servicio=" not in client.get("/tramites/habilitacion-de-prueba/").content.decode()
    licence.procedure_type_code = "habilitacion-de-prueba"
    licence.save()
    page = client.get("/tramites/habilitacion-de-prueba/").content.decode()
    assert "/turnos/?servicio=licencia-de-conducir" in page


def test_staff_pages_render(client, officer, licence, day):
    client.force_login(officer)
    page = client.get("/gestion/turnos/")
    assert page.status_code == 200 and "palacio-municipal" in page.content.decode()
    assert client.get(f"/gestion/turnos/{OFFICE}/bloquear/").status_code == 200
    assert client.get("/gestion/turnos/no-existe/bloquear/").status_code == 404
    page = client.get(f"/gestion/turnos/reservar/?servicio=licencia-de-conducir&oficina={OFFICE}")
    assert f"dia={day.isoformat()}" in page.content.decode()


def test_beat_tasks(licence, day, now):
    from appointments import tasks

    assert tasks.queue_reminders() == 0
    assert tasks.compute_daily_waits() == 0


def test_the_case_follows_the_visitor_to_the_desk(client, officer, licence, desks, day):
    booking = services.book(
        service=licence,
        office_code=OFFICE,
        starts_at=at(day, 10),
        case_reference="EXP-2026-000042",
        **visitor(),
    )
    ticket = services.check_in(office_code=OFFICE, code_or_dni=booking.code, now=at(day, 9, 55))
    assert ticket.case_reference == "EXP-2026-000042"
    Ticket.objects.filter(pk=ticket.pk).update(
        day=selectors.local_today()
    )  # the console shows today
    services.call(ticket=ticket, desk=desks["Box 1"], actor=officer)
    client.force_login(officer)
    page = client.get(reverse("appointments_staff:console", args=[desks["Box 1"].pk]))
    assert reverse("staff:case", args=["EXP-2026-000042"]) in page.content.decode()


def test_demo_setup_is_idempotent(db):
    from django.core.management import call_command

    from appointments.models import Desk, Service

    call_command("setup_appointments_demo")
    counts = (Service.objects.count(), Desk.objects.count())
    call_command("setup_appointments_demo")
    assert (Service.objects.count(), Desk.objects.count()) == counts == (4, 6)


def test_a_resident_sees_their_appointments(client, resident, licence, day):
    booking = services.book(
        service=licence, office_code=OFFICE, starts_at=at(day, 10), user=resident, **visitor()
    )
    services.book(
        service=licence, office_code=OFFICE, starts_at=at(day, 11), **visitor(dni="1000001")
    )
    assert client.get("/turnos/mis-turnos/").status_code == 302
    client.force_login(resident)
    page = client.get("/turnos/mis-turnos/").content.decode()
    assert booking.code in page and page.count("/turnos/gestionar/") == 1
    assert "/turnos/mis-turnos/" in client.get("/tramites/").content.decode()


def test_home_page_offers_appointments(client, db):
    assert 'href="/turnos/"' in client.get("/").content.decode()


def test_priority_categories_follow_the_office(client, setup):
    from appointments.models import OfficeRules

    assert "mayor de 65" in client.get(f"/turnos/recepcion/{OFFICE}/").content.decode()
    OfficeRules.objects.create(
        office_code=OFFICE, priority_categories="embarazadas, mayores de 70, pacientes oncológicos"
    )
    page = client.get(f"/turnos/recepcion/{OFFICE}/").content.decode()
    assert "mayores de 70, pacientes oncológicos" in page and "mayor de 65" not in page


def test_public_booking_is_rate_limited_per_address(client, licence, day, monkeypatch):
    from appointments import views

    monkeypatch.setattr(views, "BOOKING_LIMIT_PER_ADDRESS", 2)
    base = f"/turnos/?servicio=licencia-de-conducir&oficina={OFFICE}&dia={day}"
    statuses = []
    for hour, dni in ((10, "30111222"), (11, "30111223"), (12, "30111224")):
        starts = at(day, hour).isoformat()
        response = client.post(f"{base}&hora={starts}", {"starts_at": starts, **visitor(dni=dni)})
        statuses.append(response.status_code)
    assert statuses == [302, 302, 429]
    page = response.content.decode()
    assert "Wait an hour" in page or "Esperá una hora" in page
    assert "147" in page  # the contact centre's phone, to book by other means
    assert Booking.objects.count() == 2
    # Another address still books; a form with mistakes is shown again, not counted.
    starts = at(day, 12).isoformat()
    page = client.post(f"{base}&hora={starts}", {"starts_at": starts, **visitor(email="no")})
    assert page.status_code == 200 and Booking.objects.count() == 2
    other = client.post(
        f"{base}&hora={starts}",
        {"starts_at": starts, **visitor(dni="30111224")},
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 302 and Booking.objects.count() == 3
