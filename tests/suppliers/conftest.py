from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.cache import cache
from django.utils import timezone

from . import factories
from .afip_fake import FakeAfip, serve


@pytest.fixture
def buyer(db):
    """An employee of the purchasing department who creates orders and records receptions."""
    return factories.employee("compras@example.com", "purchasing", code="compras")


@pytest.fixture
def clerk(db):
    """An accounts payable employee who may also approve payment batches."""
    return factories.employee(
        "tesoreria@example.com", "accounts_payable", "approve_payment_batches", code="tesoreria"
    )


@pytest.fixture
def second_approver(db):
    return factories.employee(
        "contaduria@example.com", "accounts_payable", "approve_payment_batches", code="contaduria"
    )


@pytest.fixture
def third_approver(db):
    return factories.employee(
        "intendencia@example.com", "accounts_payable", "approve_payment_batches", code="intendencia"
    )


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English (the msgids); pages are tested in Spanish."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _old_invoices_are_not_held(settings):
    """The sample invoices are years old; the tests of the age hold set a limit themselves."""
    settings.SUPPLIERS_INVOICE_MAX_AGE_DAYS = None


@pytest.fixture
def afip(settings, tmp_path):
    """The municipality's certificate, and AFIP's services (fake) it is trusted by."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "AR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Municipalidad de Villa Demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, "portal"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "CUIT 30999999995"),
        ]
    )
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "afip.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "afip.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    fake = FakeAfip(trusted_certificate=certificate.public_bytes(serialization.Encoding.DER))
    server = serve(fake)
    settings.SUPPLIERS_AFIP_CHECKER = "afip-wscdc"
    settings.AFIP_CERT_PATH = str(tmp_path / "afip.crt")
    settings.AFIP_KEY_PATH = str(tmp_path / "afip.key")
    settings.AFIP_WSAA_URL = f"{fake.url}/ws/services/LoginCms"
    settings.AFIP_WSCDC_URL = f"{fake.url}/WSCDC/service.asmx"
    settings.SUPPLIERS_AFIP_REGISTER = "afip-padron-a5"
    settings.AFIP_PADRON_URL = f"{fake.url}/sr-padron/webservices/personaServiceA5"
    settings.AFIP_TIMEOUT = 5
    cache.clear()
    yield fake
    server.shutdown()
    server.server_close()
    cache.clear()
