"""Wrong signing PINs are counted per official: each one audited and logged, and too many in a
row lock signing for a while, telling the official and the administrators."""

from __future__ import annotations

import logging

import pytest
from django.core import mail

from core.models import AuditEvent
from documents import services
from documents.demo import enroll_demo_official
from documents.models import OfficialSigningKey
from procedures.models import Case
from tests.engine.conftest import make_employee, make_resident

from .cases import approve_steps, open_task, submitted_case, sync_versions

pytestmark = pytest.mark.django_db

PIN = "2468"


@pytest.fixture
def task(client, tmp_path, settings):
    settings.SIGNING_OFFICIAL_BACKEND = "pkcs12-pin"  # key files: no retry counter of their own
    settings.ADMINS = [("Sistemas", "sistemas@example.com")]
    versions = sync_versions(tmp_path / "catalog")
    official = make_employee("rentas@example.com", "rentas")
    enroll_demo_official(official, role="Directora de Rentas", pin=PIN)
    desk = make_employee("mesa@example.com", "mesa-de-entradas")
    case = submitted_case(versions["resolution"], make_resident("vecina@example.com", "30111222"))
    case = approve_steps(case, {"mesa-de-entradas": desk}, steps=1)
    client.force_login(official)
    task = open_task(case)
    client.post(f"/gestion/tareas/{task.pk}/tomar/")
    task.refresh_from_db()
    return task


def approve(client, task, pin: str):
    return client.post(f"/gestion/tareas/{task.pk}/decidir/", {"decision": "approve", "pin": pin})


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_five_wrong_pins_lock_signing_even_with_the_right_one(
    client, task, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        pages = [text(approve(client, task, "1111")) for _attempt in range(5)]
    assert "quedan 4 intentos antes de que se bloquee la firma por 30 minutos" in pages[0]
    assert "quedan 1 intentos" in pages[3]
    assert "Después de 5 PIN incorrectos tu firma queda bloqueada por 30 minutos" in pages[4]
    assert all("El PIN no es correcto" in page for page in pages)

    response = approve(client, task, PIN)
    assert response.status_code == 400
    assert "Tu firma está bloqueada hasta las" in text(response)
    case = Case.objects.get(process_id=task.process_id)
    assert (case.status, case.current_step) == (Case.Status.SUBMITTED, 1)

    official = task.owner
    assert AuditEvent.objects.filter(action="signing.wrong_pin", actor=official).count() == 5
    assert AuditEvent.objects.filter(action="signing.locked", actor=official).count() == 1
    assert caplog.text.count("wrong signing PIN for rentas@example.com") == 5
    assert "signing locked for rentas@example.com" in caplog.text
    assert "1111" not in caplog.text and PIN not in caplog.text
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["rentas@example.com", "sistemas@example.com"]
    assert "bloqueada" in mail.outbox[0].subject

    key = OfficialSigningKey.objects.get(user=official)
    services.unlock_signing(key=key, actor=make_employee("jefa@example.com", "rentas"))
    assert approve(client, task, PIN).status_code == 302
    assert Case.objects.get(pk=case.pk).current_step == 2


def test_a_right_pin_starts_the_count_again(client, task):
    for _attempt in range(4):
        approve(client, task, "1111")
    key = OfficialSigningKey.objects.get(user=task.owner)
    assert key.failed_pin_attempts == 4
    assert approve(client, task, PIN).status_code == 302
    key.refresh_from_db()
    assert (key.failed_pin_attempts, key.locked_until) == (0, None)
