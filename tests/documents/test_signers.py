"""Signer backends: the seal takes no PIN, and a real PKCS#11 token (SoftHSM2) holds an official's key."""

from __future__ import annotations

import logging
import multiprocessing
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from pyhanko.keys import load_certs_from_pemder
from pyhanko.sign.timestamps import TimeStamper

from documents.signing.pki import DemoPki, issue_official_certificate
from documents.signing.sign import sign_pdf
from documents.signing.signers import (
    Pkcs11Signer,
    Pkcs12PinSigner,
    Pkcs12SealSigner,
    TokenKeyNotFound,
    TokenPinIncorrect,
    TokenUnavailable,
)
from documents.signing.verify import verify_pdf

from .support import SOFTHSM_MODULE, Token

TOKEN_LABEL = "officials"


def test_seal_takes_no_pin(seal: Pkcs12SealSigner) -> None:
    with pytest.raises(ValueError, match="no PIN"), seal.session(pin="1234"):
        pass


@pytest.fixture(scope="session")
def official_backend(softhsm: Token, pki: DemoPki) -> Pkcs11Signer:
    backend = Pkcs11Signer(
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


def test_pkcs12_file_unlocked_by_a_pin(
    rendered: bytes, pki: DemoPki, tmp_path: Path, trust_roots: list[x509.Certificate]
) -> None:
    """The embedded stand-in for an official's token: the PIN is the key file's password."""
    issued = issue_official_certificate(pki, "Carla Demo", "Jefa de Mesa", "20999888")
    key, cert, chain = pkcs12.load_key_and_certificates(issued.pkcs12.read_bytes(), pki.password)
    bundle = tmp_path / "carla.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"carla", key, cert, chain, BestAvailableEncryption(b"4321")
        )
    )
    backend = Pkcs12PinSigner(bundle)
    with pytest.raises(TokenPinIncorrect) as error:
        _approve(rendered, backend, "1234", None)
    assert "1234" not in str(error.value)
    with pytest.raises(TokenPinIncorrect, match="PIN is required"):
        _approve(rendered, backend, "", None)
    with pytest.raises(TokenKeyNotFound):
        _approve(rendered, Pkcs12PinSigner(tmp_path / "nobody.p12"), "4321", None)
    report = verify_pdf(_approve(rendered, backend, "4321", None), trust_roots)
    assert report.authentic and report.signer_common_name == "Carla Demo"
