"""What invoice intake produces: one typed invoice, whatever syntax it arrived in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

DocumentFormat = Literal["ubl", "cii", "facturx", "afip-qr", "manual"]
DocumentKind = Literal["invoice", "credit_note"]
CaeKind = Literal["CAE", "CAEA"]

# UNTDID 1001 codes EN 16931 allows for credit notes. Every other code is an invoice,
# including 384 (corrected invoice, possibly negative) and 389 (self-billed invoice,
# "Gutschrift" in German usage), which the buyer pays like any invoice.
CREDIT_NOTE_TYPE_CODES = frozenset(
    {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
)


def document_kind_for(type_code: str) -> DocumentKind:
    return "credit_note" if type_code in CREDIT_NOTE_TYPE_CODES else "invoice"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class ParsedInvoiceLine:
    line_id: str
    description: str
    quantity: Decimal
    unit_code: str | None
    unit_price: Decimal
    """Net price of one unit (BT-146 divided by the base quantity BT-149)."""
    net_amount: Decimal
    tax_rate: Decimal | None
    """VAT rate in percent (19 means 19 %)."""
    po_line_reference: str | None
    """Purchase order line the line bills (BT-132)."""
    seller_item_id: str | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "line_id": self.line_id,
            "description": self.description,
            "quantity": str(self.quantity),
            "unit_code": self.unit_code,
            "unit_price": str(self.unit_price),
            "net_amount": str(self.net_amount),
            "tax_rate": _money(self.tax_rate),
            "po_line_reference": self.po_line_reference,
            "seller_item_id": self.seller_item_id,
        }


@dataclass(frozen=True)
class ParsedAllowanceCharge:
    """A document-level allowance (BG-20) or charge (BG-21)."""

    is_charge: bool
    amount: Decimal
    reason: str | None
    tax_rate: Decimal | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "is_charge": self.is_charge,
            "amount": str(self.amount),
            "reason": self.reason,
            "tax_rate": _money(self.tax_rate),
        }


@dataclass(frozen=True)
class AfipVoucher:
    """The authorisation data of an Argentine electronic voucher, as its QR code states it."""

    cuit: str
    voucher_type: int
    point_of_sale: int
    voucher_number: int
    cae: str
    """Authorisation code (CAE or CAEA, 14 digits)."""
    cae_kind: CaeKind
    exchange_rate: Decimal
    """Pesos per unit of the voucher currency (1 for pesos)."""

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "cuit": self.cuit,
            "voucher_type": self.voucher_type,
            "point_of_sale": self.point_of_sale,
            "voucher_number": self.voucher_number,
            "cae": self.cae,
            "cae_kind": self.cae_kind,
            "exchange_rate": str(self.exchange_rate),
        }


@dataclass(frozen=True)
class ParsedInvoice:
    """An accepted invoice. Amounts are as the document states them: a credit note keeps
    positive amounts and says so in ``document_kind``.

    Structured formats (UBL, CII, Factur-X) fill every total. An AFIP QR only states the
    voucher total, so ``net_total``, ``tax_exclusive_total`` and ``tax_total`` are None,
    ``tax_inclusive_total`` and ``payable_total`` are that total, and the allowance,
    charge, prepaid and rounding amounts are zero.
    """

    format: DocumentFormat
    document_kind: DocumentKind
    number: str
    issue_date: date
    due_date: date | None
    currency: str
    seller_name: str
    seller_tax_ids: tuple[str, ...]
    buyer_name: str
    buyer_tax_ids: tuple[str, ...]
    po_reference: str | None
    """Purchase order reference (BT-13)."""
    net_total: Decimal | None
    """Sum of the line net amounts (BT-106)."""
    allowance_total: Decimal
    charge_total: Decimal
    tax_exclusive_total: Decimal | None
    """BT-109."""
    tax_total: Decimal | None
    """BT-110."""
    tax_inclusive_total: Decimal
    """BT-112."""
    prepaid_total: Decimal
    rounding_amount: Decimal
    payable_total: Decimal
    """BT-115."""
    lines: tuple[ParsedInvoiceLine, ...]
    allowance_charges: tuple[ParsedAllowanceCharge, ...] = ()
    type_code: str | None = None
    """UNTDID 1001 document type code as the document states it (BT-3)."""
    afip: AfipVoucher | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "document_kind": self.document_kind,
            "type_code": self.type_code,
            "number": self.number,
            "issue_date": self.issue_date.isoformat(),
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "currency": self.currency,
            "seller": {"name": self.seller_name, "ids": list(self.seller_tax_ids)},
            "buyer": {"name": self.buyer_name, "ids": list(self.buyer_tax_ids)},
            "po_reference": self.po_reference,
            "totals": {
                "net": _money(self.net_total),
                "allowances": str(self.allowance_total),
                "charges": str(self.charge_total),
                "tax_exclusive": _money(self.tax_exclusive_total),
                "tax": _money(self.tax_total),
                "tax_inclusive": str(self.tax_inclusive_total),
                "prepaid": str(self.prepaid_total),
                "rounding": str(self.rounding_amount),
                "payable": str(self.payable_total),
            },
            "allowance_charges": [item.to_json_dict() for item in self.allowance_charges],
            "lines": [line.to_json_dict() for line in self.lines],
            "afip": self.afip.to_json_dict() if self.afip else None,
        }
