"""Session-wide demo PKI, local TSA and a small signed document, all under tmp dirs."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from pyhanko.sign.timestamps import TimeStamper

from documents.signing.pdf import qr_png_data_uri
from documents.signing.pki import DemoPki, create_demo_pki
from documents.signing.sign import extend_to_lta
from documents.signing.signers import Pkcs12SealSigner
from documents.signing.timestamping import TsaServer, load_tsa_stamper, make_timestamper
from documents.signing.verify import lta_validation_context

from .support import HTML, SignedSet, render, seal_sign


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    return create_demo_pki(
        tmp_path_factory.mktemp("pki"), password=secrets.token_urlsafe(16).encode()
    )


@pytest.fixture(scope="session")
def trust_roots(pki: DemoPki) -> list[x509.Certificate]:
    return [pki.load_cert(pki.root)]


@pytest.fixture(scope="session")
def tsa(pki: DemoPki) -> Iterator[TsaServer]:
    with TsaServer(load_tsa_stamper(pki.tsa.pkcs12, pki.password)) as server:
        yield server


@pytest.fixture(scope="session")
def timestamper(tsa: TsaServer) -> TimeStamper:
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
    b_t = seal_sign(rendered, seal, timestamper)
    context = lta_validation_context(trust_roots, crls=pki.crls())
    return SignedSet(
        b_b=seal_sign(rendered, seal, None),
        b_t=b_t,
        b_lta=extend_to_lta(b_t, context, timestamper),
    )
