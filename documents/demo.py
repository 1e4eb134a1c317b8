"""The embedded demo PKI: what signs documents when no real keys are configured.

Everything lives under ``settings.SIGNING_DEMO_DIR``: the PKI itself (``pki/``,
root → intermediate → seal, officials, TSA), the password protecting its
PKCS#12 files, the officials' personal key files (``officials/``, each
encrypted with the official's PIN) and the trust roots verification uses
(``trust/``). Several processes (web, workers) may get here at once: a file
lock makes the first one create and the others wait and reuse.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from accounts.models import User
from core import audit

from .models import OfficialSigningKey
from .signing.pki import DemoPki, create_demo_pki, issue_official_certificate


def demo_dir() -> Path:
    """Where the demo PKI lives; refused unless SIGNING_DEMO_PKI allows it (DEBUG's default),
    so that nothing is signed or verified with demo keys in production."""
    if not settings.SIGNING_DEMO_PKI:
        raise ImproperlyConfigured(
            "No signing key is configured and the demo PKI is off (SIGNING_DEMO_PKI): set "
            "SIGNING_SEAL_*, SIGNING_OFFICIAL_BACKEND=pkcs11, SIGNING_CA_CHAIN and "
            "SIGNING_TRUST_ROOTS_DIR (see .env.example)."
        )
    return Path(settings.SIGNING_DEMO_DIR)


def officials_dir() -> Path:
    return demo_dir() / "officials"


def trust_dir() -> Path:
    return demo_dir() / "trust"


@contextmanager
def _exclusive() -> Iterator[None]:
    directory = demo_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _password(directory: Path) -> bytes:
    path = directory / "pki-password"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(24))
    return path.read_text().strip().encode()


def ensure_demo_pki() -> DemoPki:
    """The demo PKI, created the first time; its CRLs renewed and copied to the trust roots."""
    with _exclusive():
        directory = demo_dir()
        pki = create_demo_pki(directory / "pki", password=_password(directory))
        trust = trust_dir()
        trust.mkdir(exist_ok=True)
        for source in (pki.root.cert_pem, pki.root_crl, pki.intermediate_crl):
            target = trust / source.name
            if not target.exists() or target.read_bytes() != source.read_bytes():
                shutil.copyfile(source, target)
        return pki


def _pseudo_dni(user: User) -> str:
    digits = "".join(c for c in user.document_number if c.isdigit())
    if len(digits) == 11:  # a CUIT/CUIL holds the DNI between its prefix and check digit
        digits = digits[2:10]
    return digits or f"{90_000_000 + user.pk}"


def demo_key_label(user: User) -> str:
    return "official-" + re.sub(r"[^a-z0-9]+", "-", user.email.lower()).strip("-")


def _opens_with(path: Path, pin: str) -> bool:
    try:
        pkcs12.load_key_and_certificates(path.read_bytes(), pin.encode())
    except (OSError, ValueError):
        return False
    return True


def enroll_demo_official(user: User, *, role: str, pin: str, actor: User | None = None):
    """Give an official a demo certificate, in a key file their PIN unlocks, and register it.

    Demo only (the ``pkcs12-pin`` backend): real officials' keys are created
    on their tokens and registered in the admin.
    """
    label = demo_key_label(user)
    path = officials_dir() / f"{label}.p12"
    if not _opens_with(path, pin):
        pki = ensure_demo_pki()
        issued = issue_official_certificate(
            pki, user.full_name or user.email, role, _pseudo_dni(user)
        )
        key, cert, chain = pkcs12.load_key_and_certificates(
            issued.pkcs12.read_bytes(), pki.password
        )
        bundle = pkcs12.serialize_key_and_certificates(
            label.encode(), key, cert, chain, BestAvailableEncryption(pin.encode())
        )
        officials_dir().mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(bundle)
        os.replace(temporary, path)
    with transaction.atomic():
        signing_key, created = OfficialSigningKey.objects.update_or_create(
            user=user,
            defaults={"role": role, "key_label": label, "token_label": "", "active": True},
        )
        audit.record(
            actor=actor,
            action="signing_key.registered" if created else "signing_key.changed",
            obj=signing_key,
            after={"user": user.email, "key_label": label, "role": role},
        )
    return signing_key
