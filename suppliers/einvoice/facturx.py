"""Factur-X / ZUGFeRD / XRechnung hybrid PDFs: the invoice is an XML file embedded in the PDF.

pypdf (which the ``factur-x`` package is built on) reads the attachments directly, because
``facturx.get_xml_from_pdf`` parses them with lxml's default parser and we want every
embedded XML to go through the hardened one.
"""

from __future__ import annotations

import dataclasses
import logging
from io import BytesIO

from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader

from .errors import InvoiceRejected
from .model import ParsedInvoice
from .structured import INVOICE_ROOTS, ZUGFERD_1_ROOT, parse_invoice_root, zugferd_1_rejection
from .xml_reading import parse_xml, qualified_name

logger = logging.getLogger(__name__)
PDF_MAGIC = b"%PDF-"
# A PDF ends with this marker (possibly followed by a line end); a file cut short in
# transfer does not.
PDF_END = b"%%EOF"
# File names the Factur-X, ZUGFeRD and XRechnung specifications give the embedded invoice.
INVOICE_FILE_NAMES = frozenset({"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"})
_DAMAGED = _(
    "The PDF is damaged: %(what)s. Export or save the invoice again and upload the new file."
)


def is_pdf(data: bytes) -> bool:
    # The PDF specification lets the header start anywhere in the first 1024 bytes.
    return PDF_MAGIC in data[:1024]


def parse_facturx(data: bytes) -> ParsedInvoice:
    if not is_pdf(data):
        raise InvoiceRejected(
            "not-pdf",
            _("The file has no %%PDF- header: it starts with %(start)s."),
            params={"start": repr(data[:16])},
        )
    names, xml_files, repaired = _embedded_files(data)
    for name, content in sorted(
        xml_files, key=lambda item: item[0].lower() not in INVOICE_FILE_NAMES
    ):
        try:
            root = parse_xml(content)
            if qualified_name(root) in INVOICE_ROOTS:
                return dataclasses.replace(parse_invoice_root(root), format="facturx")
            if qualified_name(root) == ZUGFERD_1_ROOT:
                raise zugferd_1_rejection()
        except InvoiceRejected as exc:
            raise InvoiceRejected(
                exc.code,
                _("Embedded file %(name)s: %(detail)s"),
                params={"name": name, "detail": exc},
            ) from exc
    # Only now: a damaged file whose invoice could still be read is accepted, but one
    # whose invoice may be in the lost part must not be told it has none.
    if not data.rstrip()[-1024:].endswith(PDF_END):
        raise InvoiceRejected(
            "malformed-pdf",
            _DAMAGED,
            params={"what": _("it is cut short (it lacks the %EOF end marker)")},
        )
    if repaired:
        raise InvoiceRejected(
            "malformed-pdf",
            _DAMAGED,
            params={"what": _("its cross-reference table is broken")},
        )
    raise InvoiceRejected(
        "no-embedded-xml",
        _("The PDF carries no embedded UBL or CII invoice (embedded files: %(names)s).")
        if names
        else _("The PDF carries no embedded UBL or CII invoice (it embeds no file)."),
        params={"names": ", ".join(names)} if names else None,
    )


class _Warnings(logging.Handler):
    """Counts pypdf's warnings that it rebuilt a broken cross-reference table or found
    no end marker (it repairs such files instead of raising); other quirks of valid files
    do not count."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lower()
        if "xref" in message or "eof" in message:
            self.count += 1


def _embedded_files(data: bytes) -> tuple[list[str], list[tuple[str, bytes]], bool]:
    """Names of all embedded files, the contents of those named ``*.xml``, and whether
    pypdf had to repair the file to read them."""
    warnings = _Warnings()
    pypdf_logger = logging.getLogger("pypdf")
    pypdf_logger.addHandler(warnings)
    try:
        attachments = list(PdfReader(BytesIO(data)).attachment_list)
        names = [attachment.name for attachment in attachments]
        xml_files = [
            (attachment.name, attachment.content)
            for attachment in attachments
            if attachment.name.lower().endswith(".xml")
        ]
    except Exception as exc:  # pypdf raises many unrelated types on damaged or encrypted files
        logger.info("Unreadable PDF: %r", exc)
        raise InvoiceRejected(
            "malformed-pdf",
            _DAMAGED,
            params={"what": _("its structure cannot be read")},
        ) from exc
    finally:
        pypdf_logger.removeHandler(warnings)
    return names, xml_files, warnings.count > 0
