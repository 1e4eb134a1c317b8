"""The demo provider (``make run``): a local checkout page posting a correctly signed
notification through the same webhook path; never reachable with DEBUG off."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payments import services as payments
from payments.models import Notification, PaymentOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(resident, told):
    return payments.create_order(
        subject=resident, payer=resident, amount=Decimal("700.00"), concept="Tasa demo"
    )


def test_the_demo_checkout_pays_through_a_signed_notification(
    client, settings, resident, order, told, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.PAYMENTS_ONLINE_PROVIDER = "demo"
    client.force_login(resident)
    response = client.post(f"/pagos/{order.external_reference}/pagar/")
    assert response["Location"] == f"/pagos/{order.external_reference}/continuar/"
    page = client.get(response["Location"]).content.decode()
    assert f"/pagos/demo/{order.external_reference}/" in page
    with django_capture_on_commit_callbacks(execute=True):  # the confirmation follows the commit
        back = client.post(f"/pagos/demo/{order.external_reference}/", {"outcome": "approved"})
    assert back["Location"] == f"/pagos/{order.external_reference}/?vuelta=1"
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID
    assert Notification.objects.get().provider == "demo"
    assert [call[0] for call in told] == ["paid"]


def test_a_rejected_demo_payment_pays_nothing(
    client, settings, resident, order, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.PAYMENTS_ONLINE_PROVIDER = "demo"
    client.force_login(resident)
    client.post(f"/pagos/{order.external_reference}/pagar/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/pagos/demo/{order.external_reference}/", {"outcome": "rejected"})
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PENDING


def test_the_demo_checkout_does_not_exist_with_debug_off(client, settings, resident, order):
    settings.DEBUG = False
    settings.PAYMENTS_ONLINE_PROVIDER = "demo"
    client.force_login(resident)
    assert client.get(f"/pagos/demo/{order.external_reference}/").status_code == 404
    assert client.post(f"/pagos/demo/{order.external_reference}/").status_code == 404
    assert order.payments.count() == 0


def test_the_return_url_alone_never_marks_anything_paid(client, resident, order):
    client.force_login(resident)
    page = client.get(
        f"/pagos/{order.external_reference}/",
        {"vuelta": "1", "status": "approved", "payment_id": "123", "collection_status": "approved"},
    )
    assert page.status_code == 200
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PENDING
