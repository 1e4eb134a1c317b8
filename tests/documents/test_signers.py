"""Signer backends: the registry, and a real PKCS#11 token (SoftHSM2) holding an official's key."""

from __future__ import annotations

import logging
import multiprocessing
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    pkcs12,
)
from pyhanko.keys import load_certs_from_pemder
from pyhanko.sign.timestamps import TimeStamper

from documents.signing.pki import DemoPki, issue_official_certificate
from documents.signing.sign import sign_pdf
from documents.signing.signers import (
    Pkcs11Signer,
    Pkcs12SealSigner,
    TokenKeyNotFound,
    TokenPinIncorrect,
    TokenUnavailable,
    get_signer_backend,
    register_signer_backend,
)
from documents.signing.verify import verify_pdf

SOFTHSM_MODULE = "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"
TOKEN_LABEL = "officials"


def test_registry() -> None:
    assert get_signer_backend("pkcs12") is Pkcs12SealSigner
    assert get_signer_backend("pkcs11") is Pkcs11Signer
    register_signer_backend("pkcs12", Pkcs12SealSigner)  # same factory again is harmless
    with pytest.raises(ValueError, match="already registered"):
        register_signer_backend("pkcs12", Pkcs11Signer)
    with pytest.raises(LookupError, match="pkcs11, pkcs12"):
        get_signer_backend("hsm-in-the-cloud")


def test_seal_takes_no_pin(seal: Pkcs12SealSigner) -> None:
    with pytest.raises(ValueError, match="no PIN"), seal.session(pin="1234"):
        pass


@dataclass(frozen=True)
class Token:
    pin: str
    key_label: str
    full_name: str


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory, pki: DemoPki) -> Iterator[Token]:
    tools = ("softhsm2-util", "pkcs11-tool")
    if not Path(SOFTHSM_MODULE).exists() or not all(map(shutil.which, tools)):
        pytest.skip("SoftHSM2 and OpenSC (pkcs11-tool) are needed")
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {directory / 'tokens'}\n"
        "objectstore.backend = file\nlog.level = ERROR\n"
    )
    pin, so_pin = secrets.token_hex(6), secrets.token_hex(6)
    official = issue_official_certificate(
        pki, "Ana Pérez", "Directora de Habilitaciones", "20123456"
    )
    key, cert, _ = pkcs12.load_key_and_certificates(official.pkcs12.read_bytes(), pki.password)
    assert key is not None and cert is not None
    key_label = "official-20123456"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOFTHSM2_CONF", str(config))
        init = ["softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL]
        _run(*init, "--pin", pin, "--so-pin", so_pin)
        key_der = directory / "key.der"
        key_der.touch(mode=0o600)
        key_der.write_bytes(key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()))
        cert_der = directory / "cert.der"
        cert_der.write_bytes(cert.public_bytes(Encoding.DER))
        tool = ["pkcs11-tool", "--module", SOFTHSM_MODULE, "--token-label", TOKEN_LABEL]
        for path, kind in ((key_der, "privkey"), (cert_der, "cert")):
            write = ["--write-object", str(path), "--type", kind, "--id", "01"]
            _run(*tool, "--login", "--pin", pin, *write, "--label", key_label)
        key_der.unlink()
        # SoftHSM reads SOFTHSM2_CONF in C_Initialize; the module may already be
        # initialised in this process with another configuration.
        pkcs11.lib(SOFTHSM_MODULE).reinitialize()
        yield Token(pin=pin, key_label=key_label, full_name="Ana Pérez")


@pytest.fixture(scope="session")
def official_backend(softhsm: Token, pki: DemoPki) -> Pkcs11Signer:
    factory = get_signer_backend("pkcs11")
    backend = factory(
        module_path=SOFTHSM_MODULE,
        token_label=TOKEN_LABEL,
        key_label=softhsm.key_label,
        ca_chain=list(load_certs_from_pemder([str(pki.chain_pem())])),
    )
    assert isinstance(backend, Pkcs11Signer)
    return backend


