"""Hardened XML parsing and the element reader the UBL and CII parsers share."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from lxml import etree

from .errors import InvoiceRejected

_DECIMAL = re.compile(r"[+-]?(?:(\d+)(?:\.(\d*))?|\.(\d+))")
# More than any amount, quantity or price an invoice can state (and than the columns hold).
MAX_INTEGER_DIGITS = 13
MAX_DECIMALS = 10
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML; any DTD is refused so entities can never be expanded."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InvoiceRejected(
            "malformed-xml",
            # libxml2's own wording is English only: the position is what locates the fault.
            _("The file is not well-formed XML: the error is at line %(line)s, column %(column)s."),
            params={"line": exc.position[0], "column": exc.position[1]},
        ) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise InvoiceRejected(
            "malformed-xml",
            _("The XML has a DOCTYPE declaration; invoices must not declare DTDs or entities."),
        )
    return root


def qualified_name(element: etree._Element) -> tuple[str | None, str]:
    qname = etree.QName(element)
    return qname.namespace, qname.localname


def parse_decimal(text: str, where: str) -> Decimal:
    match = _DECIMAL.fullmatch(text)
    if not match:
        raise InvoiceRejected(
            "invalid-value",
            _("%(where)s is %(value)s, not a decimal number."),
            params={"where": where, "value": repr(text)},
        )
    integer = (match[1] or "").lstrip("0")
    decimals = (match[2] or match[3] or "").rstrip("0")
    if len(integer) > MAX_INTEGER_DIGITS or len(decimals) > MAX_DECIMALS:
        raise InvoiceRejected(
            "invalid-value",
            _(
                "%(where)s is %(value)s; numbers have at most %(integers)s digits before the "
                "decimal point and %(decimals)s after it."
            ),
            params={
                "where": where,
                "value": f"{text[:40]}{'…' if len(text) > 40 else ''}",
                "integers": MAX_INTEGER_DIGITS,
                "decimals": MAX_DECIMALS,
            },
        )
    return Decimal(text)


class DateSyntax(NamedTuple):
    pattern: re.Pattern[str]
    """Groups: year, month, day."""
    example: str


ISO_DATE = DateSyntax(re.compile(r"(\d{4})-(\d{2})-(\d{2})"), "2024-03-31")
COMPACT_DATE = DateSyntax(re.compile(r"(\d{4})(\d{2})(\d{2})"), "20240331")


def parse_date(text: str, where: str, syntax: DateSyntax) -> dt.date:
    match = syntax.pattern.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InvoiceRejected(
            "invalid-value",
            _("%(where)s is %(value)s, not a date like %(example)s."),
            params={"where": where, "value": repr(text), "example": syntax.example},
        ) from None


class ElementReader:
    """Reads the descendants of one element by prefixed path (``cac:Price/cbc:PriceAmount``),
    naming in every rejection the full path and the repeated element it sits in, as in
    ``InvoiceLine 2: cac:Price/cbc:PriceAmount``."""

    def __init__(
        self,
        element: etree._Element,
        namespaces: Mapping[str, str],
        dates: DateSyntax,
        label: str = "",
        prefix: str = "",
    ) -> None:
        self.element = element
        self.namespaces = namespaces
        self.dates = dates
        self.label = label
        self.prefix = prefix

    def _path(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    def where(self, path: str) -> str:
        return f"{self.label}: {self._path(path)}" if self.label else self._path(path)

    def _missing(self, path: str, meaning: str | Promise) -> InvoiceRejected:
        return InvoiceRejected(
            "missing-field",
            _("%(where)s (%(meaning)s) is missing."),
            params={"where": self.where(path), "meaning": meaning},
        )

    def find(self, path: str) -> ElementReader | None:
        found = self.element.find(path, self.namespaces)
        if found is None:
            return None
        return ElementReader(found, self.namespaces, self.dates, self.label, self._path(path))

    def require(self, path: str, meaning: str | Promise) -> ElementReader:
        found = self.find(path)
        if found is None:
            raise self._missing(path, meaning)
        return found

    def find_all(self, path: str, label: str) -> list[ElementReader]:
        """Every match, each labelled ``"<label> <position>"`` (1-based)."""
        return [
            ElementReader(found, self.namespaces, self.dates, f"{label} {position}")
            for position, found in enumerate(self.element.iterfind(path, self.namespaces), 1)
        ]

    def text(self, path: str) -> str | None:
        """Stripped text of the first match, or None when absent or blank."""
        found = self.element.find(path, self.namespaces)
        text = (found.text or "").strip() if found is not None else ""
        return text or None

    def texts(self, path: str) -> tuple[str, ...]:
        texts = (
            (found.text or "").strip() for found in self.element.iterfind(path, self.namespaces)
        )
        return tuple(text for text in texts if text)

    def require_text(self, path: str, meaning: str | Promise) -> str:
        text = self.text(path)
        if text is None:
            raise self._missing(path, meaning)
        return text

    def attribute(self, path: str, name: str) -> str | None:
        found = self.element.find(path, self.namespaces)
        return None if found is None else found.get(name)

    def amount(self, path: str) -> Decimal | None:
        text = self.text(path)
        return None if text is None else parse_decimal(text, self.where(path))

    def amount_or_zero(self, path: str) -> Decimal:
        """For optional totals EN 16931 reads as zero when absent."""
        amount = self.amount(path)
        return Decimal(0) if amount is None else amount

    def require_amount(self, path: str, meaning: str | Promise) -> Decimal:
        return parse_decimal(self.require_text(path, meaning), self.where(path))

    def date(self, path: str) -> dt.date | None:
        text = self.text(path)
        return None if text is None else parse_date(text, self.where(path), self.dates)

    def require_date(self, path: str, meaning: str | Promise) -> dt.date:
        return parse_date(self.require_text(path, meaning), self.where(path), self.dates)

    def amount_in_currency_or_zero(self, path: str, currency: str) -> Decimal:
        """The first match stated in ``currency`` (or in no explicit currency), skipping the
        copy some invoices add in the VAT accounting currency (BT-111); zero if none."""
        for found in self.element.iterfind(path, self.namespaces):
            text = (found.text or "").strip()
            if text and found.get("currencyID") in (None, currency):
                return parse_decimal(text, self.where(path))
        return Decimal(0)

    def boolean(self, path: str, meaning: str | Promise) -> bool:
        text = self.require_text(path, meaning)
        try:
            return _BOOLEANS[text.lower()]
        except KeyError:
            raise InvoiceRejected(
                "invalid-value",
                _("%(where)s is %(value)s, not true or false."),
                params={"where": self.where(path), "value": repr(text)},
            ) from None


def unit_price(line: ElementReader, price_path: str, base_quantity_path: str) -> Decimal:
    """Net price of one unit: the item net price (BT-146) over its base quantity (BT-149)."""
    price = line.require_amount(price_path, _("item net price, BT-146"))
    base_quantity = line.amount(base_quantity_path)
    if base_quantity is None:
        return price
    if base_quantity <= 0:
        raise InvoiceRejected(
            "invalid-value",
            _("%(where)s is %(value)s; a price base quantity must be positive."),
            params={"where": line.where(base_quantity_path), "value": base_quantity},
        )
    return price / base_quantity
