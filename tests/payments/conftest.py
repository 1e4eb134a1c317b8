"""A fake Mercado Pago for the session, the portal pointed at it, and a subject that records
what payments tells it (any model will do: payments knows none; a user stands in)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payments import hooks
from payments import services as payments

from .fake_mercadopago import FakeMercadoPago

ACCESS_TOKEN = "TEST-1234567890-access-token"
WEBHOOK_SECRET = "test-webhook-secret-0123456789abcdef"


@pytest.fixture(scope="session")
def fake_mp():
    fake = FakeMercadoPago(access_token=ACCESS_TOKEN, webhook_secret=WEBHOOK_SECRET).start()
    yield fake
    fake.stop()


@pytest.fixture
def mercadopago(fake_mp, settings):
    settings.PAYMENTS_ONLINE_PROVIDER = "mercadopago"
    settings.MERCADOPAGO_API_URL = fake_mp.url
    settings.MERCADOPAGO_ACCESS_TOKEN = ACCESS_TOKEN
    settings.MERCADOPAGO_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake_mp.down = False
    return fake_mp


class RecordingHooks(hooks.SubjectHooks):
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def paid(self, subject, order, payment):
        self.calls.append(("paid", order.external_reference, payment.amount))

    def overpaid(self, subject, order, payment, excess):
        self.calls.append(("overpaid", order.external_reference, excess))

    def refunded(self, subject, order, payment, amount):
        self.calls.append(("refunded", order.external_reference, amount))


@pytest.fixture
def told():
    from accounts.models import User

    recording = RecordingHooks()
    hooks.SUBJECTS.unregister("accounts.user")
    hooks.register(User, recording)
    yield recording.calls
    hooks.SUBJECTS.unregister("accounts.user")


@pytest.fixture
def order(resident, told):
    return payments.create_order(
        subject=resident, payer=resident, amount=Decimal("1500.00"), concept="Tasa de prueba"
    )
