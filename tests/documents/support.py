"""Helpers shared by the document tests (fixtures live in conftest.py)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from pyhanko.sign.timestamps import TimeStamper

from documents.signing.pdf import render_pdf
from documents.signing.sign import sign_pdf
from documents.signing.signers import Pkcs12SealSigner

TITLE = "Constancia de habilitación"
HTML = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="style.css"></head>
<body>
  <h1>Constancia de habilitación comercial</h1>
  <p>La Municipalidad Demo certifica que <strong>Ana Pérez</strong> (DNI 12.345.678)
     está habilitada para el rubro «almacén».</p>
  <img src="escudo.png" alt="Escudo" width="40">
  <img src="{qr}" alt="Código de verificación" width="90">
</body></html>
"""


def render(template_root: Path, html: str) -> bytes:
    return render_pdf(
        html,
        base_url=template_root.as_uri() + "/",
        allowed_roots=[template_root],
        title=TITLE,
        lang="es-AR",
        author="Municipalidad Demo",
    )


@dataclass(frozen=True)
class SignedSet:
    b_b: bytes
    b_t: bytes
    b_lta: bytes
    # When the set was signed: the session fixture may be used long after (a long suite).
    signed_at: dt.datetime


def seal_sign(pdf: bytes, seal: Pkcs12SealSigner, timestamper: TimeStamper | None) -> bytes:
    with seal.session() as signer:
        return sign_pdf(
            pdf,
            signer,
            certify=True,
            timestamper=timestamper,
            field_name="SelloMunicipal",
            reason="Emisión de constancia",
            location="Municipalidad Demo",
            contact="mesa-de-entradas@municipalidad-demo.test",
        )


# --- Tokens -------------------------------------------------------------------------------

SOFTHSM_MODULE = "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"


@dataclass(frozen=True)
class Token:
    label: str
    pin: str
    key_label: str
    full_name: str


# --- A timestamp authority that can fail on demand ------------------------------------------


class SwitchableTsa:
    """The demo TSA app behind a switch: "up", "down" (HTTP 503) or "hang" (until released)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.mode = "up"
        self.hanging = threading.Event()  # set while a request is held
        self._release = threading.Event()

    def set(self, mode: str) -> None:
        self.mode = mode
        if mode == "hang":
            self._release.clear()
            self.hanging.clear()
        else:
            self._release.set()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        if self.mode == "down":
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"down for the test\n"]
        if self.mode == "hang":
            self.hanging.set()
            self._release.wait(120)
        return self.app(environ, start_response)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class TsaTestServer:
    def __init__(self, switch: SwitchableTsa, port: int) -> None:
        self.switch = switch
        self._httpd = make_server(
            "127.0.0.1", port, switch, server_class=_ThreadingServer, handler_class=_Quiet
        )
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{port}/"

    def stop(self) -> None:
        self.switch.set("up")
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def files_of(document) -> list[str]:
    """The stored files of one signed document (named after its code)."""
    from django.core.files.storage import default_storage

    names = default_storage.listdir(f"signed/{document.subject_type}/{document.subject_id}")[1]
    return sorted(name for name in names if name.startswith(document.code))
