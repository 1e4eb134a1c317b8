"""Dispatch a structured XML invoice to the parser for its syntax, by root element."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from lxml import etree

from . import cii, ubl
from .errors import InvoiceRejected
from .model import ParsedInvoice
from .xml_reading import parse_xml, qualified_name

INVOICE_ROOTS = ubl.ROOTS | {cii.ROOT}
# ZUGFeRD 1.0 (2014) predates EN 16931: its CrossIndustryDocument is another syntax,
# which suppliers' software replaced with ZUGFeRD 2 / Factur-X (CII D16B).
ZUGFERD_1_ROOT = ("urn:ferd:CrossIndustryDocument:invoice:1p0", "CrossIndustryDocument")


def zugferd_1_rejection() -> InvoiceRejected:
    return InvoiceRejected(
        "zugferd-1",
        _(
            "The invoice is ZUGFeRD 1.0 (CrossIndustryDocument), which predates EN 16931; "
            "export it as ZUGFeRD 2 / Factur-X (CII) or UBL instead."
        ),
    )


def parse_xml_invoice(data: bytes) -> ParsedInvoice:
    return parse_invoice_root(parse_xml(data))


def parse_invoice_root(root: etree._Element) -> ParsedInvoice:
    if qualified_name(root) in ubl.ROOTS:
        return ubl.parse_ubl_root(root)
    if qualified_name(root) == cii.ROOT:
        return cii.parse_cii_root(root)
    if qualified_name(root) == ZUGFERD_1_ROOT:
        raise zugferd_1_rejection()
    raise InvoiceRejected(
        "unsupported-format",
        _(
            "The XML root element is %(root)s; expected a UBL Invoice or CreditNote, "
            "or a CII CrossIndustryInvoice."
        ),
        params={"root": root.tag},
    )
