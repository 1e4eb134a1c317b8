"""Mercado Pago Checkout Pro through the official SDK against the fake: preference, webhook
(signature, replay, order, staleness), payment fetched back, refunds."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import close_old_connections

from core.models import OutboxItem
from payments import services as payments
from payments.models import Notification, Payment, PaymentOrder
from payments.providers import Urls

from .conftest import WEBHOOK_SECRET

WEBHOOK = "/pagos/webhooks/mercadopago/"
URLS = Urls(notification="http://testserver/pagos/webhooks/mercadopago/", back="http://testserver/")


def _preference(fake, order) -> str:
    url = payments.start_checkout(order=order, urls=URLS)
    return url.rsplit("pref_id=", 1)[1]


def _post(client, notification, **extra_headers):
    query, headers, body = notification
    return client.post(
        WEBHOOK + "?" + "&".join(f"{k}={v}" for k, v in query.items()),
        data=body,
        content_type="application/json",
        headers={**headers, **extra_headers},
    )


def _refresh(order) -> PaymentOrder:
    return PaymentOrder.objects.get(pk=order.pk)


@pytest.mark.django_db
def test_the_preference_carries_the_order_and_a_double_click_reuses_it(mercadopago, order):
    first = payments.start_checkout(order=order, urls=URLS)
    again = payments.start_checkout(order=order, urls=URLS)
    assert first == again
    preference = mercadopago.preferences[first.rsplit("pref_id=", 1)[1]]
    assert preference["external_reference"] == order.external_reference
    assert preference["items"][0]["unit_price"] == 1500.0
    assert preference["items"][0]["currency_id"] == "ARS"
    assert preference["notification_url"] == URLS.notification
    assert preference["back_urls"]["success"] == URLS.back
    assert preference["expires"] is True


@pytest.mark.django_db(transaction=True)
def test_a_signed_notification_is_confirmed_from_the_api_and_pays_the_order(
    client, mercadopago, order, told
):
    payment = mercadopago.pay(_preference(mercadopago, order))
    response = _post(client, mercadopago.notification(payment["id"]))
    assert response.status_code == 200
    order = _refresh(order)
    assert order.status == PaymentOrder.Status.PAID
    assert order.amount_paid == Decimal("1500.00")
    recorded = order.payments.get()
    assert recorded.provider_payment_id == str(payment["id"])
    assert recorded.fee == Decimal("12.50")
    assert told == [("paid", order.external_reference, Decimal("1500.00"))]
    assert any(path == f"/v1/payments/{payment['id']}" for _m, path, _h in mercadopago.requests)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "headers",
    [
        {"x-signature": ""},
        {"x-signature": "ts=1700000000,v1=" + "0" * 64},
        {"x-signature": "v1=abc"},
    ],
    ids=["unsigned", "wrongly signed", "no timestamp"],
)
def test_a_badly_signed_notification_gets_401_and_changes_nothing(
    client, mercadopago, order, headers
):
    payment = mercadopago.pay(_preference(mercadopago, order))
    response = _post(client, mercadopago.notification(payment["id"]), **headers)
    assert response.status_code == 401
    assert not Notification.objects.exists()
    assert not Payment.objects.exists()
    assert _refresh(order).status == PaymentOrder.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_notification_signed_with_another_secret_is_refused(client, mercadopago, order):
    payment = mercadopago.pay(_preference(mercadopago, order))
    response = _post(client, mercadopago.notification(payment["id"], secret="someone-else"))
    assert response.status_code == 401
    assert not Payment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_stale_notification_is_refused_in_seconds_and_in_milliseconds(client, mercadopago, order):
    payment = mercadopago.pay(_preference(mercadopago, order))
    old = int(time.time()) - 3600
    for ts in (str(old), str(old * 1000)):
        response = _post(client, mercadopago.notification(payment["id"], ts=ts))
        assert response.status_code == 401
    assert not Payment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_fresh_timestamp_in_milliseconds_is_accepted(client, mercadopago, order):
    payment = mercadopago.pay(_preference(mercadopago, order))
    ts = str(int(time.time() * 1000))
    assert _post(client, mercadopago.notification(payment["id"], ts=ts)).status_code == 200
    assert _refresh(order).status == PaymentOrder.Status.PAID


@pytest.mark.django_db(transaction=True)
def test_a_replayed_notification_credits_once(client, mercadopago, order, told):
    payment = mercadopago.pay(_preference(mercadopago, order))
    notification = mercadopago.notification(payment["id"])
    for _attempt in range(3):
        assert _post(client, notification).status_code == 200
    # Mercado Pago also notifies again with a new request id: fetched again, still one payment.
    assert _post(client, mercadopago.notification(payment["id"])).status_code == 200
    order = _refresh(order)
    assert order.payments.count() == 1
    assert order.amount_paid == Decimal("1500.00")
    assert [call[0] for call in told] == ["paid"]


@pytest.mark.django_db(transaction=True)
def test_out_of_order_notifications_never_move_a_payment_back(client, mercadopago, order):
    payment = mercadopago.pay(_preference(mercadopago, order))
    assert _post(client, mercadopago.notification(payment["id"])).status_code == 200
    # The API now (wrongly, or from a stale replica) says pending: approved stays.
    mercadopago.set_status(payment["id"], "pending")
    assert _post(client, mercadopago.notification(payment["id"])).status_code == 200
    assert Payment.objects.get().status == Payment.Status.APPROVED
    assert _refresh(order).status == PaymentOrder.Status.PAID


@pytest.mark.django_db(transaction=True)
def test_pending_then_approved_pays_once(client, mercadopago, order, told):
    payment = mercadopago.pay(_preference(mercadopago, order), status="pending")
    _post(client, mercadopago.notification(payment["id"]))
    assert _refresh(order).status == PaymentOrder.Status.PENDING
    mercadopago.set_status(payment["id"], "approved")
    _post(client, mercadopago.notification(payment["id"]))
    assert _refresh(order).status == PaymentOrder.Status.PAID
    assert [call[0] for call in told] == ["paid"]


@pytest.mark.django_db(transaction=True)
def test_less_than_owed_is_partly_paid_never_paid(client, mercadopago, order, told):
    payment = mercadopago.pay(_preference(mercadopago, order), amount=1000.0)
    _post(client, mercadopago.notification(payment["id"]))
    order = _refresh(order)
    assert order.status == PaymentOrder.Status.PARTLY_PAID
    assert order.balance == Decimal("500.00")
    assert told == []


@pytest.mark.django_db(transaction=True)
def test_more_than_owed_is_paid_and_the_excess_reported(client, mercadopago, order, told):
    payment = mercadopago.pay(_preference(mercadopago, order), amount=2000.0)
    _post(client, mercadopago.notification(payment["id"]))
    assert _refresh(order).status == PaymentOrder.Status.PAID
    assert told == [
        ("paid", order.external_reference, Decimal("2000.00")),
        ("overpaid", order.external_reference, Decimal("500.00")),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_second_payment_of_a_paid_order_is_a_duplicate_and_can_be_refunded(
    client, mercadopago, order, told, employee
):
    preference = _preference(mercadopago, order)
    first, second = mercadopago.pay(preference), mercadopago.pay(preference)
    _post(client, mercadopago.notification(first["id"]))
    _post(client, mercadopago.notification(second["id"]))
    duplicate = Payment.objects.get(provider_payment_id=str(second["id"]))
    assert duplicate.is_duplicate
    assert told[-1] == ("overpaid", order.external_reference, Decimal("1500.00"))

    refund = payments.refund_payment(
        payment=duplicate, amount=Decimal("1500.00"), reason="Pago duplicado", actor=employee
    )
    assert mercadopago.payments[str(second["id"])]["status"] == "refunded"
    assert mercadopago.refunds[refund.idempotency_key]["amount"] == 1500.0
    order = _refresh(order)
    assert order.status == PaymentOrder.Status.PAID
    assert order.amount_paid == Decimal("1500.00")
    # A second click refuses: nothing left to refund.
    from core.errors import ActionRefused

    with pytest.raises(ActionRefused):
        payments.refund_payment(
            payment=duplicate, amount=Decimal("1500.00"), reason="again", actor=employee
        )
    assert [r for r in mercadopago.refunds.values() if r["payment_id"] == second["id"]] == [
        mercadopago.refunds[refund.idempotency_key]
    ]


@pytest.mark.django_db
def test_the_refund_sends_a_stable_idempotency_key(mercadopago, order, employee):
    payment = mercadopago.pay(_preference(mercadopago, order))
    from payments.providers import ProviderPayment

    recorded = payments.record_provider_payment(
        channel="mercadopago",
        fetched=ProviderPayment(
            id=str(payment["id"]),
            status="approved",
            external_reference=order.external_reference,
            amount=Decimal("1500.00"),
        ),
    )
    payments.refund_payment(
        payment=recorded, amount=Decimal("500.00"), reason="Ajuste", actor=employee
    )
    sent = [h for m, p, h in mercadopago.requests if p.endswith("/refunds")]
    assert sent[-1]["x-idempotency-key"] == f"refund-{recorded.pk}-1"


@pytest.mark.django_db(transaction=True)
def test_the_api_down_keeps_the_notification_and_a_retry_confirms_it(client, mercadopago, order):
    from core import outbox

    payment = mercadopago.pay(_preference(mercadopago, order))
    mercadopago.down = True
    assert _post(client, mercadopago.notification(payment["id"])).status_code == 200
    item = OutboxItem.objects.get(kind=payments.CONFIRM)
    assert item.done_at is None and item.attempts >= 1
    assert _refresh(order).status == PaymentOrder.Status.PENDING

    mercadopago.down = False
    outbox.run(item.pk)
    assert _refresh(order).status == PaymentOrder.Status.PAID
    assert Notification.objects.get().confirmed_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_signed_notification_of_a_payment_the_api_does_not_know_changes_nothing(
    client, mercadopago, order
):
    assert _post(client, mercadopago.notification("999999999999")).status_code == 200
    assert not Payment.objects.exists()
    assert _refresh(order).status == PaymentOrder.Status.PENDING
    # Confirmed as unknown: not retried for ever.
    assert Notification.objects.get().confirmed_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_notifications_of_one_payment_at_once_make_one_payment(mercadopago, order):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    payment = mercadopago.pay(_preference(mercadopago, order))
    from django.test import Client

    barrier = threading.Barrier(4)
    statuses = []

    def deliver():
        try:
            barrier.wait()
            statuses.append(_post(Client(), mercadopago.notification(payment["id"])).status_code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    assert Payment.objects.count() == 1
    assert _refresh(order).amount_paid == Decimal("1500.00")


def test_the_signature_is_the_documented_one():
    # The manifest of Mercado Pago's documentation, computed independently.
    import hashlib
    import hmac

    from payments import signature

    manifest = "id:abc123;request-id:req-1;ts:1704908010;"
    expected = hmac.new(WEBHOOK_SECRET.encode(), manifest.encode(), hashlib.sha256).hexdigest()
    header = signature.sign(WEBHOOK_SECRET, data_id="ABC123", request_id="req-1", ts="1704908010")
    assert header == f"ts=1704908010,v1={expected}"
    signature.verify(
        WEBHOOK_SECRET, header=header, data_id="ABC123", request_id="req-1", now=1704908010 + 60
    )
