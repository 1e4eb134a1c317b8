"""Signed documents are tagged PDFs a screen reader can read, and stay so once sealed.

Rendering tags the document (PDF/A-3a: a structure tree of headings, lists, tables and
figures with their alternative text, the language, the title); each signature and the
archive timestamp are incremental updates, so the signed file must still carry all of it
and its signatures must still validate.
"""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from cryptography import x509
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from documents import rendering
from documents.models import SignedDocument
from documents.signing.signers import Pkcs12SealSigner
from documents.signing.verify import verify_pdf

from .support import TITLE, SignedSet, seal_sign


def structure_roles(pdf: bytes) -> list[tuple[str, DictionaryObject]]:
    """Every structure element of ``pdf`` as (role, element), in document order."""
    root = PdfReader(BytesIO(pdf)).trailer["/Root"]
    found: list[tuple[str, DictionaryObject]] = []
    stack = list(reversed(root["/StructTreeRoot"]["/K"]))
    while stack:
        element = stack.pop().get_object()
        if not isinstance(element, DictionaryObject) or element.get("/Type") == "/OBJR":
            continue
        if "/S" in element:
            found.append((str(element["/S"]), element))
        kids = element.get("/K", [])
        kids = kids if isinstance(kids, list) else [kids]
        stack.extend(reversed([kid for kid in kids if not isinstance(kid, int)]))
    return found


def pdfinfo(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return dict(line.split(":", 1) for line in output.stdout.splitlines() if ":" in line)


@pytest.mark.parametrize("name", ["b_b", "b_t", "b_lta"])
def test_signed_files_keep_tags_language_and_title(
    signed: SignedSet, trust_roots: list[x509.Certificate], tmp_path: Path, name: str
) -> None:
    pdf = getattr(signed, name)
    root = PdfReader(BytesIO(pdf)).trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a PDF boolean object
    assert root["/Lang"] == "es-AR"
    # A reader's window and a screen reader announce the title, not the file name.
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    info = pdfinfo(pdf, tmp_path)
    assert info["Tagged"].strip() == "yes"
    assert info["Title"].strip() == TITLE
    roles = [role for role, _ in structure_roles(pdf)]
    assert roles[0] == "/Document"
    assert "/H1" in roles
    assert verify_pdf(pdf, trust_roots).authentic


@pytest.fixture
def payment_notice() -> SignedDocument:
    """An unsaved payment notice: the kind of document with a table of items."""
    return SignedDocument(
        subject_type="payables.paymentbatch",
        subject_id="1",
        subject_label="Orden de pago OP-2026-000123",
        kind="payment_notice",
        template="payables/pdf/payment_notice.html",
        code="ABCDEFGHJKMN",
        signer=SignedDocument.Signer.SEAL,
        signer_name="Municipalidad Demo",
        signer_role=rendering.SEAL_ROLE,
        title="Aviso de pago",
        facts={
            "municipality_cuit": "30-99999999-7",
            "supplier_name": "Ferretería Norte S.A.",
            "supplier_cuit": "30-71234567-1",
            "reference": "OP-2026-000123",
            "paid_on": "2026-11-20",
            "amount_display": "$ 185.000,50",
            "cbu": "2850590940090418135201",
            "holder_name": "Ferretería Norte S.A.",
            "issued_on": "2026-11-20",
            "withholdings": [],
            "paid_invoices": [
                {
                    "kind": "Factura A",
                    "number": "0001-00000042",
                    "issue_on": "2026-11-02",
                    "purchase_order": "OC-2026-000017",
                    "amount_display": "$ 185.000,50",
                }
            ],
        },
    )


def test_a_sealed_document_has_headings_lists_tables_and_described_images(
    payment_notice: SignedDocument,
    seal: Pkcs12SealSigner,
    trust_roots: list[x509.Certificate],
    tmp_path: Path,
) -> None:
    sealed = seal_sign(rendering.render_document(payment_notice), seal, None)
    assert verify_pdf(sealed, trust_roots).authentic
    assert (
        pdfinfo(sealed, tmp_path)["Title"].strip() == "Aviso de pago — Orden de pago OP-2026-000123"
    )
    elements = structure_roles(sealed)
    roles = [role for role, _ in elements]
    # The title, then the sections (signature, verification) a reader can jump between.
    assert roles.count("/H1") == 1
    assert roles.count("/H2") >= 3
    # The facts are a list of label/value items, the paid invoices a table with header cells.
    assert "/L" in roles and "/LI" in roles
    assert "/Table" in roles and "/TH" in roles and "/TD" in roles
    # The QR code is a figure a screen reader can describe.
    figures = [element for role, element in elements if role == "/Figure"]
    assert figures
    assert all(str(figure.get("/Alt", "")).strip() for figure in figures)
