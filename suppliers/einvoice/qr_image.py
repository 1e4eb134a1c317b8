"""The AFIP QR read from the invoice PDF itself: each page rendered, the QR codes decoded.

RG 4291 puts the QR on the printed voucher, so the supplier need not copy its link. pdfium
(pypdfium2, the renderer Chrome uses) draws the pages and zxing-cpp decodes the codes;
both are wheels with no system libraries. Only the first pages are looked at: the QR is
on the voucher's first page, and a long PDF must not cost unbounded rendering time.
"""

from __future__ import annotations

import logging

import pypdfium2
import zxingcpp
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .afip_qr import QR_HOSTS
from .errors import InvoiceRejected

logger = logging.getLogger(__name__)

MAX_PAGES = 3
# 200 dpi: a QR printed at AFIP's minimum size (about 2.5 cm for version 10) gets about
# 8 pixels per module, which decoders read reliably.
RENDER_SCALE = 200 / 72
# A page larger than A2 at 200 dpi is not a voucher; rendering it would take memory.
MAX_PIXELS = 5000 * 5000


def read_afip_qr_from_pdf(data: bytes) -> str:
    """The text of the AFIP QR printed on the PDF, or ``InvoiceRejected("no-qr")``."""
    texts = _qr_texts(data)
    for text in texts:
        if any(f"://{host}/fe/qr" in text for host in QR_HOSTS):
            return text
    if texts:
        raise InvoiceRejected(
            "no-qr",
            ngettext_lazy(
                "The PDF carries %(count)s QR code, not AFIP's (%(link)s).",
                "The PDF carries %(count)s QR codes, none of them AFIP's (%(link)s).",
                "count",
            ),
            params={"count": len(texts), "link": "https://www.afip.gob.ar/fe/qr/?p=…"},
        )
    raise InvoiceRejected(
        "no-qr",
        _("No QR code could be read on the first %(pages)s pages of the PDF."),
        params={"pages": MAX_PAGES},
    )


def _qr_texts(data: bytes) -> list[str]:
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        logger.info("pdfium cannot open an uploaded PDF: %r", exc)
        raise InvoiceRejected(
            "malformed-pdf", _("The PDF is damaged: its pages cannot be drawn.")
        ) from exc
    texts: list[str] = []
    try:
        for index in range(min(len(document), MAX_PAGES)):
            page = document[index]
            try:
                width, height = page.get_size()
                scale = min(RENDER_SCALE, (MAX_PIXELS / max(width * height, 1)) ** 0.5)
                image = page.render(scale=scale, grayscale=True).to_pil()
            finally:
                page.close()
            texts += [
                barcode.text
                for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
                if barcode.valid
            ]
    finally:
        document.close()
    return texts