def _approve(pdf: bytes, backend: Pkcs11Signer, pin: str, timestamper: TimeStamper | None):
    with backend.session(pin=pin) as signer:
        return sign_pdf(
            pdf,
            signer,
            certify=False,
            timestamper=timestamper,
            field_name="FirmaFuncionaria",
            reason="Aprobación",
            location="Municipalidad Demo",
        )


def test_token_signature_with_right_pin(
    rendered: bytes,
    official_backend: Pkcs11Signer,
    softhsm: Token,
    timestamper: TimeStamper,
    trust_roots: list[x509.Certificate],
) -> None:
    report = verify_pdf(_approve(rendered, official_backend, softhsm.pin, timestamper), trust_roots)
    assert report.authentic, report.reason
    assert report.signer_common_name == softhsm.full_name
    assert report.signer_organisation == "Municipalidad Demo"
    assert report.level == "B-T"


def test_wrong_pin_gives_no_output_and_leaks_no_pin(
    rendered: bytes,
    official_backend: Pkcs11Signer,
    softhsm: Token,
    caplog: pytest.LogCaptureFixture,
    trust_roots: list[x509.Certificate],
) -> None:
    wrong = "0" + softhsm.pin[1:] if softhsm.pin[0] != "0" else "1" + softhsm.pin[1:]
    output = None
    with caplog.at_level(logging.DEBUG), pytest.raises(TokenPinIncorrect) as error:
        output = _approve(rendered, official_backend, wrong, None)
    assert output is None
    assert wrong not in str(error.value) and wrong not in caplog.text
    assert softhsm.pin not in caplog.text
    with pytest.raises(TokenPinIncorrect, match="PIN is required"):
        _approve(rendered, official_backend, "", None)
    # A failed login leaves nothing half-open: the right PIN still works.
    assert verify_pdf(
        _approve(rendered, official_backend, softhsm.pin, None), trust_roots
    ).authentic


def test_unknown_key_label(rendered: bytes, official_backend: Pkcs11Signer, softhsm: Token):
    backend = Pkcs11Signer(SOFTHSM_MODULE, TOKEN_LABEL, "official-99999999")
    with pytest.raises(TokenKeyNotFound, match="official-99999999"):
        _approve(rendered, backend, softhsm.pin, None)


def test_unavailable_module_or_token(rendered: bytes, softhsm: Token, tmp_path: Path) -> None:
    missing = Pkcs11Signer(str(tmp_path / "libnothing.so"), TOKEN_LABEL, softhsm.key_label)
    with pytest.raises(TokenUnavailable, match="cannot load PKCS#11 module"):
        _approve(rendered, missing, softhsm.pin, None)
    other_token = Pkcs11Signer(SOFTHSM_MODULE, "no-such-token", softhsm.key_label)
    with pytest.raises(TokenUnavailable, match="no-such-token"):
        _approve(rendered, other_token, softhsm.pin, None)


def _sign_in_child(
    pdf: bytes, backend: Pkcs11Signer, pin: str, results: multiprocessing.Queue
) -> None:
    try:
        results.put(_approve(pdf, backend, pin, None))
    except Exception as exc:  # report to the parent instead of dying silently
        results.put(repr(exc))


def test_forked_worker_can_sign_while_parent_is_logged_in(
    rendered: bytes,
    official_backend: Pkcs11Signer,
    softhsm: Token,
    trust_roots: list[x509.Certificate],
) -> None:
    """Like a Celery prefork worker: the child inherits an initialised, logged-in module."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    with official_backend.session(pin=softhsm.pin):
        child = context.Process(
            target=_sign_in_child, args=(rendered, official_backend, softhsm.pin, results)
        )
        child.start()
        outcome = results.get(timeout=30)
        child.join(timeout=30)
    assert isinstance(outcome, bytes), outcome
    assert verify_pdf(outcome, trust_roots).signer_common_name == softhsm.full_name
