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

from core.registry import PluginRegistry

from . import demo
from .models import OfficialSigningKey
from .signing.signers import Pkcs11Signer, Pkcs12PinSigner, Pkcs12SealSigner, SignerBackend
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


class Pkcs12Seal:
    """The seal's key in a PKCS#12 file; without one, the demo PKI's seal."""

    key = "pkcs12"
    label = "PKCS#12 key file"

    @property
    def demo(self) -> bool:
        return not settings.SIGNING_SEAL_PKCS12_PATH

    def problems(self) -> list[str]:
        path = settings.SIGNING_SEAL_PKCS12_PATH
        if path and not Path(path).is_file():
            return [f"SIGNING_SEAL_PKCS12_PATH {path} is not a file."]
        return []

    def load(self) -> SignerBackend:
        if settings.SIGNING_SEAL_PKCS12_PATH:
            return Pkcs12SealSigner(
                Path(settings.SIGNING_SEAL_PKCS12_PATH),
                settings.SIGNING_SEAL_PKCS12_PASSWORD.encode(),
            )
        pki = demo.ensure_demo_pki()
        return Pkcs12SealSigner(pki.seal.pkcs12, pki.password)


def _pkcs11_problems(*names: str) -> list[str]:
    problems = [f"{name} is not set." for name in names if not getattr(settings, name)]
    if not settings.SIGNING_CA_CHAIN:
        # Signatures made on tokens embed the demo intermediate when no chain is named.
        problems.append("SIGNING_CA_CHAIN is not set: token signatures would name the demo CA.")
    module = settings.SIGNING_PKCS11_MODULE
    if module and not Path(module).is_file():
        problems.append(f"SIGNING_PKCS11_MODULE {module} is not a file.")
    return problems


class Pkcs11Seal:
    """The seal's key on a PKCS#11 token (an HSM), its session kept open by this process."""

    key = "pkcs11"
    label = "PKCS#11 token"
    demo = False

    def problems(self) -> list[str]:
        return _pkcs11_problems(
            "SIGNING_PKCS11_MODULE",
            "SIGNING_SEAL_PKCS11_TOKEN",
            "SIGNING_SEAL_PKCS11_KEY",
            "SIGNING_SEAL_PKCS11_PIN",
        )

    def load(self) -> SignerBackend:
        if not settings.SIGNING_SEAL_PKCS11_PIN:
            raise ImproperlyConfigured("SIGNING_SEAL_PKCS11_PIN is needed to seal on a token")
        backend = Pkcs11Signer(
            module_path=settings.SIGNING_PKCS11_MODULE,
            token_label=settings.SIGNING_SEAL_PKCS11_TOKEN,
            key_label=settings.SIGNING_SEAL_PKCS11_KEY,
            ca_chain=ca_chain(),
        )
        return _OpenTokenSeal(backend, settings.SIGNING_SEAL_PKCS11_PIN)


class Pkcs11Officials:
    """Each official's key on their own PKCS#11 token, unlocked by their PIN per signature."""

    key = "pkcs11"
    label = "PKCS#11 tokens"
    demo = False

    def problems(self) -> list[str]:
        return _pkcs11_problems("SIGNING_PKCS11_MODULE")

    def backend(self, signing_key: OfficialSigningKey) -> SignerBackend:
        return Pkcs11Signer(
            module_path=settings.SIGNING_PKCS11_MODULE,
            token_label=signing_key.token_label,
            key_label=signing_key.key_label,
            ca_chain=ca_chain(),
        )


class DemoOfficials:
    """Officials' demo keys in PIN-protected files (``manage.py setup_signing``)."""

    key = "pkcs12-pin"
    label = "PIN-protected key files (demo)"
    demo = True

    def problems(self) -> list[str]:
        return []

    def backend(self, signing_key: OfficialSigningKey) -> SignerBackend:
        return Pkcs12PinSigner(demo.officials_dir() / f"{signing_key.key_label}.p12")


SEALS: PluginRegistry[Pkcs12Seal | Pkcs11Seal] = PluginRegistry(
    "seal signer", settings=("SIGNING_SEAL_BACKEND",)
)
OFFICIAL_SIGNERS: PluginRegistry[Pkcs11Officials | DemoOfficials] = PluginRegistry(
    "officials' signer", settings=("SIGNING_OFFICIAL_BACKEND",)
)


def register_plugins() -> None:
    SEALS.register(Pkcs12Seal())
    SEALS.register(Pkcs11Seal())
    OFFICIAL_SIGNERS.register(Pkcs11Officials())
    OFFICIAL_SIGNERS.register(DemoOfficials())


def _chosen(registry: PluginRegistry, setting: str):
    try:
        return registry.chosen(setting)
    except LookupError as exc:
        raise ImproperlyConfigured(f"{setting}: {exc}") from None


def uses_demo_pki() -> bool:
    """True when anything signs or verifies with the demo PKI (fine for development only)."""
    # An unknown backend is not a demo: check --deploy reports it as unknown (core.E101).
    seal = SEALS.find(settings.SIGNING_SEAL_BACKEND)
    officials = OFFICIAL_SIGNERS.find(settings.SIGNING_OFFICIAL_BACKEND)
    on_tokens = "pkcs11" in (settings.SIGNING_SEAL_BACKEND, settings.SIGNING_OFFICIAL_BACKEND)
    return (
        (seal is not None and seal.demo)
        or (officials is not None and officials.demo)
        or not settings.SIGNING_TRUST_ROOTS_DIR
        or (on_tokens and not settings.SIGNING_CA_CHAIN)
    )


def seal() -> SignerBackend:
    """The municipal seal of this process (its key loaded, or its token session open)."""
    return _cached("seal", lambda: _chosen(SEALS, "SIGNING_SEAL_BACKEND").load())


# --- Officials ---------------------------------------------------------------------------


def official_backend(key: OfficialSigningKey) -> SignerBackend:
    """The official's key, locked: ``session(pin)`` unlocks it for one signature."""
    if not _KEY_LABEL.fullmatch(key.key_label):
        raise ImproperlyConfigured(f"invalid key label {key.key_label!r}")
    return _chosen(OFFICIAL_SIGNERS, "SIGNING_OFFICIAL_BACKEND").backend(key)


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
