"""E-mail in through django-anymail's Postmark inbound webhook (its documented JSON), and out
with threading headers, so the resident's mail client and ours keep one thread."""

from __future__ import annotations

import base64
import json
import quopri

import pytest
from django.core import mail

from contact import services
from contact.models import Attachment, Conversation, Message
from tests.engine.conftest import PDF_BYTES

from .conftest import committed

pytestmark = pytest.mark.django_db

INBOUND = "/anymail/postmark/inbound/"
SECRET = "postmark:una-clave-del-webhook"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


def postmark(
    *,
    sender="vecino@example.net",
    name="Juan Vecino",
    subject="Consulta por tasas",
    text="Hola, quería consultar por la tasa.",
    html="",
    message_id="<m1@example.net>",
    headers=(),
    attachments=(),
    return_path=None,
) -> dict:
    """A Postmark inbound webhook body, as Postmark documents it (Return-Path first)."""
    all_headers = [
        {"Name": "Return-Path", "Value": f"<{sender}>" if return_path is None else return_path}
    ]
    all_headers += [{"Name": "Message-ID", "Value": message_id}] if message_id else []
    all_headers += [{"Name": n, "Value": v} for n, v in headers]
    return {
        "FromName": name,
        "From": sender,
        "FromFull": {"Email": sender, "Name": name, "MailboxHash": ""},
        "To": "atencion@villademo.gob.ar",
        "ToFull": [{"Email": "atencion@villademo.gob.ar", "Name": "", "MailboxHash": ""}],
        "Cc": "",
        "CcFull": [],
        "OriginalRecipient": "atencion@villademo.gob.ar",
        "Subject": subject,
        "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
        "ReplyTo": "",
        "MailboxHash": "",
        "Date": "Tue, 24 Nov 2026 10:05:00 -0300",
        "TextBody": text,
        "HtmlBody": html,
        "StrippedTextReply": "",
        "Tag": "",
        "Headers": all_headers,
        "Attachments": [
            {
                "Name": n,
                "Content": base64.b64encode(c).decode(),
                "ContentType": t,
                "ContentLength": len(c),
            }
            for n, c, t in attachments
        ],
    }


