"""WhatsApp Business Cloud API: webhook checks, update parsing, and the Graph API client.

Plain HTTP (``requests``) against ``WHATSAPP_API_URL``: pywa forces graph.facebook.com and
dedupes only in memory, and we need the raw body for the signature anyway. The payload
shapes follow Meta's webhook reference (``entry[].changes[].value``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from django.conf import settings

log = logging.getLogger(__name__)

TIMEOUT = 15
# Meta's "re-engagement message" error: free text outside the 24-hour window.
OUTSIDE_WINDOW = 131047
# Meta's limits for media messages: a caption, and an image (documents may be larger).
CAPTION_MAX_CHARS = 1024
IMAGE_MAX_MB = 5


def media_kind(mime_type: str) -> str:
    """The message type WhatsApp shows a file as: a picture, or a document to download."""
    return "image" if mime_type in ("image/jpeg", "image/png") else "document"


def signature_valid(body: bytes, header: str) -> bool:
    """``X-Hub-Signature-256`` is ``sha256=`` + hex HMAC-SHA256 of the raw body (App Secret)."""
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip())


def sign(body: bytes, secret: str) -> str:
    """The header Meta would send (tests and the demo use it)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class InboundMedia:
    media_id: str
    mime_type: str
    filename: str
    sha256: str = ""


@dataclass(frozen=True)
class InboundMessage:
    wamid: str
    wa_id: str
    name: str
    at: datetime
    text: str
    reply_to: str = ""
    media: tuple[InboundMedia, ...] = ()


@dataclass(frozen=True)
class StatusUpdate:
    wamid: str
    status: str
    at: datetime
    error: str = ""


@dataclass
class Update:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)


def _moment(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError):
        return datetime.now(tz=UTC)


def _text_of(message: dict[str, Any]) -> tuple[str, tuple[InboundMedia, ...]]:
    kind = message.get("type", "")
    if kind == "text":
        return str(message.get("text", {}).get("body", "")), ()
    if kind == "button":
        return str(message.get("button", {}).get("text", "")), ()
    if kind == "interactive":
        reply = message.get("interactive", {})
        chosen = reply.get("button_reply") or reply.get("list_reply") or {}
        return str(chosen.get("id") or chosen.get("title") or ""), ()
    if kind in ("image", "document", "audio", "video", "sticker"):
        media = message.get(kind, {})
        caption = str(media.get("caption", ""))
        item = InboundMedia(
            media_id=str(media.get("id", "")),
            mime_type=str(media.get("mime_type", "")),
            filename=str(media.get("filename") or f"{kind}-{media.get('id', '')}"),
            sha256=str(media.get("sha256", "")),
        )
        return caption, (item,) if item.media_id else ()
    return f"[{kind}]", ()


def parse_update(payload: Any) -> Update:
    """The messages and statuses in a webhook body; anything unexpected is skipped, not fatal."""
    update = Update()
    if not isinstance(payload, dict):
        return update
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            names = {
                c.get("wa_id", ""): (c.get("profile") or {}).get("name", "")
                for c in value.get("contacts") or []
                if isinstance(c, dict)
            }
            for message in value.get("messages") or []:
                if not isinstance(message, dict) or not message.get("id"):
                    continue
                text, media = _text_of(message)
                sender = str(message.get("from", ""))
                update.messages.append(
                    InboundMessage(
                        wamid=str(message["id"]),
                        wa_id=sender,
                        name=names.get(sender, ""),
                        at=_moment(message.get("timestamp")),
                        text=text,
                        reply_to=str((message.get("context") or {}).get("id", "")),
                        media=media,
                    )
                )
            for status in value.get("statuses") or []:
                if not isinstance(status, dict) or not status.get("id"):
                    continue
                errors = status.get("errors") or []
                error = ""
                if errors and isinstance(errors[0], dict):
                    first = errors[0]
                    details = (first.get("error_data") or {}).get("details", "")
                    error = f"{first.get('code', '')} {first.get('title', '')} {details}".strip()
                update.statuses.append(
                    StatusUpdate(
                        wamid=str(status["id"]),
                        status=str(status.get("status", "")),
                        at=_moment(status.get("timestamp")),
                        error=error,
                    )
                )
    return update


class WhatsAppError(Exception):
    """The Graph API refused a request; ``permanent`` when retrying cannot help."""

    def __init__(self, message: str, *, code: int | None = None, permanent: bool = False):
        super().__init__(message)
        self.code = code
        self.permanent = permanent


