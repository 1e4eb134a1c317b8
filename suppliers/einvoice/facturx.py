"""Factur-X / ZUGFeRD / XRechnung hybrid PDFs: the invoice is an XML file embedded in the PDF.

pypdf (which the ``factur-x`` package is built on) reads the attachments directly, because
``facturx.get_xml_from_pdf`` parses them with lxml's default parser and we want every
embedded XML to go through the hardened one.
"""

from __future__ import annotations

import dataclasses
from io import BytesIO

from pypdf import PdfReader

from .errors import InvoiceRejected
from .model import ParsedInvoice
from .structured import INVOICE_ROOTS, parse_invoice_root
from .xml_reading import parse_xml, qualified_name

PDF_MAGIC = b"%PDF-"
# File names the Factur-X, ZUGFeRD and XRechnung specifications give the embedded invoice.
INVOICE_FILE_NAMES = frozenset({"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"})


def is_pdf(data: bytes) -> bool:
    # The PDF specification lets the header start anywhere in the first 1024 bytes.
    return PDF_MAGIC in data[:1024]


def parse_facturx(data: bytes) -> ParsedInvoice:
    if not is_pdf(data):
        raise InvoiceRejected(
            "not-pdf", f"The file has no %PDF- header: it starts with {data[:16]!r}."
        )
    names, xml_files = _embedded_files(data)
    for name, content in sorted(
        xml_files, key=lambda item: item[0].lower() not in INVOICE_FILE_NAMES
    ):
        try:
            root = parse_xml(content)
            if qualified_name(root) in INVOICE_ROOTS:
                return dataclasses.replace(parse_invoice_root(root), format="facturx")
        except InvoiceRejected as exc:
            raise InvoiceRejected(exc.code, f"Embedded file {name}: {exc.detail}") from exc
    raise InvoiceRejected(
        "no-embedded-xml",
        "The PDF carries no embedded UBL or CII invoice "
        f"(embedded files: {', '.join(names) or 'none'}).",
    )


def _embedded_files(data: bytes) -> tuple[list[str], list[tuple[str, bytes]]]:
    """Names of all embedded files, and the contents of those named ``*.xml``."""
    try:
        attachments = list(PdfReader(BytesIO(data)).attachment_list)
        names = [attachment.name for attachment in attachments]
        xml_files = [
            (attachment.name, attachment.content)
            for attachment in attachments
            if attachment.name.lower().endswith(".xml")
        ]
    except Exception as exc:  # pypdf raises many unrelated types on damaged or encrypted files
        raise InvoiceRejected("malformed-pdf", f"The PDF cannot be read: {exc}") from exc
    return names, xml_files
