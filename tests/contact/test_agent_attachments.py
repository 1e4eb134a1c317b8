"""Agents attach files to their answers: WhatsApp media (upload, then a message naming the
media id, as Meta documents it), e-mail attachments, and downloads on "Mis consultas"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contact import services
from contact.models import Attachment, Conversation, Message
from core.errors import ActionRefused
from core.models import OutboxItem
from tests.engine.conftest import PDF_BYTES, PNG_BYTES, make_resident

from .conftest import RESIDENT_WA, committed, staff_client

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03" + b"\x00" * 200 + b"This program cannot be run in DOS mode"


def answer_with_file(agent, conversation, upload, text="Le enviamos el formulario."):
    with committed():
        return staff_client(agent).post(
            f"/gestion/contacto/{conversation.pk}/responder/",
            {"text": text, "attachment": upload},
            follow=True,
        )


def test_a_pdf_goes_to_whatsapp_as_an_uploaded_document_with_the_text_as_caption(
    whatsapp_conversation, agent, graph
):
    response = answer_with_file(
        agent, whatsapp_conversation, SimpleUploadedFile("formulario.pdf", PDF_BYTES)
    )
    assert "Respuesta en cola" in response.content.decode()
    [upload] = graph.uploads()
    assert upload["messaging_product"] == "whatsapp" and upload["type"] == "application/pdf"
    assert upload["file"]["content"] == PDF_BYTES
    assert upload["file"]["filename"] == "formulario.pdf"
    [media_id] = graph.uploaded
    assert graph.sent() == [
        {
            "messaging_product": "whatsapp",
            "to": RESIDENT_WA,
            "type": "document",
            "document": {
                "id": media_id,
                "caption": "Le enviamos el formulario.",
                "filename": "formulario.pdf",
            },
        }
    ]
    message = Message.objects.get(direction="out")
    assert message.delivery == "sent" and message.external_id.startswith("wamid.FAKE")
    attachment = message.attachments.get()
    assert attachment.state == "stored" and attachment.media_id == media_id
    assert attachment.file.read() == PDF_BYTES


def test_an_image_goes_to_whatsapp_as_an_image(whatsapp_conversation, agent, graph):
    answer_with_file(agent, whatsapp_conversation, SimpleUploadedFile("plano.png", PNG_BYTES), "")
    [sent] = graph.sent()
    assert sent["type"] == "image" and sent["image"] == {"id": next(iter(graph.uploaded))}
    assert graph.uploaded[sent["image"]["id"]]["type"] == "image/png"


def test_an_outage_while_uploading_delays_the_file_and_sends_it_once(
    whatsapp_conversation, agent, graph
):
    graph.failures.append(500)
    answer_with_file(agent, whatsapp_conversation, SimpleUploadedFile("f.pdf", PDF_BYTES))
    message = Message.objects.get(direction="out")
    assert message.delivery == "queued" and "500" not in message.body
    assert graph.sent() == []
    item = OutboxItem.objects.get(kind="contact.send")
    from core import outbox

    with committed():
        outbox.run(item.pk)
    message.refresh_from_db()
    assert message.delivery == "sent" and len(graph.sent()) == 1
    with committed():
        outbox.run(item.pk)  # delivered twice by the queue: nothing more goes out
    assert len(graph.sent()) == 1


@pytest.mark.parametrize(
    ("upload", "says"),
    [
        (SimpleUploadedFile("factura.pdf", EXE), "no un archivo PDF"),
        (SimpleUploadedFile("grande.pdf", PDF_BYTES + b"0" * (30 * 2**20)), "10 MB"),
    ],
    ids=["executable-disguised-as-pdf", "too-big"],
)
def test_a_bad_file_is_refused_with_a_reason_and_nothing_is_sent(
    whatsapp_conversation, agent, graph, upload, says
):
    response = answer_with_file(agent, whatsapp_conversation, upload)
    page = response.content.decode()
    assert "El archivo no se envió" in page and says in page
    assert not Message.objects.filter(direction="out").exists()
    assert not Attachment.objects.exists()
    assert not OutboxItem.objects.filter(kind="contact.send").exists()
    assert graph.received == []
    whatsapp_conversation.refresh_from_db()
    assert whatsapp_conversation.status == "open"
    assert whatsapp_conversation.first_response_at is None


def test_whatsapp_refuses_a_file_with_a_template_or_a_too_long_caption(
    whatsapp_conversation, agent, graph
):
    with pytest.raises(ActionRefused, match="plantilla"):
        services.reply(
            conversation_id=whatsapp_conversation.pk,
            user=agent,
            body="",
            template="aviso",
            attachment=SimpleUploadedFile("f.pdf", PDF_BYTES),
        )
    with pytest.raises(ActionRefused, match="1024"):
        services.reply(
            conversation_id=whatsapp_conversation.pk,
            user=agent,
            body="x" * 1500,
            attachment=SimpleUploadedFile("f.pdf", PDF_BYTES),
        )
    Conversation.objects.filter(pk=whatsapp_conversation.pk).update(
        last_inbound_at=timezone.now() - timedelta(hours=25)
    )
    with pytest.raises(ActionRefused, match="24 horas"):
        services.reply(
            conversation_id=whatsapp_conversation.pk,
            user=agent,
            body="",
            attachment=SimpleUploadedFile("f.pdf", PDF_BYTES),
        )
    assert not Message.objects.filter(direction="out").exists() and graph.sent() == []


def test_an_email_answer_carries_the_file_as_an_attachment(client, team, agent):
    from .test_email import post, postmark

    post(client, postmark())
    conversation = Conversation.objects.get()
    answer_with_file(agent, conversation, SimpleUploadedFile("formulario.pdf", PDF_BYTES))
    sent = mail.outbox[-1]
    assert sent.body == "Le enviamos el formulario."
    assert sent.attachments == [("formulario.pdf", PDF_BYTES, "application/pdf")]
    assert Message.objects.get(direction="out").delivery == "sent"


def test_the_resident_downloads_the_agents_file_on_mis_consultas(client, team, resident, agent):
    client.force_login(resident)
    client.post("/contacto/mis-consultas/nueva/", {"subject": "Poda", "text": "¿Formulario?"})
    conversation = Conversation.objects.get()
    answer_with_file(agent, conversation, SimpleUploadedFile("formulario.pdf", PDF_BYTES))
    attachment = Attachment.objects.get(message__direction="out")
    page = client.get(f"/contacto/mis-consultas/{conversation.pk}/").content.decode()
    link = f"/contacto/mis-consultas/{conversation.pk}/adjuntos/{attachment.token}/"
    assert link in page and "formulario.pdf" in page
    response = client.get(link)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert response["X-Content-Type-Options"] == "nosniff"
    assert 'filename="formulario.pdf"' in response["Content-Disposition"]
    client.force_login(make_resident("otra@example.com", "30999888"))
    assert client.get(link).status_code == 404
