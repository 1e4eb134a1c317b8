"""A local stand-in for Meta's Graph API (WhatsApp Cloud API), speaking its documented shapes.

- ``POST /{phone-number-id}/messages`` (Bearer): ``{"messages": [{"id": "wamid..."}]}``;
  a free-text message to a number outside its 24-hour window answers Meta's error 131047.
- ``POST /{phone-number-id}/media`` (Bearer, multipart/form-data with ``messaging_product``
  = ``whatsapp``, ``type`` = the MIME type and ``file``): ``{"id": "<media id>"}``; images are
  JPEG or PNG up to 5 MB, documents PDF (among others) up to 100 MB, else error 131053.
- ``POST /{phone-number-id}/messages`` with ``type`` ``image`` or ``document`` names an uploaded
  media ``id`` (unknown ids: error 131053, as Meta answers a media it cannot fetch).
- ``GET /{media-id}`` (Bearer): ``{url, mime_type, sha256, file_size, id}``; the URL needs the
  same Bearer and serves the bytes.
It records every request, so tests assert on the wire.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "test-access-token"
PHONE_NUMBER_ID = "1234567890"


@dataclass
class FakeGraph:
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # statuses to answer next, in order
    window_closed: set[str] = field(default_factory=set)  # numbers outside their 24 h window
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    uploaded: dict[str, dict[str, Any]] = field(default_factory=dict)  # media id: file, type, name
    counter: int = 0

    def sent(self) -> list[dict[str, Any]]:
        """The messages posted (media uploads apart: see ``uploads``)."""
        return [
            r["json"]
            for r in self.received
            if r["method"] == "POST" and r["path"].rstrip("/").endswith("/messages")
        ]

    def uploads(self) -> list[dict[str, Any]]:
        return [r["json"] for r in self.received if r["path"].rstrip("/").endswith("/media")]


# Meta's supported media types and sizes (Cloud API "Supported media types").
UPLOAD_LIMITS = {
    "image/jpeg": 5 * 2**20,
    "image/png": 5 * 2**20,
    "application/pdf": 100 * 2**20,
    "text/plain": 100 * 2**20,
}


def media_error(text: str) -> dict[str, Any]:
    return {
        "error": {"code": 131053, "message": "Media upload error", "error_data": {"details": text}}
    }


def parse_multipart(content_type: str, raw: bytes) -> dict[str, Any]:
    """Form fields by name; the file as ``{filename, content_type, content}``."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if part.get_filename() is not None:
            fields[name] = {
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "content": payload,
            }
        else:
            fields[name] = payload.decode()
    return fields


def make_handler(state: FakeGraph):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _answer(self, status: int, body: Any, content_type="application/json"):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._answer(401, {"error": {"code": 190, "message": "Invalid OAuth access token"}})
                return False
            return True

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            content_type = self.headers.get("Content-Type", "")
            if content_type.startswith("multipart/form-data"):
                body = parse_multipart(content_type, raw)
            else:
                body = json.loads(raw or b"{}")
            state.received.append({"method": "POST", "path": self.path, "json": body})
            if not self._authorised():
                return
            if state.failures:
                status = state.failures.pop(0)
                return self._answer(
                    status, {"error": {"code": 2, "message": "Service temporarily unavailable"}}
                )
            target = self.path.rstrip("/").split("/")[-2:]
            if target == [PHONE_NUMBER_ID, "media"]:
                return self._upload(body)
            if target != [PHONE_NUMBER_ID, "messages"]:
                return self._answer(404, {"error": {"code": 100, "message": "Unknown path"}})
            if body.get("messaging_product") != "whatsapp":
                return self._answer(
                    400, {"error": {"code": 100, "message": "messaging_product is required"}}
                )
            kind = body.get("type")
            if kind in ("image", "document"):
                media = body.get(kind) or {}
                if media.get("id") not in state.uploaded:
                    return self._answer(400, media_error(f"unknown media id {media.get('id')}"))
            if kind != "template" and body.get("to") in state.window_closed:
                return self._answer(
                    400,
                    {
                        "error": {
                            "code": 131047,
                            "message": "Re-engagement message",
                            "error_data": {
                                "details": "Message failed to send because more "
                                "than 24 hours have passed since the customer "
                                "last replied to this number."
                            },
                        }
                    },
                )
            state.counter += 1
            wamid = f"wamid.FAKE{state.counter:06d}"
            return self._answer(
                200,
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                    "messages": [{"id": wamid}],
                },
            )

        def _upload(self, fields: dict[str, Any]):
            file = fields.get("file")
            if fields.get("messaging_product") != "whatsapp" or not isinstance(file, dict):
                return self._answer(
                    400,
                    {"error": {"code": 100, "message": "messaging_product and file are required"}},
                )
            mime = fields.get("type", "")
            limit = UPLOAD_LIMITS.get(mime)
            if limit is None or file["content_type"] != mime:
                return self._answer(400, media_error(f"unsupported type {mime!r}"))
            if len(file["content"]) > limit:
                return self._answer(400, media_error(f"{mime} over {limit} bytes"))
            state.counter += 1
            media_id = f"{9000000000 + state.counter}"
            state.uploaded[media_id] = {
                "content": file["content"],
                "type": mime,
                "filename": file["filename"],
            }
            return self._answer(200, {"id": media_id})

        def do_GET(self):
            state.received.append({"method": "GET", "path": self.path, "json": None})
            if not self._authorised():
                return
            parts = self.path.strip("/").split("/")
            if parts[0] == "download" and parts[-1] in state.media:
                content, mime = state.media[parts[-1]]
                return self._answer(200, content, content_type=mime)
            media_id = parts[-1]
            if media_id not in state.media:
                return self._answer(404, {"error": {"code": 100, "message": "Unknown media"}})
            content, mime = state.media[media_id]
            return self._answer(
                200,
                {
                    "messaging_product": "whatsapp",
                    "url": state.url.rsplit("/", 1)[0] + f"/download/{media_id}",
                    "mime_type": mime,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "file_size": len(content),
                    "id": media_id,
                },
            )

    return Handler


def start() -> tuple[FakeGraph, ThreadingHTTPServer]:
    state = FakeGraph()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v23.0"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
