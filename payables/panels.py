"""What payables adds to suppliers' pages (``core.slots``): suppliers does not know payments."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from suppliers.models import Invoice
from suppliers.selectors import is_accounts_payable

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


def portal_nav_item(request: HttpRequest) -> dict[str, Any]:
    return {"current": request.path == reverse("payables_portal:statement")}


def staff_supplier_statement(request: HttpRequest, supplier) -> dict[str, Any] | None:
    """On the staff's supplier page, for accounts payable: the link to its statement."""
    if not is_accounts_payable(request.user):
        return None
    return {"supplier": supplier}
