"""The demo provider: a checkout page of our own (``make run``), with DEBUG on only.

It keeps its "payments" in ``DemoCharge`` rows and signs its notifications with a
secret derived from ``SECRET_KEY``, so the webhook path is the same as Mercado Pago's.
"""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..models import DemoCharge
from . import Checkout, CheckoutItem, ProviderPayment, UnknownPayment, Urls


class DemoProvider:
    key = "demo"
    label = "Demo checkout"
    demo = True
    channel = "demo"

    def problems(self) -> list[str]:
        return []

    def webhook_secret(self) -> str:
        return hmac.new(settings.SECRET_KEY.encode(), b"payments.demo", hashlib.sha256).hexdigest()

    def create_checkout(self, reference: str, items: list[CheckoutItem], urls: Urls) -> Checkout:
        return Checkout(
            id=f"demo-{reference}", url=reverse("payments:demo_checkout", args=[reference])
        )

    def fetch_payment(self, payment_id: str) -> ProviderPayment:
        charge = DemoCharge.objects.filter(pk=payment_id).first() if payment_id.isdigit() else None
        if charge is None:
            raise UnknownPayment(payment_id)
        status = "refunded" if charge.refunded >= charge.amount else charge.status
        return ProviderPayment(
            id=str(charge.pk),
            status=status,
            external_reference=charge.order_reference,
            amount=charge.amount,
            paid_at=charge.created_at if charge.status == "approved" else None,
            details={"status": status},
        )

    def refund(self, payment_id: str, amount: Decimal, *, idempotency_key: str) -> str:
        charge = DemoCharge.objects.get(pk=payment_id)
        charge.refunded += amount
        charge.save(update_fields=["refunded"])
        return f"demo-refund-{charge.pk}-{int(timezone.now().timestamp())}"
