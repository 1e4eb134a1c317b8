"""Supplier invoice intake: uploaded bytes in, a validated ``ParsedInvoice`` out.

Anything unacceptable raises ``InvoiceRejected`` with a stable ``code`` and an English
``detail``. No models, no database. Each way an invoice arrives is a plugin in
``INVOICE_FORMATS`` (``core.registry``): the first that recognises the bytes reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.registry import PluginRegistry

from .afip_qr import build_qr_url, parse_afip_qr
from .cii import parse_cii
from .errors import InvoiceRejected
from .facturx import is_pdf, parse_facturx
from .model import AfipVoucher, ParsedAllowanceCharge, ParsedInvoice, ParsedInvoiceLine
from .structured import parse_xml_invoice
from .ubl import parse_ubl

__all__ = [
    "AfipVoucher",
    "INVOICE_FORMATS",
    "InvoiceFormat",
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


@dataclass(frozen=True)
class InvoiceFormat:
    """A way invoices arrive: which bytes it recognises and how it reads them."""

    key: str
    label: str
    recognises: Callable[[bytes], bool]
    parse: Callable[[bytes], ParsedInvoice]
    demo: bool = False

    def problems(self) -> list[str]:
        return []


def _head(data: bytes) -> bytes:
    return data[:1024].lstrip()


INVOICE_FORMATS: PluginRegistry[InvoiceFormat] = PluginRegistry("invoice format")
INVOICE_FORMATS.register(
    InvoiceFormat("facturx", "Factur-X / ZUGFeRD (PDF/A-3 with CII)", is_pdf, parse_facturx)
)
INVOICE_FORMATS.register(
    InvoiceFormat(
        "xml",
        "UBL 2.1 or UN/CEFACT CII (XML)",
        lambda data: _head(data).startswith(_XML_STARTS),
        parse_xml_invoice,
    )
)
INVOICE_FORMATS.register(
    InvoiceFormat(
        "afip-qr",
        "AFIP electronic invoice QR link",
        lambda data: _head(data).startswith(_QR_STARTS),
        lambda data: parse_afip_qr(data.decode("ascii", errors="replace")),
    )
)


def parse_invoice_file(
    data: bytes, filename: str | None = None, max_bytes: int = MAX_BYTES
) -> ParsedInvoice:
    """Parse an uploaded Factur-X PDF, UBL or CII XML file, or AFIP QR link.

    The content decides the format. ``filename`` only sharpens one rejection: a file named
    ``*.pdf`` that is not a PDF is "not-pdf" rather than "unsupported-format".
    """
    if len(data) > max_bytes:
        raise InvoiceRejected(
            "file-too-large",
            _("The file has %(size)s bytes; the limit is %(limit)s."),
            params={"size": len(data), "limit": max_bytes},
        )
    if filename and filename.lower().endswith(".pdf") and not is_pdf(data):
        raise InvoiceRejected(
            "not-pdf",
            _("%(name)s is not a PDF: it starts with %(start)s."),
            params={"name": filename, "start": repr(data[:16])},
        )
    for invoice_format in INVOICE_FORMATS:
        if invoice_format.recognises(data):
            return invoice_format.parse(data)
    raise InvoiceRejected(
        "unsupported-format",
        _("The file is not a PDF, an XML invoice or an AFIP QR link: it starts with %(start)s."),
        params={"start": repr(data[:16])},
    )
