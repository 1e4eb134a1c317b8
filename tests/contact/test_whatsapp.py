"""The WhatsApp Cloud API webhook and sending, against the local fake Graph API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contact import services
from contact.models import Attachment, Contact, Conversation, Message
from contact.whatsapp import WhatsAppError
from core import outbox
from core.models import OutboxItem
from tests.engine.conftest import PDF_BYTES

from .conftest import (
    APP_SECRET,
    RESIDENT_WA,
    VERIFY_TOKEN,
    WEBHOOK,
    committed,
    post_webhook,
    wa_message,
    wa_status,
)

pytestmark = pytest.mark.django_db


def test_verification_echoes_the_challenge_only_with_the_right_token(client, graph):
    ok = client.get(
        WEBHOOK,
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = client.get(
        WEBHOOK,
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"},
    )
    assert wrong.status_code == 403 and b"1158201444" not in wrong.content
    not_subscribe = client.get(
        WEBHOOK, {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"}
    )
    assert not_subscribe.status_code == 403


def test_unsigned_or_wrongly_signed_posts_are_refused_and_store_nothing(client, graph, team):
    payload = wa_message("wamid.A1", "Hola")
    assert post_webhook(client, payload, signature="").status_code == 401
    assert post_webhook(client, payload, secret="not-the-secret").status_code == 401
    assert post_webhook(client, payload, signature="sha256=deadbeef").status_code == 401
    assert not Message.objects.exists() and not Contact.objects.exists()


def test_a_message_opens_a_conversation_matched_to_the_resident_by_phone(
    client, graph, team, resident
):
    response = post_webhook(client, wa_message("wamid.A1", "Quiero saber por mi trámite"))
    assert response.status_code == 200
    conversation = Conversation.objects.get()
    assert conversation.channel == "whatsapp" and conversation.team == team
    assert conversation.contact.user == resident and conversation.contact.name == "Vecina"
    assert conversation.messages.get().body == "Quiero saber por mi trámite"
    assert conversation.first_response_due is not None


def test_the_same_message_delivered_three_times_is_stored_once(client, graph, team):
    payload = wa_message("wamid.SAME", "Hola")
    for _ in range(3):
        assert post_webhook(client, payload).status_code == 200
    assert Message.objects.filter(external_id="wamid.SAME").count() == 1
    assert Conversation.objects.count() == 1


def test_a_second_message_joins_the_open_conversation(client, graph, team):
    post_webhook(client, wa_message("wamid.1", "Hola"))
    post_webhook(client, wa_message("wamid.2", "¿Siguen ahí?"))
    assert Conversation.objects.get().messages.count() == 2


def _conversation_with_reply(client, agent, graph):
    post_webhook(client, wa_message("wamid.IN1", "Hola"))
    conversation = Conversation.objects.get()
    with committed():
        message = services.reply(conversation_id=conversation.pk, user=agent, body="Buen día")
    message.refresh_from_db()
    return conversation, message


def test_a_reply_goes_through_the_graph_api_and_statuses_update_it(client, graph, agent):
    conversation, message = _conversation_with_reply(client, agent, graph)
    assert graph.sent() == [
        {
            "messaging_product": "whatsapp",
            "to": RESIDENT_WA,
            "type": "text",
            "text": {"body": "Buen día"},
        }
    ]
    assert message.delivery == "sent" and message.external_id.startswith("wamid.FAKE")
    # Out of order and repeated, as Meta sends them: "read" may come before "delivered".
    for status in ("read", "delivered", "read"):
        assert post_webhook(client, wa_status(message.external_id, status)).status_code == 200
    message.refresh_from_db()
    assert message.delivery == "read"


def test_a_failed_status_is_shown_with_its_reason(client, graph, agent):
    _conversation, message = _conversation_with_reply(client, agent, graph)
    errors = [
        {
            "code": 131026,
            "title": "Message undeliverable",
            "error_data": {"details": "Receiver is incapable of receiving this message"},
        }
    ]
    post_webhook(client, wa_status(message.external_id, "failed", errors=errors))
    message.refresh_from_db()
    assert message.delivery == "failed" and "131026" in message.delivery_error


def test_a_status_for_a_message_we_never_sent_changes_nothing(client, graph, team):
    response = post_webhook(client, wa_status("wamid.NEVER", "delivered"))
    assert response.status_code == 200  # acknowledged, so Meta does not resend it for days
    assert not Message.objects.exists()


def test_a_reply_while_the_provider_returns_500_waits_and_is_sent_once_later(client, graph, agent):
    post_webhook(client, wa_message("wamid.IN1", "Hola"))
    conversation = Conversation.objects.get()
    graph.failures.extend([500, 503])
    with committed():
        message = services.reply(conversation_id=conversation.pk, user=agent, body="Buen día")
    message.refresh_from_db()
    assert message.delivery == "queued"
    assert "se reintentará" in message.delivery_error  # what the agent sees
    item = OutboxItem.objects.get(kind="contact.send")
    assert item.done_at is None and item.attempts == 1
    with pytest.raises(WhatsAppError):
        outbox.run(item.pk)  # the second failure
    outbox.run(item.pk)  # the provider is back
    outbox.run(item.pk)  # a late duplicate delivery of the task: nothing more is sent
    message.refresh_from_db()
    assert message.delivery == "sent" and message.delivery_error == ""
    texts = [m for m in graph.sent() if m.get("text", {}).get("body") == "Buen día"]
    assert len(texts) == 3  # two refused attempts and one accepted, nothing duplicated
    assert Message.objects.filter(direction="out").count() == 1


def test_outside_the_24_hour_window_only_a_template_may_be_sent(client, graph, agent):
    old = int((timezone.now() - timedelta(hours=30)).timestamp())
    post_webhook(client, wa_message("wamid.OLD", "Hola", timestamp=old))
    conversation = Conversation.objects.get()
    assert not conversation.whatsapp_window_open
    from core.errors import ActionRefused

    with pytest.raises(ActionRefused, match="24 horas"):
        services.reply(conversation_id=conversation.pk, user=agent, body="Buen día")
    assert not Message.objects.filter(direction="out").exists()
    with committed():
        message = services.reply(
            conversation_id=conversation.pk, user=agent, body="", template="seguimiento_consulta"
        )
    message.refresh_from_db()
    sent = graph.sent()[-1]
    assert sent["type"] == "template" and sent["template"]["name"] == "seguimiento_consulta"
    assert sent["template"]["language"] == {"code": "es_AR", "policy": "deterministic"}
    assert message.delivery == "sent"


def test_meta_refusing_free_text_outside_the_window_marks_the_message_failed(client, graph, agent):
    """Our clock says open, Meta's says closed (131047): failed with the reason, no retry."""
    post_webhook(client, wa_message("wamid.IN1", "Hola"))
    graph.window_closed.add(RESIDENT_WA)
    conversation = Conversation.objects.get()
    with committed():
        message = services.reply(conversation_id=conversation.pk, user=agent, body="Buen día")
    message.refresh_from_db()
    assert message.delivery == "failed" and "131047" in message.delivery_error
    assert OutboxItem.objects.get(kind="contact.send").done_at is not None


