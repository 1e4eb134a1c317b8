"""Withholding certificates: one document sealed by the municipality per tax withheld.

Each withholding with an amount gets its certificate number when its order is paid
(``services.withholding.number_certificates``) and then this document, through the
documents pipeline (rendered, sealed, verifiable by its code). It states what the tax
office's import formats (SICORE, SIRE) need: agent and subject CUIT, tax, regime, base,
rate, amount, date and number. The supplier downloads it from the supplier portal;
accounts payable from the batch page and the statement of account.
"""

from __future__ import annotations

from django.conf import settings

from accounts.models import User
from core import audit
from core.identifiers import format_cuit
from core.money import format_money
from documents import hooks
from documents import services as documents
from documents.hooks import DocumentContent, SubjectHooks
from documents.models import SignedDocument
from suppliers.models import Invoice, Supplier
from suppliers.selectors import is_accounts_payable, supplier_of

from .models import Withholding

KIND = "withholding_certificate"
TITLE = "Certificado de retención"
TAX_NAMES = {
    "ganancias": "Impuesto a las Ganancias",
    "iva": "Impuesto al Valor Agregado",
    "suss": "Sistema Único de la Seguridad Social",
    "iibb": "Impuesto sobre los Ingresos Brutos",
    "municipal": "Tasa municipal",
}


def _percentage(value) -> str:
    return f"{value.normalize():f}".replace(".", ",") + " %"


def certificate_content(row: Withholding) -> DocumentContent:
    """What the certificate states, in Spanish."""
    order = row.order
    supplier = row.supplier
    items = order.items.select_related("invoice").order_by("invoice__issue_date", "invoice_id")
    return DocumentContent(
        title=f"{TITLE} {row.certificate_number}",
        template="payables/pdf/withholding_certificate.html",
        subject_label=f"Retención {row.certificate_number} — orden de pago {order.reference}",
        facts={
            "certificate_number": row.certificate_number,
            "withheld_on": order.paid_on.isoformat() if order.paid_on else "",
            "agent_name": settings.MUNICIPALITY_NAME,
            "agent_cuit": format_cuit(settings.MUNICIPALITY_CUIT),
            "agent_condition": "IVA exento"
            if settings.MUNICIPALITY_VAT_EXEMPT
            else "IVA responsable inscripto",
            "subject_name": supplier.legal_name,
            "subject_cuit": format_cuit(supplier.cuit),
            "subject_condition": str(Supplier.TaxCondition(supplier.tax_condition).label),
            "subject_address": supplier.address,
            "tax": TAX_NAMES.get(row.tax, row.tax),
            "regime": row.regime,
            "regime_description": row.description,
            "payment_order": order.reference,
            "gross_display": format_money(order.gross_amount or order.amount, order.currency),
            "base_display": format_money(row.base, order.currency),
            "taxable_display": format_money(row.taxable, order.currency),
            "rate_display": _percentage(row.rate),
            "amount_display": format_money(row.amount, order.currency),
            "vouchers": [
                {
                    "kind": "Nota de crédito"
                    if item.invoice.kind == Invoice.Kind.CREDIT_NOTE
                    else "Factura",
                    "number": item.invoice.number,
                    "issue_on": item.invoice.issue_date.isoformat(),
                    "amount_display": format_money(item.amount, order.currency),
                }
                for item in items
            ],
        },
    )


def request_certificates(order_ids: list[int], *, actor: User | None) -> list[SignedDocument]:
    """Seal the certificate of every numbered withholding of the orders (idempotent)."""
    rows = (
        Withholding.objects.filter(order_id__in=order_ids, amount__gt=0)
        .exclude(certificate_number="")
        .select_related("order", "supplier")
        .order_by("certificate_number")
    )
    return [
        documents.request_document(
            subject=row, kind=KIND, content=certificate_content(row), actor=actor
        )
        for row in rows
    ]


def certificate_of(row: Withholding) -> SignedDocument | None:
    return documents.current_document(row, KIND)


def certificates_by_withholding(rows: list[Withholding]) -> dict[int, SignedDocument]:
    """The current certificates of many withholdings, in one query."""
    found = SignedDocument.objects.filter(
        subject_type=Withholding._meta.label_lower,
        subject_id__in=[str(row.pk) for row in rows],
        kind=KIND,
        status__in=SignedDocument.CURRENT_STATUSES,
    )
    return {int(document.subject_id): document for document in found}


def attach(rows: list[Withholding]) -> list[Withholding]:
    """Give each withholding its ``certificate`` document (or None), for pages."""
    found = certificates_by_withholding(rows)
    for row in rows:
        row.certificate = found.get(row.pk)
    return rows


class WithholdingDocuments(SubjectHooks):
    def issued(self, subject: Withholding, document: SignedDocument, *, actor) -> None:
        audit.record(
            actor=actor,
            action="withholding.certificate_issued",
            obj=subject,
            after={
                "certificate": subject.certificate_number,
                "code": document.code,
                "sha256": document.sha256,
            },
        )

    def may_download(self, user: User, subject: Withholding, document: SignedDocument) -> bool:
        supplier = supplier_of(user)
        return (supplier is not None and supplier.pk == subject.supplier_id) or (
            user.is_employee and is_accounts_payable(user)
        )

    def download_name(self, subject: Withholding, document: SignedDocument) -> str:
        return f"{subject.certificate_number}.pdf"

    def fresh_content(self, subject: Withholding, document: SignedDocument) -> DocumentContent:
        return certificate_content(subject)


def register_hooks() -> None:
    hooks.register(Withholding, WithholdingDocuments())
