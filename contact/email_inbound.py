"""E-mail in: django-anymail's inbound webhook (the ESP chosen by settings) to conversations.

Auto-replies and bounces never open a conversation (RFC 3834: ``Auto-Submitted`` other
than "no", or a null Return-Path); a message already stored (same Message-ID) is ignored.
"""

from __future__ import annotations

import html
import logging
import re

from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent

from . import services
from .models import Channel

log = logging.getLogger(__name__)

_IDS = re.compile(r"<[^<>\s]+>")
_TAGS = re.compile(r"<[^>]+>")


def is_automatic(message: AnymailInboundMessage, envelope_sender: str | None) -> bool:
    auto = (message.get("Auto-Submitted") or "no").strip().lower()
    if auto != "no":
        return True
    if envelope_sender is not None and envelope_sender.strip() in ("", "<>"):
        return True  # a bounce (delivery status notification) has a null Return-Path
    return_path = message.get("Return-Path")
    if return_path is not None and return_path.strip() in ("", "<>"):
        return True
    precedence = (message.get("Precedence") or "").strip().lower()
    return precedence in ("bulk", "junk", "auto_reply") or bool(message.get("X-Autoreply"))


def text_of(message: AnymailInboundMessage) -> str:
    if message.text:
        return message.text.strip()
    if message.html:
        # No text part: the HTML's text, without markup (an agent reads it, never renders it).
        without_blocks = re.sub(r"(?is)<(script|style).*?</\1>", "", message.html)
        return html.unescape(_TAGS.sub(" ", without_blocks)).strip()
    return ""


def receive_email(message: AnymailInboundMessage, envelope_sender: str | None = None):
    """One inbound e-mail; the stored Message, or None (automatic, duplicate, no sender)."""
    if is_automatic(message, envelope_sender):
        log.info("ignored automatic e-mail %s", message.get("Message-ID"))
        return None
    sender = message.from_email
    if sender is None or not sender.addr_spec:
        return None
    message_id = (message.get("Message-ID") or "").strip() or None
    in_reply_to = (_IDS.findall(message.get("In-Reply-To") or "") or [""])[0]
    references = tuple(_IDS.findall(message.get("References") or ""))
    staff = services.is_staff_address(sender.addr_spec)
    contact = services.email_contact(sender.addr_spec, sender.display_name or "")
    uploads = tuple(part.as_uploaded_file() for part in message.attachments)
    return services.receive(
        services.Inbound(
            channel=Channel.EMAIL,
            contact=contact,
            text=text_of(message) or "(sin texto)",
            external_id=message_id[:250] if message_id else None,
            subject=(message.subject or "").strip(),
            reply_to=in_reply_to,
            thread_ids=references,
            uploads=uploads,
            # A staff address in From proves nothing (From is easy to forge): the agent is told.
            tags=("remitente-sin-verificar",) if staff else (),
        )
    )


def on_inbound(sender, event: AnymailInboundEvent, esp_name: str, **kwargs) -> None:
    receive_email(event.message, getattr(event.message, "envelope_sender", None))
