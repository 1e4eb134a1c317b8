"""Mercado Pago Checkout Pro through the official ``mercadopago`` SDK.

``MERCADOPAGO_API_URL`` replaces the SDK's fixed API address, so the tests (and a
staging site) can talk to a local server that speaks the same protocol.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import mercadopago
import requests
from django.conf import settings
from django.utils import timezone
from mercadopago.config.request_options import RequestOptions
from mercadopago.errors.exceptions import MercadoPagoError
from mercadopago.http.http_client import HttpClient

from . import Checkout, CheckoutItem, ProviderPayment, ProviderUnavailable, UnknownPayment, Urls

SDK_API_URL = "https://api.mercadopago.com"
TIMEOUT_SECONDS = 10.0

# Mercado Pago's payment statuses, as ours.
STATUSES = {
    "approved": "approved",
    "authorized": "pending",
    "pending": "pending",
    "in_process": "pending",
    "in_mediation": "pending",
    "rejected": "rejected",
    "cancelled": "cancelled",
    "refunded": "refunded",
    "charged_back": "refunded",
}


class ConfiguredApiClient(HttpClient):
    """The SDK's HTTP client, sending to ``MERCADOPAGO_API_URL`` instead of its fixed address."""

    def request(self, method, url, *args, **kwargs):  # noqa: ANN001, ANN201 - the SDK's signature
        base = settings.MERCADOPAGO_API_URL.rstrip("/")
        if url.startswith(SDK_API_URL):
            url = base + url[len(SDK_API_URL) :]
        return super().request(method, url, *args, **kwargs)


def _amount(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class MercadoPagoProvider:
    key = "mercadopago"
    label = "Mercado Pago"
    demo = False
    channel = "mercadopago"

    def problems(self) -> list[str]:
        missing = [
            name
            for name in ("MERCADOPAGO_ACCESS_TOKEN", "MERCADOPAGO_WEBHOOK_SECRET")
            if not getattr(settings, name)
        ]
        return [f"{name} is not set" for name in missing]

    def webhook_secret(self) -> str:
        return settings.MERCADOPAGO_WEBHOOK_SECRET

    def _sdk(self) -> mercadopago.SDK:
        options = RequestOptions(connection_timeout=TIMEOUT_SECONDS, max_retries=1)
        return mercadopago.SDK(
            settings.MERCADOPAGO_ACCESS_TOKEN,
            http_client=ConfiguredApiClient(),
            request_options=options,
        )

    def _call(self, action, *args, **kwargs) -> dict[str, Any]:  # noqa: ANN001
        try:
            result = action(*args, **kwargs)
        except (requests.RequestException, MercadoPagoError) as exc:
            raise ProviderUnavailable(f"Mercado Pago did not answer: {exc}") from exc
        return result

    def create_checkout(self, reference: str, items: list[CheckoutItem], urls: Urls) -> Checkout:
        expires = timezone.now() + timedelta(days=1)
        preference = {
            "items": [
                {
                    "id": item.id,
                    "title": item.title[:250],
                    "quantity": 1,
                    "unit_price": float(item.amount),
                    "currency_id": "ARS",
                }
                for item in items
            ],
            "external_reference": reference,
            "notification_url": urls.notification,
            "back_urls": {"success": urls.back, "pending": urls.back, "failure": urls.back},
            "auto_return": "approved",
            "expires": True,
            "expiration_date_to": expires.isoformat(timespec="milliseconds"),
        }
        result = self._call(self._sdk().preference().create, preference)
        if result["status"] not in (200, 201):
            raise ProviderUnavailable(
                f"preference refused: {result['status']} {result['response']}"
            )
        body = result["response"]
        return Checkout(id=str(body["id"]), url=body["init_point"])

    def fetch_payment(self, payment_id: str) -> ProviderPayment:
        result = self._call(self._sdk().payment().get, payment_id)
        if result["status"] == 404:
            raise UnknownPayment(payment_id)
        if result["status"] != 200:
            raise ProviderUnavailable(f"payment {payment_id}: {result['status']}")
        body = result["response"]
        return ProviderPayment(
            id=str(body["id"]),
            status=STATUSES.get(body.get("status", ""), "pending"),
            external_reference=body.get("external_reference") or "",
            amount=_amount(body.get("transaction_amount")),
            fee=sum(
                (_amount(f.get("amount")) for f in body.get("fee_details") or []), Decimal("0.00")
            ),
            paid_at=_when(body.get("date_approved")),
            details={
                "status": body.get("status"),
                "status_detail": body.get("status_detail"),
                "payment_type_id": body.get("payment_type_id"),
            },
        )

    def refund(self, payment_id: str, amount: Decimal, *, idempotency_key: str) -> str:
        options = RequestOptions(
            connection_timeout=TIMEOUT_SECONDS,
            max_retries=1,
            custom_headers={"x-idempotency-key": idempotency_key},
        )
        options.access_token = settings.MERCADOPAGO_ACCESS_TOKEN
        result = self._call(
            self._sdk().refund().create, payment_id, {"amount": float(amount)}, options
        )
        if result["status"] not in (200, 201):
            raise ProviderUnavailable(
                f"refund of {payment_id}: {result['status']} {result['response']}"
            )
        return str(result["response"]["id"])
