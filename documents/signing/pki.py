"""A demo PKI for development and tests, built with ``cryptography``.

Root CA → intermediate CA → {municipal seal, officials, TSA}. Production uses
certificates from a licensed CA instead; this exists so that every piece of the
signing pipeline can run offline.

Revocation: the intermediate and the leaves carry a CRL distribution point but
no OCSP responder URL. An offline demo has no responder to answer OCSP, while
a CRL is just a signed file: ``DemoPki.crls()`` hands the current CRLs to a
validation context, and B-LT embeds them in the document (DSS), so signatures
stay verifiable without any network. The URL host is under ``.invalid``
(RFC 6761) unless the caller publishes the CRLs somewhere and passes its base
URL: validation here never fetches it.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ORGANISATION = "Municipalidad Demo"
ROOT_NAME = "Municipalidad Demo - Raíz"
INTERMEDIATE_NAME = "Municipalidad Demo - CA Intermedia"
SEAL_NAME = "Municipalidad Demo - Sello"
TSA_NAME = "Municipalidad Demo - Sellado de Tiempo"
DEFAULT_CRL_BASE_URL = "http://pki.municipalidad-demo.invalid/crl/"

_YEAR = dt.timedelta(days=365)
_ROOT_VALIDITY = 20 * _YEAR
_INTERMEDIATE_VALIDITY = 10 * _YEAR
_LEAF_VALIDITY = 3 * _YEAR
_CRL_VALIDITY = dt.timedelta(days=30)
# Re-issue a CRL this long before it expires, so one handed out stays usable.
_CRL_RENEWAL_MARGIN = dt.timedelta(days=7)
_CORE = ("root", "intermediate", "seal", "tsa")


@dataclass(frozen=True)
class IssuedCertificate:
    cert_pem: Path
    pkcs12: Path


@dataclass(frozen=True)
class DemoPki:
    directory: Path
    root: IssuedCertificate
    intermediate: IssuedCertificate
    seal: IssuedCertificate
    tsa: IssuedCertificate
    root_crl: Path
    intermediate_crl: Path
    password: bytes = field(repr=False)

    def chain_pem(self) -> Path:
        """Intermediate + root, for signers to embed."""
        return self.directory / "chain.pem"

    def load_cert(self, issued: IssuedCertificate) -> x509.Certificate:
        return x509.load_pem_x509_certificate(issued.cert_pem.read_bytes())

    def crls(self) -> list[x509.CertificateRevocationList]:
        return [
            x509.load_der_x509_crl(path.read_bytes())
            for path in (self.root_crl, self.intermediate_crl)
        ]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _name(common_name: str, **extra: str) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "AR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    oids = {"title": NameOID.TITLE, "serial_number": NameOID.SERIAL_NUMBER}
    attributes += [x509.NameAttribute(oids[key], value) for key, value in extra.items()]
    return x509.Name(attributes)


def _key_usage(*, ca: bool, non_repudiation: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _write(path: Path, data: bytes) -> None:
    # Keys live in these files: owner-only permissions, atomic replacement.
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


class _Issuer:
    def __init__(self, cert: x509.Certificate, key: rsa.RSAPrivateKey) -> None:
        self.cert = cert
        self.key = key

    @classmethod
    def load(cls, bundle: Path, password: bytes) -> _Issuer:
        key, cert, _ = pkcs12.load_key_and_certificates(bundle.read_bytes(), password)
        if not isinstance(key, rsa.RSAPrivateKey) or cert is None:
            raise ValueError(f"{bundle} does not hold an RSA key and certificate")
        return cls(cert, key)

    def issue(
        self,
        subject: x509.Name,
        key: rsa.RSAPrivateKey,
        validity: dt.timedelta,
        extensions: list[tuple[x509.ExtensionType, bool]],
    ) -> x509.Certificate:
        now = _now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(min(now + validity, self.cert.not_valid_after_utc))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), False
            )
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical)
        return builder.sign(self.key, hashes.SHA256())

    def crl(self) -> x509.CertificateRevocationList:
        now = _now()
        return (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject)
            .last_update(now - dt.timedelta(minutes=5))
            .next_update(now + _CRL_VALIDITY)
            .add_extension(x509.CRLNumber(int(now.timestamp())), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), False
            )
            .sign(self.key, hashes.SHA256())
        )


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _save(
    directory: Path,
    stem: str,
    cert: x509.Certificate,
    key: rsa.RSAPrivateKey,
    password: bytes,
    chain: list[x509.Certificate],
) -> IssuedCertificate:
    issued = _paths(directory, stem)
    _write(issued.cert_pem, cert.public_bytes(serialization.Encoding.PEM))
    encryption = serialization.BestAvailableEncryption(password)
    bundle = pkcs12.serialize_key_and_certificates(stem.encode(), key, cert, chain, encryption)
    _write(issued.pkcs12, bundle)
    return issued


def _paths(directory: Path, stem: str) -> IssuedCertificate:
    return IssuedCertificate(directory / f"{stem}.pem", directory / f"{stem}.p12")


def _crl_points(url: str) -> x509.CRLDistributionPoints:
    point = x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)
    return x509.CRLDistributionPoints([point])


def _leaf_extensions(
    crl_points: x509.CRLDistributionPoints,
    *,
    extended: list[x509.ObjectIdentifier] | None = None,
) -> list[tuple[x509.ExtensionType, bool]]:
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_key_usage(ca=False, non_repudiation=True), True),
        (crl_points, False),
    ]
    if extended:
        # RFC 3161 § 2.3: the TSA certificate's EKU must be critical and only timeStamping.
        extensions.append((x509.ExtendedKeyUsage(extended), True))
    return extensions


def _create_core(directory: Path, password: bytes, crl_base_url: str) -> None:
    root_key = _new_key()
    root_name = _name(ROOT_NAME)
    now = _now()
    root_cert = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _ROOT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .add_extension(_key_usage(ca=True), True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    root = _Issuer(root_cert, root_key)
    _save(directory, "root", root_cert, root_key, password, [])

    intermediate_key = _new_key()
    intermediate_cert = root.issue(
        _name(INTERMEDIATE_NAME),
        intermediate_key,
        _INTERMEDIATE_VALIDITY,
        [
            (x509.BasicConstraints(ca=True, path_length=0), True),
            (_key_usage(ca=True), True),
            (_crl_points(crl_base_url + "root.crl"), False),
        ],
    )
    intermediate = _Issuer(intermediate_cert, intermediate_key)
    _save(directory, "intermediate", intermediate_cert, intermediate_key, password, [root_cert])
    chain = [intermediate_cert, root_cert]
    _write(
        directory / "chain.pem",
        b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain),
    )

    leaf_crl_points = _crl_points(crl_base_url + "intermediate.crl")
    for stem, subject, extended in (
        ("seal", _name(SEAL_NAME), None),
        ("tsa", _name(TSA_NAME), [ExtendedKeyUsageOID.TIME_STAMPING]),
    ):
        key = _new_key()
        cert = intermediate.issue(
            subject, key, _LEAF_VALIDITY, _leaf_extensions(leaf_crl_points, extended=extended)
        )
        _save(directory, stem, cert, key, password, chain)


def _refresh_crl(path: Path, issuer_bundle: Path, password: bytes) -> None:
    if path.exists():
        current = x509.load_der_x509_crl(path.read_bytes())
        next_update = current.next_update_utc
        if next_update is not None and next_update - _now() > _CRL_RENEWAL_MARGIN:
            return
    crl = _Issuer.load(issuer_bundle, password).crl()
    _write(path, crl.public_bytes(serialization.Encoding.DER))


def create_demo_pki(
    directory: Path, *, password: bytes, crl_base_url: str = DEFAULT_CRL_BASE_URL
) -> DemoPki:
    """Create the demo PKI under ``directory``, or reuse the one already there.

    ``password`` protects every PKCS#12 bundle (CA keys included); the caller
    owns it. ``crl_base_url`` only matters when the PKI is first created.
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = {stem: _paths(directory, stem) for stem in _CORE}
    required = [p for issued in paths.values() for p in (issued.cert_pem, issued.pkcs12)]
    if not all(p.exists() for p in [*required, directory / "chain.pem"]):
        # Anything issued under a previous root would no longer chain: drop it.
        for stale in [*directory.glob("official-*.p*"), *directory.glob("*.crl")]:
            stale.unlink()
        _create_core(directory, password, crl_base_url)
    pki = DemoPki(
        directory=directory,
        root_crl=directory / "root.crl",
        intermediate_crl=directory / "intermediate.crl",
        password=password,
        **paths,
    )
    _refresh_crl(pki.root_crl, pki.root.pkcs12, password)
    _refresh_crl(pki.intermediate_crl, pki.intermediate.pkcs12, password)
    return pki


def issue_official_certificate(
    pki: DemoPki, full_name: str, role: str, dni: str
) -> IssuedCertificate:
    """Certificate + PKCS#12 for an official (personal signature), reused if present.

    The subject carries the DNI as ``serialNumber`` ("DNI 12345678"), as
    Argentine signature certificates identify the holder by document number.
    """
    if not dni.isdigit():
        raise ValueError("dni must contain digits only")
    issued = _paths(pki.directory, f"official-{dni}")
    if issued.cert_pem.exists() and issued.pkcs12.exists():
        return issued
    intermediate = _Issuer.load(pki.intermediate.pkcs12, pki.password)
    key = _new_key()
    subject = _name(full_name, title=role, serial_number=f"DNI {dni}")
    # Same issuer as the seal, hence the same CRL.
    seal_extensions = pki.load_cert(pki.seal).extensions
    crl_points = seal_extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    cert = intermediate.issue(subject, key, _LEAF_VALIDITY, _leaf_extensions(crl_points))
    chain = [intermediate.cert, pki.load_cert(pki.root)]
    return _save(pki.directory, f"official-{dni}", cert, key, pki.password, chain)
