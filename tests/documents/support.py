"""Helpers shared by the document tests (fixtures live in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyhanko.sign.timestamps import TimeStamper

from documents.signing.pdf import render_pdf
from documents.signing.sign import sign_pdf
from documents.signing.signers import Pkcs12SealSigner

TITLE = "Constancia de habilitación"
HTML = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="style.css"></head>
<body>
  <h1>Constancia de habilitación comercial</h1>
  <p>La Municipalidad Demo certifica que <strong>Ana Pérez</strong> (DNI 12.345.678)
     está habilitada para el rubro «almacén».</p>
  <img src="escudo.png" alt="Escudo" width="40">
  <img src="{qr}" alt="Código de verificación" width="90">
</body></html>
"""


def render(template_root: Path, html: str) -> bytes:
    return render_pdf(
        html,
        base_url=template_root.as_uri() + "/",
        allowed_roots=[template_root],
        title=TITLE,
        lang="es-AR",
        author="Municipalidad Demo",
    )


@dataclass(frozen=True)
class SignedSet:
    b_b: bytes
    b_t: bytes
    b_lta: bytes


def seal_sign(pdf: bytes, seal: Pkcs12SealSigner, timestamper: TimeStamper | None) -> bytes:
    with seal.session() as signer:
        return sign_pdf(
            pdf,
            signer,
            certify=True,
            timestamper=timestamper,
            field_name="SelloMunicipal",
            reason="Emisión de constancia",
            location="Municipalidad Demo",
            contact="mesa-de-entradas@municipalidad-demo.test",
        )
