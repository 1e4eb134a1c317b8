"""Residents' "Mis consultas", the public contact form and its abuse control."""

from __future__ import annotations

import pytest

from contact import services
from contact.models import Attachment, Conversation, Message
from tests.engine.conftest import PDF_BYTES, make_resident

from .conftest import committed

pytestmark = pytest.mark.django_db


def test_a_resident_writes_from_the_portal_and_reads_the_answer(client, team, resident, agent):
    client.force_login(resident)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/contacto/mis-consultas/nueva/",
        {
            "subject": "Poda",
            "text": "¿Cuándo podan mi cuadra?",
            "attachment": SimpleUploadedFile("foto.pdf", PDF_BYTES),
        },
        follow=True,
    )
    assert "Mensaje enviado" in response.content.decode()
    conversation = Conversation.objects.get()
    assert conversation.channel == "web" and conversation.contact.user == resident
    assert Attachment.objects.get().state == "stored"
    with committed():
        services.reply(conversation_id=conversation.pk, user=agent, body="La semana próxima.")
    assert Message.objects.get(direction="out").delivery == "sent"
    page = client.get(f"/contacto/mis-consultas/{conversation.pk}/").content.decode()
    assert "La semana próxima." in page and "¿Cuándo podan mi cuadra?" in page
    listing = client.get("/contacto/mis-consultas/").content.decode()
    assert "Poda" in listing
    client.post(f"/contacto/mis-consultas/{conversation.pk}/", {"text": "Gracias"})
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.messages.count() == 3


def test_internal_notes_are_never_shown_to_the_resident(client, team, resident, agent):
    client.force_login(resident)
    client.post("/contacto/mis-consultas/nueva/", {"subject": "Poda", "text": "Hola"})
    conversation = Conversation.objects.get()
    services.add_note(conversation_id=conversation.pk, user=agent, text="Vecino conflictivo")
    page = client.get(f"/contacto/mis-consultas/{conversation.pk}/").content.decode()
    assert "Vecino conflictivo" not in page


def test_a_disguised_executable_upload_is_refused_and_nothing_is_stored(client, team, resident):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(resident)
    exe = b"MZ\x90\x00\x03" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
    response = client.post(
        "/contacto/mis-consultas/nueva/",
        {"text": "Adjunto", "attachment": SimpleUploadedFile("dni.pdf", exe)},
    )
    assert response.status_code == 400 and "no un archivo PDF" in response.content.decode()
    assert not Conversation.objects.exists()


def test_another_residents_conversation_is_not_found(client, team, resident):
    client.force_login(resident)
    client.post("/contacto/mis-consultas/nueva/", {"text": "Hola"})
    conversation = Conversation.objects.get()
    other = make_resident("otra@example.com", "30999888")
    client.force_login(other)
    assert client.get(f"/contacto/mis-consultas/{conversation.pk}/").status_code == 404
    assert (
        client.post(f"/contacto/mis-consultas/{conversation.pk}/", {"text": "intruso"}).status_code
        == 404
    )
    assert conversation.messages.count() == 1


def test_the_contact_form_opens_a_conversation_answered_by_email(client, team):
    response = client.post(
        "/contacto/",
        {
            "name": "Ana",
            "email": "ana@example.net",
            "subject": "Horarios",
            "text": "¿A qué hora abren?",
        },
    )
    assert response.status_code == 200 and "ana@example.net" in response.content.decode()
    conversation = Conversation.objects.get()
    assert conversation.channel == "web" and "formulario" in conversation.tags


def test_the_contact_form_is_rate_limited_per_email_and_per_ip(client, team):
    form = {"name": "Ana", "subject": "Spam", "text": "Hola"}
    statuses = [
        client.post("/contacto/", {**form, "email": "ana@example.net"}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert Message.objects.count() == 3
    # Changing the address does not help: five attempts an hour per visitor (IP).
    more = [
        client.post("/contacto/", {**form, "email": f"x{i}@example.net"}).status_code
        for i in range(2)
    ]
    assert more == [200, 429]
    assert Message.objects.count() == 4
    refused = client.post("/contacto/", {**form, "email": "y@example.net"})
    assert "Esperá una hora" in refused.content.decode()


def test_the_contact_form_says_what_is_missing(client, team):
    response = client.post("/contacto/", {"name": "", "email": "no-es-correo", "text": ""})
    assert response.status_code == 200 and "Hay un problema" in response.content.decode()
    assert not Conversation.objects.exists()


def test_menu_nav_and_footer_links(client, resident):
    assert "/contacto/" in client.get("/").content.decode()
    client.force_login(resident)
    assert "Mis consultas" in client.get("/").content.decode()
