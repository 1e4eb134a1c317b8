"""Signer backends: where the private key lives, behind one small protocol.

Every backend hands out a pyHanko ``Signer`` inside a context manager::

    backend = Pkcs11Signer(module_path=..., token_label=..., key_label=...)
    with backend.session(pin=pin) as signer:
        signed = sign_pdf(pdf, signer, ...)

``pkcs12`` is the municipal seal (file-based key, no PIN); ``pkcs11`` is a
token (an official's key, unlocked by their PIN for each session, or the
seal's); ``pkcs12-pin`` is a personal key in a file whose password is the
PIN, the embedded stand-in for an official's token. The Django app chooses
among them by settings (``documents.keys.SEALS`` and ``OFFICIAL_SIGNERS``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pkcs11
from asn1crypto import keys, x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import Certificate as PycaCertificate
from pkcs11 import Attribute, ObjectClass
from pyhanko.sign.pkcs11 import PKCS11Signer
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Pkcs11Library


class SignerBackend(Protocol):
    def session(self, pin: str | None = None) -> AbstractContextManager[Signer]:
        """A ready signer for the duration of the ``with`` block."""
        ...


class TokenError(Exception):
    """A PKCS#11 token could not be used; ``str(exc)`` says why, never the PIN."""


class TokenUnavailable(TokenError):
    pass


class TokenPinLocked(TokenUnavailable):
    pass


class TokenPinIncorrect(TokenError):
    pass


class TokenKeyNotFound(TokenError):
    pass


