"""Supplier invoice intake: uploaded bytes in, a validated ``ParsedInvoice`` out.

Anything unacceptable raises ``InvoiceRejected`` with a stable ``code`` and an English
``detail``. Pure Python: no models, no database.
"""

from __future__ import annotations

from .afip_qr import build_qr_url, parse_afip_qr
from .cii import parse_cii
from .errors import InvoiceRejected
from .facturx import is_pdf, parse_facturx
from .model import AfipVoucher, ParsedAllowanceCharge, ParsedInvoice, ParsedInvoiceLine
from .structured import parse_xml_invoice
from .ubl import parse_ubl

__all__ = [
    "AfipVoucher",
    "InvoiceRejected",
    "MAX_BYTES",
    "ParsedAllowanceCharge",
    "ParsedInvoice",
    "ParsedInvoiceLine",
    "build_qr_url",
    "parse_afip_qr",
    "parse_cii",
    "parse_facturx",
    "parse_invoice_file",
    "parse_ubl",
    "parse_xml_invoice",
]

MAX_BYTES = 10 * 1024 * 1024
# "<" or a byte order mark, which lxml handles itself.
_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_QR_STARTS = (b"https://", b"http://")


def parse_invoice_file(
    data: bytes, filename: str | None = None, max_bytes: int = MAX_BYTES
) -> ParsedInvoice:
    """Parse an uploaded Factur-X PDF, UBL or CII XML file, or AFIP QR link.

    The content decides the parser. ``filename`` only sharpens one rejection: a file named
    ``*.pdf`` that is not a PDF is "not-pdf" rather than "unsupported-format".
    """
    if len(data) > max_bytes:
        raise InvoiceRejected(
            "file-too-large", f"The file has {len(data)} bytes; the limit is {max_bytes}."
        )
    if is_pdf(data):
        return parse_facturx(data)
    if filename and filename.lower().endswith(".pdf"):
        raise InvoiceRejected("not-pdf", f"{filename} is not a PDF: it starts with {data[:16]!r}.")
    head = data[:1024].lstrip()
    if head.startswith(_XML_STARTS):
        return parse_xml_invoice(data)
    if head.startswith(_QR_STARTS):
        return parse_afip_qr(data.decode("ascii", errors="replace"))
    raise InvoiceRejected(
        "unsupported-format",
        f"The file is not a PDF, an XML invoice or an AFIP QR link: it starts with {data[:16]!r}.",
    )
