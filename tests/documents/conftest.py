"""Session-wide demo PKI, local TSA, SoftHSM tokens and a small signed document.

The PKI is the portal's own demo PKI (under the test run's VAR_DIR), so the
library tests, the Django pipeline and a real Celery worker process all sign
and verify with the same keys. The TSA listens on a port chosen here, when
this file is collected: the worker process, started later, inherits
SIGNING_TSA_URL from the environment (tests in this process switch it on
with the ``tsa_configured`` fixture).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
import shutil
import socket
import subprocess
from collections.abc import Iterator
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
from pyhanko.sign.timestamps import TimeStamper

from documents.signing.pdf import qr_png_data_uri
from documents.signing.pki import DemoPki, issue_official_certificate
from documents.signing.sign import extend_to_lta
from documents.signing.signers import Pkcs12SealSigner
from documents.signing.timestamping import TsaApp, load_tsa_stamper, make_timestamper
from documents.signing.verify import lta_validation_context
from tests.browser.conftest import assert_accessible, axe  # noqa: F401 - for test_browser.py

from .support import (
    HTML,
    SOFTHSM_MODULE,
    SignedSet,
    SwitchableTsa,
    Token,
    TsaTestServer,
    render,
    seal_sign,
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


TSA_PORT = _free_port()
os.environ["SIGNING_TSA_URL"] = f"http://127.0.0.1:{TSA_PORT}/"


@pytest.fixture(scope="session")
def pki() -> DemoPki:
    from documents.demo import ensure_demo_pki

    return ensure_demo_pki()


@pytest.fixture(scope="session")
def trust_roots(pki: DemoPki) -> list[x509.Certificate]:
    return [pki.load_cert(pki.root)]


@pytest.fixture(scope="session")
def tsa(pki: DemoPki) -> Iterator[TsaTestServer]:
    server = TsaTestServer(
        SwitchableTsa(TsaApp(load_tsa_stamper(pki.tsa.pkcs12, pki.password))), TSA_PORT
    )
    yield server
    server.stop()


@pytest.fixture
def tsa_switch(tsa: TsaTestServer) -> Iterator[SwitchableTsa]:
    """The TSA's switch, back "up" after the test whatever it did."""
    yield tsa.switch
    tsa.switch.set("up")


@pytest.fixture
def tsa_configured(settings, tsa: TsaTestServer) -> TsaTestServer:
    settings.SIGNING_TSA_URL = tsa.url
    return tsa


@pytest.fixture(scope="session")
def timestamper(tsa: TsaTestServer) -> TimeStamper:
    return make_timestamper(tsa.url)


@pytest.fixture(scope="session")
def seal(pki: DemoPki) -> Pkcs12SealSigner:
    return Pkcs12SealSigner(pki.seal.pkcs12, pki.password)


@pytest.fixture(scope="session")
def template_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("templates")
    (root / "style.css").write_text(
        'body { font-family: "FreeSans"; font-size: 11pt; } h1 { font-family: "FreeSerif"; }'
    )
    # Any small PNG will do as the "coat of arms" served from the allowed root.
    png = qr_png_data_uri("escudo").split(",", 1)[1]
    (root / "escudo.png").write_bytes(base64.b64decode(png))
    return root


@pytest.fixture(scope="session")
def rendered(template_root: Path) -> bytes:
    return render(template_root, HTML.format(qr=qr_png_data_uri("https://tramites.test/v/ABC")))


@pytest.fixture(scope="session")
def signed(
    rendered: bytes,
    seal: Pkcs12SealSigner,
    timestamper: TimeStamper,
    pki: DemoPki,
    trust_roots: list[x509.Certificate],
) -> SignedSet:
    signed_at = dt.datetime.now(dt.UTC)
    b_t = seal_sign(rendered, seal, timestamper)
    context = lta_validation_context(trust_roots, crls=pki.crls())
    return SignedSet(
        b_b=seal_sign(rendered, seal, None),
        b_t=b_t,
        b_lta=extend_to_lta(b_t, context, timestamper),
        signed_at=signed_at,
    )


# --- SoftHSM2 ---------------------------------------------------------------------------------

# Officials for the portal's tests: (token label, key label, name, role, DNI).
OFFICIAL_TOKENS = (
    ("officials", "official-20123456", "Ana Pérez", "Directora de Habilitaciones", "20123456"),
    ("firma-27111222", "firma", "Beatriz Firmante", "Directora de Rentas", "27111222"),
)
SEAL_TOKEN = ("municipalidad", "sello")


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def _import_key(directory: Path, token: str, pin: str, label: str, key, cert) -> None:
    key_der = directory / "key.der"
    key_der.touch(mode=0o600)
    key_der.write_bytes(key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()))
    cert_der = directory / "cert.der"
    cert_der.write_bytes(cert.public_bytes(Encoding.DER))
    tool = ["pkcs11-tool", "--module", SOFTHSM_MODULE, "--token-label", token]
    for path, kind in ((key_der, "privkey"), (cert_der, "cert")):
        write = ["--write-object", str(path), "--type", kind, "--id", "01"]
        _run(*tool, "--login", "--pin", pin, *write, "--label", label)
    key_der.unlink()


@pytest.fixture(scope="session")
def softhsm_tokens(
    tmp_path_factory: pytest.TempPathFactory, pki: DemoPki
) -> Iterator[dict[str, Token]]:
    """Real PKCS#11 tokens: one per official (their key, their PIN) and the municipal seal's."""
    tools = ("softhsm2-util", "pkcs11-tool")
    if not Path(SOFTHSM_MODULE).exists() or not all(map(shutil.which, tools)):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but SoftHSM2 or OpenSC (pkcs11-tool) is missing")
        pytest.skip("SoftHSM2 and OpenSC (pkcs11-tool) are needed")
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {directory / 'tokens'}\n"
        "objectstore.backend = file\nlog.level = ERROR\n"
    )
    tokens: dict[str, Token] = {}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOFTHSM2_CONF", str(config))
        keys = []
        for token_label, key_label, name, role, dni in OFFICIAL_TOKENS:
            issued = issue_official_certificate(pki, name, role, dni)
            key, cert, _ = pkcs12.load_key_and_certificates(
                issued.pkcs12.read_bytes(), pki.password
            )
            keys.append((token_label, key_label, name, key, cert))
        key, cert, _ = pkcs12.load_key_and_certificates(pki.seal.pkcs12.read_bytes(), pki.password)
        keys.append((*SEAL_TOKEN, "seal", key, cert))
        for token_label, key_label, name, key, cert in keys:
            pin, so_pin = secrets.token_hex(6), secrets.token_hex(6)
            init = ["softhsm2-util", "--init-token", "--free", "--label", token_label]
            _run(*init, "--pin", pin, "--so-pin", so_pin)
            _import_key(directory, token_label, pin, key_label, key, cert)
            tokens[token_label] = Token(token_label, pin, key_label, name)
        # SoftHSM reads SOFTHSM2_CONF in C_Initialize; the module may already be
        # initialised in this process with another configuration.
        pkcs11.lib(SOFTHSM_MODULE).reinitialize()
        yield tokens


@pytest.fixture(scope="session")
def softhsm(softhsm_tokens: dict[str, Token]) -> Token:
    return softhsm_tokens["officials"]
