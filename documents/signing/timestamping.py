"""A minimal RFC 3161 time-stamping authority for development and tests.

``TsaApp`` is a WSGI app answering ``application/timestamp-query`` POSTs with
tokens signed by the demo TSA key (pyHanko's ``DummyTimeStamper`` does the
signing); ``TsaServer`` runs it on 127.0.0.1 in a background thread, and
``python -m documents.signing.timestamping`` serves it in the foreground.
Production points ``make_timestamper`` at a real TSA instead.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from asn1crypto import keys, tsp, x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.timestamps import DummyTimeStamper, HTTPTimeStamper, TimeStamper

from .pki import create_demo_pki

logger = logging.getLogger(__name__)

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
# Far above any real query (a hash and a nonce), small enough to refuse junk.
_MAX_QUERY_BYTES = 16 * 1024

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def make_timestamper(url: str, *, timeout: int = 5) -> TimeStamper:
    """pyHanko's HTTP client for the TSA at ``url``."""
    return HTTPTimeStamper(url, timeout=timeout)


def load_tsa_stamper(pkcs12_path: Path, password: bytes) -> DummyTimeStamper:
    key, cert, chain = pkcs12.load_key_and_certificates(pkcs12_path.read_bytes(), password)
    if key is None or cert is None:
        raise ValueError(f"{pkcs12_path} does not hold a key and certificate")
    key_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return DummyTimeStamper(
        tsa_cert=x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(key_der),
        certs_to_embed=[
            x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in chain
        ],
    )


class TsaApp:
    def __init__(self, stamper: DummyTimeStamper) -> None:
        self.stamper = stamper

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] != "POST":
            start_response("405 Method Not Allowed", [("Allow", "POST")])
            return [b""]
        if environ.get("CONTENT_TYPE", "").split(";")[0].strip() != QUERY_TYPE:
            start_response("415 Unsupported Media Type", [("Content-Type", "text/plain")])
            return [f"expected {QUERY_TYPE}\n".encode()]
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if not 0 < length <= _MAX_QUERY_BYTES:
            start_response("413 Content Too Large", [("Content-Type", "text/plain")])
            return [b"missing or oversized timestamp query\n"]
        body = environ["wsgi.input"].read(length)
        try:
            request = tsp.TimeStampReq.load(body)
            request.native  # noqa: B018 -- asn1crypto parses lazily; force it here
        except (ValueError, TypeError):
            # RFC 3161 would answer a "rejection" TimeStampResp, but asn1crypto (hence
            # pyHanko) cannot parse a response without a token; a 400 reads clearer.
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"malformed timestamp query\n"]
        data = self.stamper.request_tsa_response(request).dump()
        start_response("200 OK", [("Content-Type", REPLY_TYPE), ("Content-Length", str(len(data)))])
        return [data]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("TSA %s " + format, self.address_string(), *args)


class TsaServer:
    """``TsaApp`` on ``host:port`` (port 0 picks a free one) in a daemon thread."""

    def __init__(self, stamper: DummyTimeStamper, host: str = "127.0.0.1", port: int = 0):
        self._httpd = make_server(
            host,
            port,
            TsaApp(stamper),
            server_class=_ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def start(self) -> TsaServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> TsaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the demo TSA (RFC 3161 over HTTP).")
    parser.add_argument("--pki-dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8318)
    parser.add_argument(
        "--password-env",
        default="DEMO_PKI_PASSWORD",
        help="environment variable holding the PKCS#12 password",
    )
    args = parser.parse_args(argv)
    password = os.environ.get(args.password_env)
    if not password:
        parser.error(f"set {args.password_env} to the demo PKI password")
    pki = create_demo_pki(args.pki_dir, password=password.encode())
    stamper = load_tsa_stamper(pki.tsa.pkcs12, pki.password)
    server = TsaServer(stamper, args.host, args.port)
    print(f"Demo TSA listening on {server.url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