def post(client, payload, *, auth=SECRET):
    extra = (
        {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
    )
    with committed():
        return client.post(
            INBOUND, data=json.dumps(payload), content_type="application/json", **extra
        )


def test_without_or_with_wrong_basic_auth_nothing_is_stored(client, team):
    assert post(client, postmark(), auth="").status_code in (400, 401, 403)
    assert post(client, postmark(), auth="postmark:adivinada").status_code in (400, 401, 403)
    assert not Message.objects.exists()


def test_an_email_opens_a_conversation_and_a_duplicate_is_ignored(client, team):
    assert post(client, postmark()).status_code == 200
    assert post(client, postmark()).status_code == 200  # the ESP retried
    conversation = Conversation.objects.get()
    assert conversation.channel == "email" and conversation.subject == "Consulta por tasas"
    assert conversation.contact.email == "vecino@example.net"
    assert conversation.messages.get().body == "Hola, quería consultar por la tasa."


def test_our_reply_threads_and_the_residents_answer_lands_in_the_same_conversation(
    client, team, agent
):
    post(client, postmark())
    conversation = Conversation.objects.get()
    with committed():
        reply = services.reply(conversation_id=conversation.pk, user=agent, body="Le respondemos")
    reply.refresh_from_db()
    sent = mail.outbox[-1]
    assert sent.to == ["vecino@example.net"] and sent.subject == "Re: Consulta por tasas"
    assert sent.extra_headers["Message-ID"] == reply.external_id
    assert sent.extra_headers["In-Reply-To"] == "<m1@example.net>"
    assert sent.extra_headers["References"] == "<m1@example.net>"
    assert reply.delivery == "sent"
    answer = postmark(
        subject="Re: Consulta por tasas",
        text="Gracias",
        message_id="<m2@example.net>",
        headers=[
            ("In-Reply-To", reply.external_id),
            ("References", f"<m1@example.net> {reply.external_id}"),
        ],
    )
    post(client, answer)
    assert Conversation.objects.count() == 1
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.messages.count() == 3


def test_auto_replies_and_bounces_do_not_open_conversations(client, team):
    vacation = postmark(
        message_id="<auto@example.net>",
        headers=[("Auto-Submitted", "auto-replied")],
        text="Estoy de vacaciones",
    )
    bounce = postmark(
        sender="mailer-daemon@example.net",
        message_id="<bounce@example.net>",
        return_path="<>",
        text="Delivery Status Notification (Failure)",
    )
    for payload in (vacation, bounce):
        assert post(client, payload).status_code == 200
    assert not Conversation.objects.exists()
    explicit_no = postmark(message_id="<human@example.net>", headers=[("Auto-Submitted", "no")])
    post(client, explicit_no)
    assert Conversation.objects.count() == 1


def test_an_email_without_a_text_part_keeps_the_text_of_its_html(client, team):
    payload = postmark(
        text="", html="<p>Hola,<br>el <b>bache</b> sigue ahí.</p><script>alert(1)</script>"
    )
    post(client, payload)
    body = Message.objects.get().body
    assert "bache" in body and "sigue ahí" in body and "<" not in body and "alert" not in body


def test_an_iso_8859_1_email_reads_correctly(client, team):
    raw = (
        "From: =?iso-8859-1?q?Mar=EDa_Pe=F1a?= <maria@example.net>\r\n"
        "To: atencion@villademo.gob.ar\r\n"
        "Subject: =?iso-8859-1?q?Inscripci=F3n?=\r\n"
        "Message-ID: <latin1@example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ) + quopri.encodestring(
        "¿Cuándo abre la inscripción? Señora Peña".encode("iso-8859-1")
    ).decode()
    payload = postmark(sender="maria@example.net")
    payload["RawEmail"] = raw
    post(client, payload)
    conversation = Conversation.objects.get()
    assert conversation.subject == "Inscripción"
    assert conversation.messages.get().body == "¿Cuándo abre la inscripción? Señora Peña"


def test_a_2000_message_thread_still_threads_and_stores_one_message(client, team, agent):
    post(client, postmark())
    conversation = Conversation.objects.get()
    with committed():
        reply = services.reply(conversation_id=conversation.pk, user=agent, body="Respuesta")
    reply.refresh_from_db()
    ancestors = " ".join(f"<old{i}@example.net>" for i in range(2000))
    payload = postmark(
        message_id="<long@example.net>",
        text="Sigo esperando",
        headers=[("References", f"{ancestors} {reply.external_id}")],
    )
    assert post(client, payload).status_code == 200
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(external_id="<long@example.net>").count() == 1


def test_a_sender_spoofing_a_staff_address_is_not_trusted(client, agent):
    post(client, postmark(sender="agente@example.com", name="Agente"))
    conversation = Conversation.objects.get()
    assert conversation.contact.user is None  # never linked to the employee's account
    assert "remitente-sin-verificar" in conversation.tags


def test_attachments_are_checked_by_content(client, team):
    exe = b"MZ\x90\x00\x03" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
    payload = postmark(
        attachments=[
            ("dni.pdf", PDF_BYTES, "application/pdf"),
            ("factura.pdf", exe, "application/pdf"),
        ]
    )
    post(client, payload)
    stored, refused = Attachment.objects.order_by("original_name")
    assert stored.original_name == "dni.pdf" and stored.state == "stored"
    assert refused.original_name == "factura.pdf" and refused.state == "refused"
    assert "no un archivo PDF" in refused.refusal
    assert Message.objects.count() == 1


def test_a_30_mb_attachment_is_refused(client, team):
    big = PDF_BYTES + b"0" * (30 * 1024 * 1024)
    post(client, postmark(attachments=[("plano.pdf", big, "application/pdf")]))
    attachment = Attachment.objects.get()
    assert attachment.state == "refused" and "10 MB" in attachment.refusal


def test_a_reply_while_the_mail_provider_fails_waits_and_is_sent_once_later(
    client, team, agent, monkeypatch
):
    from smtplib import SMTPServerDisconnected

    from django.core.mail.backends.locmem import EmailBackend

    from core import outbox
    from core.models import OutboxItem

    post(client, postmark())
    conversation = Conversation.objects.get()
    deliver = EmailBackend.send_messages

    def down(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    with committed():
        reply = services.reply(conversation_id=conversation.pk, user=agent, body="Le respondemos")
    reply.refresh_from_db()
    assert reply.delivery == "queued" and "se reintentará" in reply.delivery_error
    assert mail.outbox == []
    monkeypatch.setattr(EmailBackend, "send_messages", deliver)
    item = OutboxItem.objects.get(kind="contact.send")
    outbox.run(item.pk)  # the provider is back
    outbox.run(item.pk)  # a late duplicate delivery of the task: nothing more is sent
    reply.refresh_from_db()
    assert reply.delivery == "sent" and len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == reply.external_id
