"""The keys, timestamp authority and trust anchors the settings name, loaded once per process.

Celery workers fork: whatever a parent process loaded (a decrypted key, a
token session) is dropped in the child, which loads its own on first use
(``forget`` runs on ``worker_process_init``, and again whenever a test
changes a SIGNING_* setting).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_certs_from_pemder
from pyhanko.sign.signers import Signer
from pyhanko.sign.timestamps import TimeStamper

from . import demo
from .models import OfficialSigningKey
from .signing.signers import SignerBackend, get_signer_backend
from .signing.timestamping import make_timestamper

T = TypeVar("T")

# Trust roots and CRLs are re-read this often: CRLs are renewed while workers run.
ANCHORS_TTL = 3600
_KEY_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

_lock = threading.RLock()
_cache: dict[str, tuple[float, Any]] = {}
_cache_pid = os.getpid()


def forget(**_signal: Any) -> None:
    global _cache_pid
    with _lock:
        if _cache_pid == os.getpid():
            for _loaded_at, value in _cache.values():
                if isinstance(value, _OpenTokenSeal):
                    value.close()
        # In a forked child the parent's sessions are not ours to close: drop them.
        _cache.clear()
        _cache_pid = os.getpid()


def forget_on_setting_change(setting: str, **_signal: Any) -> None:
    if setting.startswith("SIGNING_") or setting in ("MUNICIPALITY_NAME", "STORAGES"):
        forget()


def _cached(name: str, load: Callable[[], T], ttl: float | None = None) -> T:
    with _lock:
        if _cache_pid != os.getpid():
            forget()
        entry = _cache.get(name)
        if entry is None or (ttl is not None and time.monotonic() - entry[0] > ttl):
            entry = (time.monotonic(), load())
            _cache[name] = entry
        return entry[1]


def uses_demo_pki() -> bool:
    """True when anything signs or verifies with the demo PKI (fine for development only)."""
    seal_is_demo = (
        settings.SIGNING_SEAL_BACKEND == "pkcs12" and not settings.SIGNING_SEAL_PKCS12_PATH
    )
    on_tokens = "pkcs11" in (settings.SIGNING_SEAL_BACKEND, settings.SIGNING_OFFICIAL_BACKEND)
    return (
        seal_is_demo
        or settings.SIGNING_OFFICIAL_BACKEND == "pkcs12-pin"
        or not settings.SIGNING_TRUST_ROOTS_DIR
        # Signatures made on tokens embed the demo intermediate when no chain is named.
        or (on_tokens and not settings.SIGNING_CA_CHAIN)
    )


# --- Seal ------------------------------------------------------------------------------


class _OpenTokenSeal:
    """The seal's token session, opened once per process and kept: no official's consent is at
    stake, and logging in for every document would double the signing time."""

    def __init__(self, backend: SignerBackend, pin: str) -> None:
        self._backend = backend
        self._pin = pin
        self._stack: ExitStack | None = None
        self._signer: Signer | None = None
        self._lock = threading.Lock()

    @contextmanager
    def session(self, pin: str | None = None) -> Iterator[Signer]:
        with self._lock:  # one PKCS#11 session, one signature at a time
            if self._signer is None:
                stack = ExitStack()
                self._signer = stack.enter_context(self._backend.session(pin=self._pin))
                self._stack = stack
            try:
                yield self._signer
            except BaseException:
                self.close()  # the token may be gone: the next document opens a new session
                raise

    def close(self) -> None:
        stack, self._stack, self._signer = self._stack, None, None
        if stack is not None:
            # A session whose token is gone cannot be closed; forgetting it is enough.
            with contextlib.suppress(Exception):
                stack.close()


def ca_chain() -> list[asn1_x509.Certificate]:
    """Intermediate certificates to embed next to signatures made on tokens."""

    def load() -> list[asn1_x509.Certificate]:
        path = settings.SIGNING_CA_CHAIN or str(demo.ensure_demo_pki().chain_pem())
        return list(load_certs_from_pemder([path]))

    return _cached("ca_chain", load)


def _load_seal() -> SignerBackend:
    name = settings.SIGNING_SEAL_BACKEND
    factory = get_signer_backend(name)
    if name == "pkcs12":
        if settings.SIGNING_SEAL_PKCS12_PATH:
            path = Path(settings.SIGNING_SEAL_PKCS12_PATH)
            password = settings.SIGNING_SEAL_PKCS12_PASSWORD.encode()
        else:
            pki = demo.ensure_demo_pki()
            path, password = pki.seal.pkcs12, pki.password
        return factory(path, password)
    if name == "pkcs11":
        if not settings.SIGNING_SEAL_PKCS11_PIN:
            raise ImproperlyConfigured("SIGNING_SEAL_PKCS11_PIN is needed to seal on a token")
        backend = factory(
            module_path=settings.SIGNING_PKCS11_MODULE,
            token_label=settings.SIGNING_SEAL_PKCS11_TOKEN,
            key_label=settings.SIGNING_SEAL_PKCS11_KEY,
            ca_chain=ca_chain(),
        )
        return _OpenTokenSeal(backend, settings.SIGNING_SEAL_PKCS11_PIN)
    raise ImproperlyConfigured(f"SIGNING_SEAL_BACKEND {name!r}: use pkcs12 or pkcs11")


def seal() -> SignerBackend:
    """The municipal seal of this process (its key loaded, or its token session open)."""
    return _cached("seal", _load_seal)


# --- Officials ---------------------------------------------------------------------------


def official_backend(key: OfficialSigningKey) -> SignerBackend:
    """The official's key, locked: ``session(pin)`` unlocks it for one signature."""
    if not _KEY_LABEL.fullmatch(key.key_label):
        raise ImproperlyConfigured(f"invalid key label {key.key_label!r}")
    name = settings.SIGNING_OFFICIAL_BACKEND
    factory = get_signer_backend(name)
    if name == "pkcs11":
        return factory(
            module_path=settings.SIGNING_PKCS11_MODULE,
            token_label=key.token_label,
            key_label=key.key_label,
            ca_chain=ca_chain(),
        )
    if name == "pkcs12-pin":
        return factory(demo.officials_dir() / f"{key.key_label}.p12")
    raise ImproperlyConfigured(f"SIGNING_OFFICIAL_BACKEND {name!r}: use pkcs11 or pkcs12-pin")


