"""Suppliers, their purchase orders, their invoices and how each invoice matched."""

from .invoices import (
    Invoice,
    InvoiceEvent,
    InvoiceHold,
    InvoiceLine,
    MatchingTolerance,
    invoice_file_path,
)
from .organisations import (
    BankAccount,
    Supplier,
    SupplierInvitation,
    SupplierMember,
    SupplierTaxId,
    bank_document_path,
)
from .purchasing import ZERO, PurchaseOrder, PurchaseOrderLine, Reception

__all__ = [
    "ZERO",
    "BankAccount",
    "Invoice",
    "InvoiceEvent",
    "InvoiceHold",
    "InvoiceLine",
    "MatchingTolerance",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Reception",
    "Supplier",
    "SupplierInvitation",
    "SupplierMember",
    "SupplierTaxId",
    "bank_document_path",
    "invoice_file_path",
]
