"""The payment notice of a paid payment order: a document sealed by the municipality.

It is a signed document (``documents``) about the payment order: the supplier
downloads it from their invoice's page, and anyone can check it with its code.
This module gives its content and decides, for the documents app, who may
download it (the supplier's users and accounts payable).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from core import audit
from core.identifiers import format_cuit
from core.money import format_money
from documents import hooks
from documents import services as documents
from documents.hooks import DocumentContent, SubjectHooks
from documents.models import SignedDocument
from suppliers.models import Invoice
from suppliers.selectors import is_accounts_payable, supplier_of

from .models import PaymentOrder

KIND = "payment_notice"
TITLE = "Aviso de pago"


def notice_content(order: PaymentOrder) -> DocumentContent:
    """What the notice states, in Spanish: the transfer and every invoice it paid."""
    items = order.items.select_related("invoice").order_by("invoice__issue_date", "invoice_id")
    return DocumentContent(
        title=f"{TITLE} {order.reference}",
        template="payables/pdf/payment_notice.html",
        subject_label=f"Orden de pago {order.reference}",
        facts={
            "reference": order.reference,
            "municipality_cuit": format_cuit(settings.MUNICIPALITY_CUIT),
            "supplier_name": order.supplier.legal_name,
            "supplier_cuit": format_cuit(order.supplier.cuit),
            "paid_on": order.paid_on.isoformat() if order.paid_on else "",
            "amount_display": format_money(order.amount, order.currency),
            "gross_display": format_money(order.gross_amount or order.amount, order.currency),
            "withholdings": [
                {
                    "description": row.description,
                    "certificate": row.certificate_number,
                    "amount_display": format_money(row.amount, order.currency),
                }
                for row in order.withholdings.filter(amount__gt=0)
            ],
            "cbu": order.cbu,
            "holder_name": order.holder_name,
            "issued_on": timezone.localdate().isoformat(),
            "paid_invoices": [
                {
                    "kind": "Nota de crédito"
                    if item.invoice.kind == Invoice.Kind.CREDIT_NOTE
                    else "Factura",
                    "number": item.invoice.number,
                    "issue_on": item.invoice.issue_date.isoformat(),
                    "purchase_order": item.invoice.po_reference or "—",
                    "amount_display": format_money(item.amount, order.currency),
                }
                for item in items
            ],
        },
    )


def request_notice(order: PaymentOrder, *, actor: User) -> SignedDocument:
    """Seal the notice of a paid order once the payment's transaction commits (idempotent)."""
    return documents.request_document(
        subject=order, kind=KIND, content=notice_content(order), actor=actor
    )


def notice_of(order: PaymentOrder) -> SignedDocument | None:
    return documents.current_document(order, KIND)


class PaymentOrderDocuments(SubjectHooks):
    def issued(self, subject: PaymentOrder, document: SignedDocument, *, actor) -> None:
        audit.record(
            actor=actor,
            action="payment_order.notice_issued",
            obj=subject,
            after={"code": document.code, "sha256": document.sha256},
        )

    def may_download(self, user: User, subject: PaymentOrder, document: SignedDocument) -> bool:
        supplier = supplier_of(user)
        return (supplier is not None and supplier.pk == subject.supplier_id) or (
            user.is_employee and is_accounts_payable(user)
        )

    def download_name(self, subject: PaymentOrder, document: SignedDocument) -> str:
        return f"{subject.reference}.pdf"

    def fresh_content(self, subject: PaymentOrder, document: SignedDocument) -> DocumentContent:
        return notice_content(subject)


def register_hooks() -> None:
    hooks.register(PaymentOrder, PaymentOrderDocuments())
