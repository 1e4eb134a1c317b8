"""Dispatch a structured XML invoice to the parser for its syntax, by root element."""

from __future__ import annotations

from lxml import etree

from . import cii, ubl
from .errors import InvoiceRejected
from .model import ParsedInvoice
from .xml_reading import parse_xml, qualified_name

INVOICE_ROOTS = ubl.ROOTS | {cii.ROOT}


def parse_xml_invoice(data: bytes) -> ParsedInvoice:
    return parse_invoice_root(parse_xml(data))


def parse_invoice_root(root: etree._Element) -> ParsedInvoice:
    if qualified_name(root) in ubl.ROOTS:
        return ubl.parse_ubl_root(root)
    if qualified_name(root) == cii.ROOT:
        return cii.parse_cii_root(root)
    raise InvoiceRejected(
        "unsupported-format",
        f"The XML root element is {root.tag}; expected a UBL Invoice or CreditNote, "
        "or a CII CrossIndustryInvoice.",
    )
