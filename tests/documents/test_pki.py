from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from documents.signing.pki import DemoPki, create_demo_pki, issue_official_certificate


def _years(cert: x509.Certificate) -> float:
    return (cert.not_valid_after_utc - cert.not_valid_before_utc) / dt.timedelta(days=365)


def _key_usage(cert: x509.Certificate) -> x509.KeyUsage:
    return cert.extensions.get_extension_for_class(x509.KeyUsage).value


def test_hierarchy_names_and_validity(pki: DemoPki) -> None:
    root, intermediate, seal, tsa = (
        pki.load_cert(issued) for issued in (pki.root, pki.intermediate, pki.seal, pki.tsa)
    )
    assert root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "Municipalidad Demo - Raíz"
    )
    assert root.issuer == root.subject
    assert intermediate.issuer == root.subject
    assert seal.issuer == tsa.issuer == intermediate.subject
    assert round(_years(root)) == 20
    assert round(_years(intermediate)) == 10
    assert round(_years(seal)) == round(_years(tsa)) == 3
    assert x509.BasicConstraints(ca=True, path_length=0) == (
        intermediate.extensions.get_extension_for_class(x509.BasicConstraints).value
    )


def test_leaf_usages_and_offline_revocation(pki: DemoPki) -> None:
    seal, tsa = pki.load_cert(pki.seal), pki.load_cert(pki.tsa)
    usage = _key_usage(seal)
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    eku = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    for cert in (seal, tsa):
        assert cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)
        oids = {extension.oid for extension in cert.extensions}
        assert ExtensionOID.AUTHORITY_INFORMATION_ACCESS not in oids  # no OCSP offline
    crl_issuers = {crl.issuer for crl in pki.crls()}
    assert crl_issuers == {pki.load_cert(pki.root).subject, pki.load_cert(pki.intermediate).subject}


def test_pkcs12_bundles_need_the_password(pki: DemoPki) -> None:
    key, cert, chain = pkcs12.load_key_and_certificates(pki.seal.pkcs12.read_bytes(), pki.password)
    assert key is not None and cert == pki.load_cert(pki.seal)
    assert [c.subject for c in chain] == [
        pki.load_cert(pki.intermediate).subject,
        pki.load_cert(pki.root).subject,
    ]
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(pki.seal.pkcs12.read_bytes(), b"wrong")


def test_create_is_idempotent(pki: DemoPki) -> None:
    before = {p.name: p.read_bytes() for p in pki.directory.iterdir()}
    again = create_demo_pki(pki.directory, password=pki.password)
    assert again == pki
    assert {p.name: p.read_bytes() for p in pki.directory.iterdir()} == before


def test_partial_pki_is_recreated_whole(tmp_path: Path) -> None:
    first = create_demo_pki(tmp_path, password=b"demo")
    old_root = first.load_cert(first.root)
    official = issue_official_certificate(first, "Ana Pérez", "Directora", "12345678")
    first.tsa.pkcs12.unlink()
    second = create_demo_pki(tmp_path, password=b"demo")
    assert second.load_cert(second.root) != old_root
    assert not official.pkcs12.exists()
    root_crl, intermediate_crl = second.crls()
    assert root_crl.is_signature_valid(second.load_cert(second.root).public_key())
    assert intermediate_crl.is_signature_valid(second.load_cert(second.intermediate).public_key())


def test_official_certificate(pki: DemoPki) -> None:
    issued = issue_official_certificate(pki, "Ana Pérez", "Directora de Habilitaciones", "12345678")
    cert = x509.load_pem_x509_certificate(issued.cert_pem.read_bytes())
    subject = {attr.oid: attr.value for attr in cert.subject}
    assert subject[NameOID.COMMON_NAME] == "Ana Pérez"
    assert subject[NameOID.TITLE] == "Directora de Habilitaciones"
    assert subject[NameOID.SERIAL_NUMBER] == "DNI 12345678"
    assert cert.issuer == pki.load_cert(pki.intermediate).subject
    assert _key_usage(cert).content_commitment
    pem = issued.cert_pem.read_bytes()
    assert issue_official_certificate(pki, "Ana Pérez", "otro cargo", "12345678") == issued
    assert issued.cert_pem.read_bytes() == pem
    with pytest.raises(ValueError):
        issue_official_certificate(pki, "X", "Y", "12.345.678")
