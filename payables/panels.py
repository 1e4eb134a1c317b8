"""What payables adds to suppliers' pages (``core.slots``): suppliers does not know payments."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from suppliers.models import Invoice

from . import certificates
from .models import PaymentOrderItem
from .notices import notice_of


def invoice_payment(request: HttpRequest, invoice: Invoice) -> dict[str, Any] | None:
    """On the supplier's invoice page: its payment order, the payment date and the notice."""
    item = PaymentOrderItem.objects.filter(invoice=invoice).select_related("order__batch").first()
    if item is None:
        return None
    order = item.order
    withheld = certificates.attach(list(order.withholdings.filter(amount__gt=0)))
    return {
        "order": order,
        "batch": order.batch,
        "notice": notice_of(order),
        "withholdings": withheld,
    }


def staff_nav_item(request: HttpRequest, section: str = "") -> dict[str, Any]:
    return {"current": section == "payments"}
