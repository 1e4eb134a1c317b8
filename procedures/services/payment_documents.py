"""The payments app's signed documents: cash slips sealed through the documents pipeline.

payments and documents are siblings and do not know each other; this module (which
knows both) issues the slips payments asks for and tells documents who may download them.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from documents import hooks as document_hooks
from documents import services as documents
from documents.hooks import DocumentContent, SubjectHooks
from documents.models import SignedDocument
from payments import hooks as payment_hooks
from payments import selectors as payment_selectors
from payments.models import PaymentOrder

SLIP = "payment_slip"


class SignedSlips(payment_hooks.SlipIssuer):
    def request(self, order: PaymentOrder, *, facts: dict[str, Any], key: str, actor: Any) -> None:
        documents.request_document(
            subject=order,
            kind=SLIP,
            key=key,
            content=DocumentContent(
                title="Boleta de pago",
                template="procedures/pdf/payment_slip.html",
                subject_label=f"Orden de pago {order.external_reference}",
                facts=facts,
            ),
            actor=actor,
        )

    def find(self, order: PaymentOrder, *, key: str) -> payment_hooks.IssuedSlip | None:
        document = documents.current_document(order, SLIP, key)
        if document is None:
            return None
        ready = document.status == SignedDocument.Status.ISSUED and document.has_file
        return payment_hooks.IssuedSlip(
            ready=ready,
            url=reverse("documents:download", args=[document.code]) if ready else "",
            status=str(document.get_status_display()),
        )


class OrderDocuments(SubjectHooks):
    def may_download(self, user, subject: PaymentOrder, document: SignedDocument) -> bool:
        return payment_selectors.may_view(user, subject)

    def download_name(self, subject: PaymentOrder, document: SignedDocument) -> str:
        return f"boleta-{subject.external_reference}.pdf"


def register() -> None:
    payment_hooks.SLIP_ISSUERS.register("signed", SignedSlips())
    document_hooks.register(PaymentOrder, OrderDocuments())
