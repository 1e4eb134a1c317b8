"""Provider webhooks: WhatsApp Cloud API (e-mail arrives through anymail's own views)."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt

from . import services, whatsapp
from .models import Channel

log = logging.getLogger(__name__)


@csrf_exempt
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify(request)
    if request.method != "POST":
        return HttpResponse(status=405)
    body = request.body
    if not whatsapp.signature_valid(body, request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponse("invalid signature", status=401, content_type="text/plain")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        # Signed but unreadable: answering 200 stops Meta re-sending what will never parse.
        log.warning("unreadable WhatsApp webhook body")
        return HttpResponse("ignored")
    update = whatsapp.parse_update(payload)
    for message in update.messages:
        contact = services.whatsapp_contact(message.wa_id, message.name)
        services.receive(
            services.Inbound(
                channel=Channel.WHATSAPP,
                contact=contact,
                text=message.text,
                external_id=message.wamid,
                at=message.at,
                reply_to=message.reply_to,
                media=message.media,
            )
        )
    for status in update.statuses:
        services.record_status(wamid=status.wamid, status=status.status, error=status.error)
    return HttpResponse("ok")


def _verify(request: HttpRequest) -> HttpResponse:
    """Meta's subscription handshake: echo the challenge when the token matches."""
    token = settings.WHATSAPP_VERIFY_TOKEN
    if (
        request.GET.get("hub.mode") == "subscribe"
        and token
        and constant_time_compare(request.GET.get("hub.verify_token", ""), token)
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    return HttpResponseForbidden("verification failed", content_type="text/plain")
