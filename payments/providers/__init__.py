"""Online payment providers: plugins (``core.registry``) the resident pays through.

``mercadopago`` is Checkout Pro through the official SDK; ``demo`` is a local
checkout page for ``make run`` that posts a correctly signed notification (never
usable with DEBUG off: ``check --deploy`` refuses it). ``PAYMENTS_ONLINE_PROVIDER``
names the one in use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from core.registry import PluginRegistry


class ProviderUnavailable(Exception):
    """The provider's API did not answer as expected; the work is retried later."""


class UnknownPayment(Exception):
    """The provider does not know the payment a notification names."""


@dataclass(frozen=True)
class Checkout:
    id: str
    url: str


@dataclass(frozen=True)
class CheckoutItem:
    """One line of a checkout: an order, and what of it is paid now."""

    id: str
    title: str
    amount: Decimal


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider's API states it (never as a notification body claims)."""

    id: str
    status: str  # a payments.models.Payment.Status value
    external_reference: str
    amount: Decimal
    fee: Decimal = Decimal("0.00")
    paid_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Urls:
    notification: str
    back: str


class OnlineProvider(Protocol):
    key: str
    label: str
    demo: bool
    channel: str  # a payments.models.Payment.Channel value

    def problems(self) -> list[str]: ...

    def webhook_secret(self) -> str: ...

    def create_checkout(self, reference: str, items: list[CheckoutItem], urls: Urls) -> Checkout:
        """A checkout for ``items`` whose payment comes back carrying ``reference``."""
        ...

    def fetch_payment(self, payment_id: str) -> ProviderPayment: ...

    def refund(self, payment_id: str, amount: Decimal, *, idempotency_key: str) -> str:
        """Give back ``amount`` of the payment; the provider's refund id."""
        ...


ONLINE: PluginRegistry[OnlineProvider] = PluginRegistry(
    "online payment provider", settings=("PAYMENTS_ONLINE_PROVIDER",)
)


def register_plugins() -> None:
    from .demo import DemoProvider
    from .mercadopago import MercadoPagoProvider

    ONLINE.register(MercadoPagoProvider())
    ONLINE.register(DemoProvider())


def online_provider(key: str | None = None) -> OnlineProvider:
    """The provider ``key`` names (the one in use by default), if it may be used here."""
    from django.conf import settings

    key = key or settings.PAYMENTS_ONLINE_PROVIDER
    usable = {provider.key: provider for provider in ONLINE.usable()}
    if key not in usable:
        raise LookupError(f"payment provider {key!r} is not usable here")
    return usable[key]