# --- Timestamp authority and trust anchors -------------------------------------------------


def timestamper() -> TimeStamper | None:
    """The configured TSA's client, or None (documents are then signed B-B)."""
    url = settings.SIGNING_TSA_URL
    if not url:
        return None
    return _cached("tsa", lambda: make_timestamper(url, timeout=settings.SIGNING_TSA_TIMEOUT))


def _trust_dir() -> Path:
    if settings.SIGNING_TRUST_ROOTS_DIR:
        return Path(settings.SIGNING_TRUST_ROOTS_DIR)
    demo.ensure_demo_pki()  # also renews the demo CRLs it copies there
    return demo.trust_dir()


def _load_anchors() -> tuple[list[x509.Certificate], list[x509.CertificateRevocationList]]:
    directory = _trust_dir()
    roots: list[x509.Certificate] = []
    crls: list[x509.CertificateRevocationList] = []
    for path in sorted(directory.iterdir()):
        suffix = path.suffix.lower()
        if suffix in (".pem", ".crt", ".cer"):
            data = path.read_bytes()
            if b"-----BEGIN" in data:
                roots += x509.load_pem_x509_certificates(data)
            else:
                roots.append(x509.load_der_x509_certificate(data))
        elif suffix == ".crl":
            data = path.read_bytes()
            if b"-----BEGIN" in data:
                crls.append(x509.load_pem_x509_crl(data))
            else:
                crls.append(x509.load_der_x509_crl(data))
    if not roots:
        raise ImproperlyConfigured(f"no trusted root certificate in {directory}")
    return roots, crls


def trust_roots() -> list[x509.Certificate]:
    return _cached("anchors", _load_anchors, ttl=ANCHORS_TTL)[0]


def crls() -> list[x509.CertificateRevocationList]:
    return _cached("anchors", _load_anchors, ttl=ANCHORS_TTL)[1]
