"""Publishing, showing, expiring and e-mailing service notices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import ActionRefused
from core.models import AuditEvent
from notices import services
from notices.models import Follow, Notice, NoticeEmail
from procedures.models import ProcedureType

from .conftest import TYPE_CODE, make_employee, make_resident, publish

pytestmark = pytest.mark.django_db


def test_a_published_notice_shows_on_home_procedure_page_list_and_feed(client, water_officer):
    procedure = ProcedureType.objects.get(code=TYPE_CODE)
    notice = publish(water_officer, procedure_types=[procedure])

    home = client.get("/").content.decode()
    assert notice.title in home and "Juntá agua para el día." in home
    page = client.get(f"/tramites/{TYPE_CODE}/").content.decode()
    assert "Avisos sobre este trámite" in page and notice.title in page
    listing = client.get("/avisos/").content.decode()
    assert notice.title in listing
    feed = client.get("/avisos/feed/")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert notice.title in feed.content.decode()
    assert client.get(f"/avisos/{notice.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="notice.published").count() == 1


def test_a_notice_about_another_service_stays_off_the_procedure_page(client, water_officer):
    notice = publish(water_officer)
    assert notice.title in client.get("/").content.decode()
    assert notice.title not in client.get(f"/tramites/{TYPE_CODE}/").content.decode()


def test_a_portal_notice_shows_on_every_procedure_page(client, water_officer):
    notice = publish(water_officer, service=Notice.Service.PORTAL, title="Mantenimiento del portal")
    assert notice.title in client.get(f"/tramites/{TYPE_CODE}/").content.decode()


def test_only_staff_of_the_department_publish_and_the_end_follows_the_start(water_officer):
    outsider = make_employee("rentas@example.com", "rentas")
    with pytest.raises(ActionRefused):
        publish(outsider)
    with pytest.raises(ActionRefused):
        publish(water_officer, ends_at=timezone.now() - timedelta(hours=2))
    assert not Notice.objects.exists()


def test_a_notice_ends_on_its_own_and_stays_in_the_history(client, water_officer):
    notice = publish(
        water_officer,
        starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(minutes=1),
    )
    assert notice.title not in client.get("/").content.decode()  # before any sweep
    assert services.close_expired() == 1
    assert services.close_expired() == 0
    notice.refresh_from_db()
    assert notice.closed_at == notice.ends_at
    assert AuditEvent.objects.filter(action="notice.expired").count() == 1
    listing = client.get("/avisos/").content.decode()
    assert "No hay servicios afectados en este momento." in listing
    assert notice.title in listing  # the history
    with pytest.raises(ActionRefused):
        services.add_update(notice=notice, actor=water_officer, text="Tarde")


def test_updates_and_closing(client, water_officer):
    notice = publish(water_officer)
    later = timezone.now() + timedelta(days=1)
    services.add_update(notice=notice, actor=water_officer, text="Sigue el arreglo.", ends_at=later)
    notice.refresh_from_db()
    assert notice.ends_at == later
    assert "Sigue el arreglo." in client.get(f"/avisos/{notice.pk}/").content.decode()
    services.close(notice=notice, actor=water_officer, note="Servicio normalizado.")
    with pytest.raises(ActionRefused):
        services.close(notice=notice, actor=water_officer)
    assert notice.title not in client.get("/").content.decode()
    assert "Servicio normalizado." in client.get(f"/avisos/{notice.pk}/").content.decode()


def test_followers_of_the_service_or_area_get_one_email_per_event(
    water_officer, areas, django_capture_on_commit_callbacks
):
    by_service = make_resident("servicio@example.com", "30111333")
    Follow.objects.create(user=by_service, service=Notice.Service.WATER)
    in_area = make_resident("centro@example.com", "30111444")
    Follow.objects.create(user=in_area, area=areas["centro"])
    elsewhere = make_resident("norte@example.com", "30111555")
    Follow.objects.create(user=elsewhere, area=areas["norte"])
    make_resident("nadie@example.com", "30111666")

    with django_capture_on_commit_callbacks(execute=True):
        notice = publish(water_officer, areas=[areas["centro"]])
    assert sorted(m.to[0] for m in mail.outbox) == ["centro@example.com", "servicio@example.com"]
    assert "Corte de agua en el centro" in mail.outbox[0].subject

    # The outbox item delivered again sends nothing twice.
    assert services.email_followers(notice_id=notice.pk, event="published") == 0
    assert len(mail.outbox) == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.close(notice=notice, actor=water_officer)
    assert len(mail.outbox) == 4
    assert NoticeEmail.objects.filter(event="closed").count() == 2


def test_a_city_wide_notice_reaches_every_area_follower(
    water_officer, areas, django_capture_on_commit_callbacks
):
    follower = make_resident("norte@example.com", "30111555")
    Follow.objects.create(user=follower, area=areas["norte"])
    with django_capture_on_commit_callbacks(execute=True):
        publish(water_officer, service=Notice.Service.LIGHTING)
    assert [m.to[0] for m in mail.outbox] == ["norte@example.com"]


def test_residents_choose_what_to_follow(client, applicant, areas):
    client.force_login(applicant)
    response = client.post(
        "/avisos/seguir/", {"services": ["water", "bogus"], "areas": [areas["norte"].pk]}
    )
    assert response.status_code == 200  # an unknown service is a form error
    assert not Follow.objects.exists()
    client.post("/avisos/seguir/", {"services": ["water"], "areas": [areas["norte"].pk]})
    assert Follow.objects.filter(user=applicant).count() == 2
    assert client.get("/avisos/seguir/").status_code == 200


def test_staff_pages_publish_update_and_close(client, water_officer, areas):
    client.force_login(water_officer)
    assert client.get("/gestion/avisos/").status_code == 200
    response = client.post(
        "/gestion/avisos/nuevo/",
        {
            "department": water_officer.groups.get().department.pk,
            "service": "water",
            "title": "Baja presión",
            "description": "Trabajos en la red.",
            "starts_at": "2026-01-01T08:00",
            "ends_at": "2026-01-01T07:00",
        },
    )
    assert response.status_code == 200 and not Notice.objects.exists()  # end before start
    response = client.post(
        "/gestion/avisos/nuevo/",
        {
            "department": water_officer.groups.get().department.pk,
            "service": "water",
            "title": "Baja presión",
            "description": "Trabajos en la red.",
            "areas": [areas["centro"].pk],
            "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    notice = Notice.objects.get()
    assert response.status_code == 302
    client.post(f"/gestion/avisos/{notice.pk}/novedad/", {"text": "Ya casi."})
    assert notice.updates.get().text == "Ya casi."
    client.post(f"/gestion/avisos/{notice.pk}/cerrar/", {"note": ""})
    notice.refresh_from_db()
    assert notice.closed_at is not None

    outsider = make_employee("rentas@example.com", "rentas")
    client.force_login(outsider)
    assert client.get(f"/gestion/avisos/{notice.pk}/").status_code == 404


def test_a_notice_shows_at_once_on_pages_already_cached(client, water_officer):
    procedure = ProcedureType.objects.get(code=TYPE_CODE)
    client.get("/"), client.get(f"/tramites/{TYPE_CODE}/")  # their shared parts now cached
    notice = publish(water_officer, procedure_types=[procedure])
    assert notice.title in client.get("/").content.decode()
    assert notice.title in client.get(f"/tramites/{TYPE_CODE}/").content.decode()
    services.close(notice=notice, actor=water_officer)
    assert notice.title not in client.get(f"/tramites/{TYPE_CODE}/").content.decode()
