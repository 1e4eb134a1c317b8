"""WSAA: the login ticket (token and sign) AFIP's business services require.

The request (TRA) names the service and a validity window; it is signed as CMS
SignedData (content attached, certificate included, SHA-256) with the municipality's
certificate and sent base64 to ``loginCms``. A ticket lasts 12 hours and asking again
while one is valid is refused (``coe.alreadyAuthenticated``), so tickets are cached per
service until shortly before they expire.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from lxml import etree

from . import AfipUnavailable
from .soap import call, client_for

WSDL = Path(__file__).resolve().parent / "wsdl" / "wsaa.wsdl"
BINDING = "{http://wsaa.view.sua.dvadac.desein.afip.gov}LoginCmsSoapBinding"
# Clocks differ: the request says it was made a little earlier than now.
BACKDATE = timedelta(minutes=10)
# A ticket is renewed this long before it expires.
RENEW_BEFORE = timedelta(minutes=10)
# Faults that mean "try again later", not "the configuration is wrong".
TRANSIENT_FAULTS = ("wsn.unavailable", "wsaa.unavailable")


class AfipLoginRefused(Exception):
    """WSAA refused the certificate or the request; the message is AFIP's."""


def login_request(service: str, now: datetime) -> bytes:
    root = etree.Element("loginTicketRequest", version="1.0")
    header = etree.SubElement(root, "header")
    etree.SubElement(header, "uniqueId").text = str(int(now.timestamp()))
    etree.SubElement(header, "generationTime").text = (now - BACKDATE).isoformat(timespec="seconds")
    etree.SubElement(header, "expirationTime").text = (now + BACKDATE).isoformat(timespec="seconds")
    etree.SubElement(root, "service").text = service
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def sign(content: bytes, certificate_pem: bytes, key_pem: bytes) -> str:
    certificate = x509.load_pem_x509_certificate(certificate_pem)
    key = serialization.load_pem_private_key(key_pem, password=None)
    signed = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(certificate, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [])
    )
    return base64.b64encode(signed).decode("ascii")


def ticket(service: str) -> tuple[str, str]:
    """(token, sign) for ``service``, from the cache or a new login."""
    key = f"afip:ta:{settings.MUNICIPALITY_CUIT}:{service}"
    cached = cache.get(key)
    if cached:
        return cached
    now = timezone.localtime()
    cms = sign(
        login_request(service, now),
        Path(settings.AFIP_CERT_PATH).read_bytes(),
        Path(settings.AFIP_KEY_PATH).read_bytes(),
    )
    answer = call(
        client_for(WSDL, BINDING, settings.AFIP_WSAA_URL).loginCms,
        in0=cms,
        transient=TRANSIENT_FAULTS,
        refused=AfipLoginRefused,
    )
    ta = etree.fromstring(answer.encode("utf-8"))
    token, signature = ta.findtext("credentials/token"), ta.findtext("credentials/sign")
    expires = datetime.fromisoformat(ta.findtext("header/expirationTime"))
    if not token or not signature:
        raise AfipUnavailable("WSAA answered without credentials.")
    lifetime = (expires - timezone.now() - RENEW_BEFORE).total_seconds()
    cache.set(key, (token, signature), timeout=max(int(lifetime), 1))
    return token, signature