def _asn1_cert(cert: PycaCertificate) -> x509.Certificate:
    return x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class _CachedKeySigner(SimpleSigner):
    # SimpleSigner re-parses (and so re-checks) its RSA key for every signature,
    # ~30 ms here; a B-B signature with the parsed key kept takes ~12 ms.
    def __init__(self, private_key: rsa.RSAPrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if mechanism.signature_algo != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        digest = get_pyca_cryptography_hash(digest_algorithm)
        return self._private_key.sign(data, padding.PKCS1v15(), digest)


class Pkcs12SealSigner:
    """File-based key (the municipal seal), decrypted once when constructed.

    Keep one instance per process: that instance is the key cache. RSA only,
    since ECDSA would push the file to PDF 2.0 and break PDF/A-3.
    """

    def __init__(self, pkcs12_path: Path, passphrase: bytes) -> None:
        key, cert, chain = pkcs12.load_key_and_certificates(pkcs12_path.read_bytes(), passphrase)
        if not isinstance(key, rsa.RSAPrivateKey) or cert is None:
            raise ValueError(f"{pkcs12_path} must hold an RSA key and its certificate")
        key_der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self._signer = _CachedKeySigner(
            key,
            signing_cert=_asn1_cert(cert),
            signing_key=keys.PrivateKeyInfo.load(key_der),
            cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
        )

    @contextmanager
    def session(self, pin: str | None = None) -> Iterator[Signer]:
        if pin is not None:
            raise ValueError("a PKCS#12 seal is unlocked at load time and takes no PIN")
        yield self._signer


class Pkcs12PinSigner:
    """A personal key in a PKCS#12 file whose password is the holder's PIN.

    The embedded (demo) stand-in for an official's token: like a token, the
    file is unlocked for each ``session(pin)`` and the key is forgotten after.
    """

    def __init__(self, pkcs12_path: Path) -> None:
        self.pkcs12_path = pkcs12_path

    @contextmanager
    def session(self, pin: str | None = None) -> Iterator[Signer]:
        if not pin:
            raise TokenPinIncorrect("a PIN is required to unlock the key")
        try:
            data = self.pkcs12_path.read_bytes()
        except FileNotFoundError as exc:
            raise TokenKeyNotFound(f"no key file {self.pkcs12_path.name!r}") from exc
        except OSError as exc:
            raise TokenUnavailable(f"cannot read {self.pkcs12_path.name!r}: {exc}") from exc
        try:
            key, cert, chain = pkcs12.load_key_and_certificates(data, pin.encode())
        except ValueError as exc:  # wrong password and corrupt file read the same
            raise TokenPinIncorrect(f"incorrect PIN for {self.pkcs12_path.name!r}") from exc
        if not isinstance(key, rsa.RSAPrivateKey) or cert is None:
            raise TokenKeyNotFound(f"{self.pkcs12_path.name!r} holds no RSA key and certificate")
        key_der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        yield _CachedKeySigner(
            key,
            signing_cert=_asn1_cert(cert),
            signing_key=keys.PrivateKeyInfo.load(key_der),
            cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
        )


_initialised_in: dict[str, int] = {}  # module path -> pid that initialised it
_modules_lock = threading.Lock()


def _library(module_path: str) -> Pkcs11Library:
    """The PKCS#11 module, initialised lazily and once per process.

    A forked child inherits the parent's PKCS#11 state, login included
    (SoftHSM then refuses the child's login with UserAlreadyLoggedIn), and
    PKCS#11 requires the child to call C_Initialize itself: re-initialise.
    """
    with _modules_lock:
        try:
            library = pkcs11.lib(module_path)  # cached by python-pkcs11
            if _initialised_in.get(module_path, os.getpid()) != os.getpid():
                library.reinitialize()
        except pkcs11.PKCS11Error as exc:
            raise TokenUnavailable(f"cannot load PKCS#11 module {module_path}: {exc}") from exc
        _initialised_in[module_path] = os.getpid()
        return library


class Pkcs11Signer:
    """A key and certificate on a PKCS#11 token, found by label.

    The module is loaded lazily, once per process. Each ``session(pin)`` logs
    in afresh and closes the PKCS#11 session (logging out) at the end: a
    session kept open would let later calls sign without their PIN being
    checked, and the PIN is what proves the official's consent.
    """

    def __init__(
        self,
        module_path: str,
        token_label: str,
        key_label: str,
        *,
        cert_label: str | None = None,
        ca_chain: list[x509.Certificate] | None = None,
    ) -> None:
        self.module_path = module_path
        self.token_label = token_label
        self.key_label = key_label
        self.cert_label = cert_label or key_label
        self.ca_chain = ca_chain or []

    @contextmanager
    def session(self, pin: str | None = None) -> Iterator[Signer]:
        if not pin:
            raise TokenPinIncorrect("a PIN is required to unlock the token")
        library = _library(self.module_path)
        try:
            token = library.get_token(token_label=self.token_label)
        except (pkcs11.NoSuchToken, pkcs11.MultipleTokensReturned) as exc:
            raise TokenUnavailable(f"no single token labelled {self.token_label!r}") from exc
        try:
            p11_session = token.open(user_pin=pin)
        except (pkcs11.PinIncorrect, pkcs11.PinLenRange) as exc:
            raise TokenPinIncorrect(f"incorrect PIN for token {self.token_label!r}") from exc
        except pkcs11.PinLocked as exc:
            raise TokenPinLocked(f"the PIN of token {self.token_label!r} is locked") from exc
        except pkcs11.PKCS11Error as exc:
            raise TokenUnavailable(
                f"cannot open token {self.token_label!r}: {type(exc).__name__}"
            ) from exc
        with p11_session:
            yield PKCS11Signer(
                p11_session,
                signing_cert=self._signing_cert(p11_session),
                key_label=self.key_label,
                ca_chain=self.ca_chain,
            )

    def _signing_cert(self, p11_session: pkcs11.Session) -> x509.Certificate:
        """The certificate, after checking its private key is there: errors name what is missing."""
        try:
            p11_session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=self.key_label)
        except (pkcs11.NoSuchKey, pkcs11.MultipleObjectsReturned) as exc:
            raise TokenKeyNotFound(
                f"no single private key labelled {self.key_label!r} on {self.token_label!r}"
            ) from exc
        found = list(
            p11_session.get_objects(
                {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: self.cert_label}
            )
        )
        if len(found) != 1:
            raise TokenKeyNotFound(
                f"no single certificate labelled {self.cert_label!r} on {self.token_label!r}"
            )
        return x509.Certificate.load(found[0][Attribute.VALUE])
