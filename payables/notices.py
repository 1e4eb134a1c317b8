"""The payment notice a supplier downloads once a payment order is paid (PDF)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from documents.signing.pdf import render_pdf

from .models import PaymentOrder


def render_payment_notice(order: PaymentOrder) -> bytes:
    with translation.override("es"):
        html = render_to_string(
            "payables/payment_notice.html",
            {
                "order": order,
                "items": order.items.select_related("invoice"),
                "issued_on": timezone.localdate(),
                "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
                "MUNICIPALITY_CUIT": settings.MUNICIPALITY_CUIT,
            },
        )
    return render_pdf(
        html,
        base_url=settings.BASE_DIR.as_uri() + "/",
        allowed_roots=[],
        title=f"Aviso de pago {order.reference}",
        lang="es-AR",
        author=settings.MUNICIPALITY_NAME,
    )