def test_media_is_downloaded_through_the_graph_api_and_stored_privately(client, graph, team):
    graph.media["MEDIA1"] = (PDF_BYTES, "application/pdf")
    payload = wa_message(
        "wamid.DOC",
        "",
        type="document",
        document={
            "id": "MEDIA1",
            "mime_type": "application/pdf",
            "filename": "factura.pdf",
            "caption": "Mi factura",
        },
    )
    assert post_webhook(client, payload).status_code == 200
    attachment = Attachment.objects.get()
    assert attachment.state == "stored", attachment.refusal
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "factura.pdf" and attachment.file.read() == PDF_BYTES
    assert attachment.message.body == "Mi factura"
    gets = [r["path"] for r in graph.received if r["method"] == "GET"]
    assert gets == ["/v23.0/MEDIA1", "/download/MEDIA1"]


def test_an_executable_disguised_as_a_pdf_is_refused_but_the_message_kept(client, graph, team):
    graph.media["EXE"] = (
        b"MZ\x90\x00\x03" + b"\x00" * 200 + b"This program cannot be run in DOS",
        "application/pdf",
    )
    payload = wa_message(
        "wamid.EXE",
        "",
        type="document",
        document={"id": "EXE", "mime_type": "application/pdf", "filename": "factura.pdf"},
    )
    post_webhook(client, payload)
    attachment = Attachment.objects.get()
    assert attachment.state == "refused" and not attachment.file
    assert "no un archivo PDF" in attachment.refusal
    assert Message.objects.count() == 1


def test_a_30_mb_attachment_is_refused_with_its_size(client, graph, team):
    graph.media["BIG"] = (PDF_BYTES + b"0" * (30 * 1024 * 1024), "application/pdf")
    payload = wa_message(
        "wamid.BIG",
        "",
        type="document",
        document={"id": "BIG", "mime_type": "application/pdf", "filename": "grande.pdf"},
    )
    post_webhook(client, payload)
    attachment = Attachment.objects.get()
    assert attachment.state == "refused" and "10 MB" in attachment.refusal


def test_signed_but_malformed_body_is_acknowledged_and_stores_nothing(client, graph, team):
    from contact.whatsapp import sign

    body = b"{not json"
    response = client.post(
        WEBHOOK,
        data=body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=sign(body, APP_SECRET),
    )
    assert response.status_code == 200 and not Message.objects.exists()


def test_the_integration_is_a_plugin_with_a_real_and_a_demo_implementation(settings):
    from contact import channels

    assert {p.key for p in channels.WHATSAPP} == {"cloud-api", "demo"}
    assert channels.WHATSAPP.get("demo").demo and not channels.WHATSAPP.get("cloud-api").demo
    settings.WHATSAPP_ACCESS_TOKEN = ""
    assert "WHATSAPP_ACCESS_TOKEN is not set." in channels.WHATSAPP.get("cloud-api").problems()