class CloudApi:
    """The real integration: Meta's Graph API (or a server that speaks it)."""

    key = "cloud-api"
    label = "WhatsApp Business Cloud API"
    demo = False

    def problems(self) -> list[str]:
        missing = [
            name
            for name in (
                "WHATSAPP_API_URL",
                "WHATSAPP_PHONE_NUMBER_ID",
                "WHATSAPP_ACCESS_TOKEN",
                "WHATSAPP_APP_SECRET",
                "WHATSAPP_VERIFY_TOKEN",
            )
            if not getattr(settings, name, "")
        ]
        return [f"{name} is not set." for name in missing]

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {settings.WHATSAPP_ACCESS_TOKEN}"}

    def _url(self, path: str) -> str:
        return f"{settings.WHATSAPP_API_URL.rstrip('/')}/{path.lstrip('/')}"

    def _answer(self, response: requests.Response) -> dict[str, Any]:
        data = _json(response)
        if response.status_code >= 400 or "error" in data:
            error = data.get("error") or {}
            code = error.get("code")
            details = (error.get("error_data") or {}).get("details", "")
            text = f"{code} {error.get('message', response.reason)} {details}".strip()
            # 4xx are the request's fault (window closed, bad number): retrying cannot help.
            raise WhatsAppError(text, code=code, permanent=400 <= response.status_code < 500)
        return data

    def _post_message(self, body: dict[str, Any]) -> str:
        try:
            response = requests.post(
                self._url(f"{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"),
                json={"messaging_product": "whatsapp", **body},
                headers=self._headers(),
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise WhatsAppError(f"WhatsApp unreachable: {exc}") from exc
        data = self._answer(response)
        try:
            return str(data["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as exc:
            raise WhatsAppError(f"unexpected answer from WhatsApp: {data!r:.200}") from exc

    def upload_media(self, *, content: bytes, filename: str, mime_type: str) -> str:
        """Sending a file is two steps (Meta's "Upload media"): a multipart POST of the file
        to ``/{phone-number-id}/media`` answers its media id; a message then names that id."""
        try:
            response = requests.post(
                self._url(f"{settings.WHATSAPP_PHONE_NUMBER_ID}/media"),
                data={"messaging_product": "whatsapp", "type": mime_type},
                files={"file": (filename, content, mime_type)},
                headers=self._headers(),
                timeout=TIMEOUT * 4,
            )
        except requests.RequestException as exc:
            raise WhatsAppError(f"WhatsApp unreachable: {exc}") from exc
        data = self._answer(response)
        if not data.get("id"):
            raise WhatsAppError(f"unexpected answer from WhatsApp: {data!r:.200}")
        return str(data["id"])

    def send_media(
        self, *, to: str, media_id: str, mime_type: str, filename: str, caption: str = ""
    ) -> str:
        kind = media_kind(mime_type)
        media: dict[str, Any] = {"id": media_id}
        if caption:
            media["caption"] = caption[:CAPTION_MAX_CHARS]
        if kind == "document":
            media["filename"] = filename  # what the resident's phone shows and saves
        return self._post_message({"to": to, "type": kind, kind: media})

    def send_verification_code(self, *, to: str, code: str) -> str:
        """An authentication template (Meta's "copy code" button): the code fills the body
        parameter and the button's; Meta delivers it whether or not the number wrote to us."""
        template = {
            "name": settings.WHATSAPP_VERIFICATION_TEMPLATE,
            "language": {"code": "es_AR", "policy": "deterministic"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": code}]},
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "0",
                    "parameters": [{"type": "text", "text": code}],
                },
            ],
        }
        return self._post_message(
            {"recipient_type": "individual", "to": to, "type": "template", "template": template}
        )

    def send_text(self, *, to: str, body: str, reply_to: str = "") -> str:
        message: dict[str, Any] = {"to": to, "type": "text", "text": {"body": body[:4096]}}
        if reply_to:
            message["context"] = {"message_id": reply_to}
        return self._post_message(message)

    def send_template(
        self, *, to: str, name: str, language: str = "es_AR", parameters: list[str] = ()
    ) -> str:
        template: dict[str, Any] = {
            "name": name,
            "language": {"code": language, "policy": "deterministic"},
        }
        if parameters:
            template["components"] = [
                {"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}
            ]
        return self._post_message({"to": to, "type": "template", "template": template})

    def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        """Two steps: the media's metadata (a short-lived URL), then the bytes, same Bearer."""
        try:
            meta = requests.get(self._url(media_id), headers=self._headers(), timeout=TIMEOUT)
            info = _json(meta)
            if meta.status_code >= 400 or "url" not in info:
                raise WhatsAppError(
                    f"media {media_id}: {meta.status_code}", permanent=meta.status_code == 404
                )
            content = requests.get(info["url"], headers=self._headers(), timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise WhatsAppError(f"WhatsApp unreachable: {exc}") from exc
        if content.status_code >= 400:
            raise WhatsAppError(f"media {media_id}: {content.status_code}")
        return content.content, str(info.get("mime_type", ""))


class DemoWhatsApp:
    """For ``make run``: nothing leaves the machine; sends are logged and succeed."""

    key = "demo"
    label = "WhatsApp (demo, nothing is sent)"
    demo = True

    def problems(self) -> list[str]:
        return []

    def send_text(self, *, to: str, body: str, reply_to: str = "") -> str:
        log.info("demo WhatsApp to %s: %s", to, body)
        return (
            f"wamid.demo-{hashlib.sha256(f'{to}{body}{datetime.now()}'.encode()).hexdigest()[:24]}"
        )

    def send_template(
        self, *, to: str, name: str, language: str = "es_AR", parameters: list[str] = ()
    ) -> str:
        return self.send_text(to=to, body=f"[template {name}] {' '.join(parameters)}")

    def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        raise WhatsAppError("the demo cannot download media", permanent=True)

    def upload_media(self, *, content: bytes, filename: str, mime_type: str) -> str:
        return f"demo-media-{hashlib.sha256(content).hexdigest()[:16]}"

    def send_media(
        self, *, to: str, media_id: str, mime_type: str, filename: str, caption: str = ""
    ) -> str:
        return self.send_text(to=to, body=f"[{media_kind(mime_type)} {filename}] {caption}")

    def send_verification_code(self, *, to: str, code: str) -> str:
        # make run: the code shows in the server's log, where the person trying it looks.
        log.warning("demo WhatsApp verification code for +%s: %s", to, code)
        return self.send_text(to=to, body=f"[verification code] {code}")


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
