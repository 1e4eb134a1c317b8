from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import TimeStamper

from documents.signing.pki import SEAL_NAME, TSA_NAME, DemoPki
from documents.signing.sign import extend_to_lta, sha256_hex, timestamp_time
from documents.signing.signers import Pkcs12SealSigner
from documents.signing.verify import lta_validation_context, verify_pdf

from .support import SignedSet, seal_sign


def test_b_b_certified_seal(signed: SignedSet, trust_roots: list[x509.Certificate]) -> None:
    report = verify_pdf(signed.b_b, trust_roots)
    assert report.authentic, report.reason
    assert report.reason is None
    assert report.level == "B-B"
    assert report.signer_common_name == SEAL_NAME
    assert report.signer_organisation == "Municipalidad Demo"
    assert report.timestamp_time is None
    assert report.signing_time is not None
    assert (report.coverage, report.modification_level) == ("ENTIRE_FILE", "NONE")
    [signature] = report.signatures
    assert signature.field_name == "SelloMunicipal"
    assert "TRUSTED" in signature.pyhanko_summary and "UNTRUSTED" not in signature.pyhanko_summary
    reader = PdfFileReader(BytesIO(signed.b_b))
    assert "/DocMDP" in reader.root["/Perms"]  # certification signature


def test_b_t_has_tsa_time(signed: SignedSet, trust_roots: list[x509.Certificate]) -> None:
    report = verify_pdf(signed.b_t, trust_roots)
    assert report.authentic, report.reason
    assert report.level == "B-T"
    assert report.timestamp_time is not None
    assert abs(report.timestamp_time - signed.signed_at) < dt.timedelta(minutes=5)


def test_lta_stays_authentic_under_certification(
    signed: SignedSet, trust_roots: list[x509.Certificate]
) -> None:
    report = verify_pdf(signed.b_lta, trust_roots)
    assert report.authentic, report.reason
    assert report.level == "B-LTA"
    assert report.signer_common_name == SEAL_NAME
    assert report.modification_level == "LTA_UPDATES"
    kinds = [(s.kind, s.signer_common_name) for s in report.signatures]
    assert kinds == [("signature", SEAL_NAME), ("document timestamp", TSA_NAME)]
    reader = PdfFileReader(BytesIO(signed.b_lta))
    dss = reader.root["/DSS"]
    assert len(dss["/CRLs"]) == 2  # root's and intermediate's, for offline validation


def test_lta_renewal_adds_a_second_archive_timestamp(
    signed: SignedSet,
    pki: DemoPki,
    trust_roots: list[x509.Certificate],
    timestamper: TimeStamper,
) -> None:
    context = lta_validation_context(trust_roots, crls=pki.crls())
    renewed = extend_to_lta(signed.b_lta, context, timestamper)
    report = verify_pdf(renewed, trust_roots)
    assert report.authentic, report.reason
    assert [s.kind for s in report.signatures].count("document timestamp") == 2


@pytest.mark.parametrize("name", ["b_b", "b_t", "b_lta"])
def test_independent_tools_accept_the_files(signed: SignedSet, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(getattr(signed, name))
    pdfsig = subprocess.run(
        ["pdfsig", "-nocert", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(tmp_path)},  # keep NSS state out of the real home
    )
    assert "Signature is Valid." in pdfsig.stdout, pdfsig.stdout + pdfsig.stderr
    qpdf = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert qpdf.returncode == 0, qpdf.stdout + qpdf.stderr


def test_flipped_byte_is_detected(signed: SignedSet, trust_roots: list[x509.Certificate]) -> None:
    for pdf in (signed.b_b, signed.b_lta):
        tampered = bytearray(pdf)
        offset = pdf.index(b"/Author")  # Info of the first revision, covered by the signature
        tampered[offset + 2] ^= 0x01
        report = verify_pdf(bytes(tampered), trust_roots)
        assert not report.authentic
        assert report.reason == "document was modified after signing (byte changes)"


def _draw_on_first_page(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    stroke = generic.StreamObject(stream_data=b"0 0 m 300 300 l S")
    writer.add_stream_to_page(0, writer.add_object(stroke))
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


@pytest.mark.parametrize("name", ["b_b", "b_lta"])
def test_illegal_incremental_update_is_detected(
    signed: SignedSet, trust_roots: list[x509.Certificate], name: str
) -> None:
    report = verify_pdf(_draw_on_first_page(getattr(signed, name)), trust_roots)
    assert not report.authentic
    assert report.reason == "illegal incremental modification after signing"


def test_unsigned_and_garbage_inputs(rendered: bytes, trust_roots: list[x509.Certificate]) -> None:
    unsigned = verify_pdf(rendered, trust_roots)
    assert (unsigned.authentic, unsigned.reason) == (False, "no signature")
    for garbage in (os.urandom(4096), b"", b"%PDF-1.7\n%%EOF\n"):
        report = verify_pdf(garbage, trust_roots)
        assert not report.authentic
        assert report.reason == "not a PDF file (or a damaged one)"


def test_untrusted_signer(rendered: bytes, tmp_path: Path, trust_roots: list[x509.Certificate]):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Municipalidad Demo - Sello")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    bundle = tmp_path / "impostor.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"impostor", key, cert, None, serialization.BestAvailableEncryption(b"pw")
        )
    )
    forged = seal_sign(rendered, Pkcs12SealSigner(bundle, b"pw"), None)
    report = verify_pdf(forged, trust_roots)
    assert not report.authentic
    assert report.reason == "signer not trusted"
    assert report.signer_common_name == "Municipalidad Demo - Sello"  # a name proves nothing


def _crl_revoking(pki: DemoPki, serial_number: int) -> x509.CertificateRevocationList:
    key, ca, _ = pkcs12.load_key_and_certificates(
        pki.intermediate.pkcs12.read_bytes(), pki.password
    )
    assert isinstance(key, rsa.RSAPrivateKey) and ca is not None
    now = dt.datetime.now(dt.UTC)
    revoked = (
        x509.RevokedCertificateBuilder()
        .serial_number(serial_number)
        .revocation_date(now - dt.timedelta(seconds=1))
        .build()
    )
    return (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.subject)
        .last_update(now - dt.timedelta(seconds=1))
        .next_update(now + dt.timedelta(days=1))
        .add_revoked_certificate(revoked)
        .add_extension(x509.CRLNumber(int(now.timestamp()) + 1), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )


def test_current_crls_are_checked(
    signed: SignedSet, pki: DemoPki, trust_roots: list[x509.Certificate]
) -> None:
    root_crl, _ = pki.crls()
    assert verify_pdf(signed.b_lta, trust_roots, crls=pki.crls()).authentic
    revoking = _crl_revoking(pki, pki.load_cert(pki.seal).serial_number)
    report = verify_pdf(signed.b_t, trust_roots, crls=[root_crl, revoking])
    assert (report.authentic, report.reason) == (False, "signer certificate revoked")


def test_genuine_signature_against_other_roots(signed: SignedSet) -> None:
    report = verify_pdf(signed.b_t, [])
    assert (report.authentic, report.reason) == (False, "signer not trusted")


def test_sha256_hex() -> None:
    assert sha256_hex(b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_timestamp_time(signed: SignedSet) -> None:
    assert timestamp_time(signed.b_b) is None
    stamped = timestamp_time(signed.b_t)
    assert stamped is not None
    assert abs(stamped - signed.signed_at) < dt.timedelta(minutes=5)
    assert stamped == verify_pdf(signed.b_t, []).timestamp_time
    assert timestamp_time(signed.b_lta) == stamped  # the signature's own, not the archive's
