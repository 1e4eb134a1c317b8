"""Several orders paid together: one checkout with one item per order under one reference;
the confirmed payment split onto the orders exactly (short, excess and duplicate payments
still seen), through Mercado Pago (the fake, the real SDK) and the demo provider."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import close_old_connections
from django.utils import timezone

from core.errors import ActionRefused
from core.models import AuditEvent
from payments import services as payments
from payments.models import CombinedCheckout, Payment, PaymentOrder

from .test_mercadopago import URLS, _post


@pytest.fixture
def orders(resident, told):
    today = timezone.localdate()
    first = payments.create_order(
        subject=resident,
        payer=resident,
        amount=Decimal("1500.00"),
        concept="Habilitación comercial",
        due_date=today + timedelta(days=5),
    )
    second = payments.create_order(
        subject=resident,
        payer=resident,
        amount=Decimal("2300.50"),
        concept="Tasa de servicios generales, cuota 3",
        due_date=today + timedelta(days=10),
    )
    return first, second


def _combined(orders, resident) -> CombinedCheckout:
    return payments.start_combined_checkout(payer=resident, orders=list(orders), urls=URLS)


def _preference_id(combined: CombinedCheckout) -> str:
    return combined.checkout_url.rsplit("pref_id=", 1)[1]


def _fresh(order) -> PaymentOrder:
    return PaymentOrder.objects.get(pk=order.pk)


@pytest.mark.django_db
def test_one_preference_with_one_item_per_order_under_a_combined_reference(
    mercadopago, orders, resident
):
    first, second = orders
    combined = _combined(orders, resident)
    preference = mercadopago.preferences[_preference_id(combined)]
    assert preference["external_reference"] == combined.external_reference
    assert combined.external_reference.startswith("PC-")
    assert len(combined.external_reference) == 23  # 80 random bits, as an order's
    assert combined.external_reference not in (first.external_reference, second.external_reference)
    assert [(i["id"], i["unit_price"], i["quantity"]) for i in preference["items"]] == [
        (first.external_reference, 1500.0, 1),
        (second.external_reference, 2300.5, 1),
    ]
    # A double click reuses the same checkout.
    preferences = len(mercadopago.preferences)
    assert _combined(orders, resident).pk == combined.pk
    assert len(mercadopago.preferences) == preferences
    assert AuditEvent.objects.filter(action="payments.combined_checkout").count() == 1


@pytest.mark.django_db
def test_only_ones_own_open_orders_are_paid_together(mercadopago, orders, resident, employee):
    first, second = orders
    preferences = len(mercadopago.preferences)
    with pytest.raises(ActionRefused):
        payments.start_combined_checkout(payer=employee, orders=list(orders), urls=URLS)
    payments.cancel_order(order=second, actor=employee, reason="Anulada")
    with pytest.raises(ActionRefused):
        _combined(orders, resident)
    with pytest.raises(ActionRefused):
        payments.start_combined_checkout(payer=resident, orders=[], urls=URLS)
    assert not CombinedCheckout.objects.exists()
    assert len(mercadopago.preferences) == preferences


@pytest.mark.django_db(transaction=True)
def test_a_confirmed_combined_payment_pays_each_order_exactly(
    client, mercadopago, orders, resident, told
):
    first, second = orders
    combined = _combined(orders, resident)
    paid = mercadopago.pay(_preference_id(combined))
    assert paid["transaction_amount"] == 3800.5
    assert _post(client, mercadopago.notification(paid["id"])).status_code == 200

    first, second = _fresh(first), _fresh(second)
    assert (first.status, first.amount_paid) == (PaymentOrder.Status.PAID, Decimal("1500.00"))
    assert (second.status, second.amount_paid) == (PaymentOrder.Status.PAID, Decimal("2300.50"))
    shares = {p.order_id: p for p in Payment.objects.all()}
    assert shares[first.pk].provider_payment_id == f"{paid['id']}/{first.external_reference}"
    assert shares[first.pk].provider_id == str(paid["id"])
    # The provider's fee (12.50) split in proportion, to the cent.
    assert sum(p.fee for p in shares.values()) == Decimal("12.50")
    assert not any(p.is_duplicate for p in shares.values())
    assert sorted(told) == sorted(
        [
            ("paid", first.external_reference, Decimal("1500.00")),
            ("paid", second.external_reference, Decimal("2300.50")),
        ]
    )
    # Replayed, and notified again with a new request id: nothing more.
    _post(client, mercadopago.notification(paid["id"]))
    assert Payment.objects.count() == 2
    assert len(told) == 2


@pytest.mark.django_db(transaction=True)
def test_a_short_combined_payment_leaves_an_order_partly_paid(
    client, mercadopago, orders, resident, told
):
    first, second = orders
    combined = _combined(orders, resident)
    paid = mercadopago.pay(_preference_id(combined), amount=2000.0)
    _post(client, mercadopago.notification(paid["id"]))
    first, second = _fresh(first), _fresh(second)
    assert first.status == PaymentOrder.Status.PAID  # the earliest due is paid first
    assert (second.status, second.amount_paid) == (
        PaymentOrder.Status.PARTLY_PAID,
        Decimal("500.00"),
    )
    assert told == [("paid", first.external_reference, Decimal("1500.00"))]


@pytest.mark.django_db(transaction=True)
def test_a_combined_payment_over_the_total_is_seen_as_overpaid(
    client, mercadopago, orders, resident, told
):
    first, second = orders
    combined = _combined(orders, resident)
    paid = mercadopago.pay(_preference_id(combined), amount=4000.5)
    _post(client, mercadopago.notification(paid["id"]))
    assert _fresh(first).amount_paid == Decimal("1500.00")
    assert _fresh(second).amount_paid == Decimal("2500.50")
    assert ("overpaid", second.external_reference, Decimal("200.00")) in told


@pytest.mark.django_db(transaction=True)
def test_an_order_paid_meanwhile_gets_a_duplicate_share_refundable_through_the_provider(
    client, mercadopago, orders, resident, told, employee
):
    first, second = orders
    combined = _combined(orders, resident)
    # The first order is paid at the cash desk before the combined payment arrives.
    payments.record_manual_payment(
        order=first,
        channel=Payment.Channel.CASH_DESK,
        amount=Decimal("1500.00"),
        paid_on=timezone.localdate(),
        evidence="Recibo 991",
        actor=employee,
    )
    paid = mercadopago.pay(_preference_id(combined))
    _post(client, mercadopago.notification(paid["id"]))
    share = Payment.objects.get(channel="mercadopago", order=first)
    assert share.is_duplicate
    assert ("overpaid", first.external_reference, Decimal("1500.00")) in told
    assert _fresh(second).status == PaymentOrder.Status.PAID

    # Refunding the duplicate share is a partial refund of the one Mercado Pago payment.
    refund = payments.refund_payment(
        payment=share, amount=Decimal("1500.00"), reason="Pago duplicado", actor=employee
    )
    assert mercadopago.refunds[refund.idempotency_key]["payment_id"] == paid["id"]
    assert mercadopago.payments[str(paid["id"])]["transaction_amount_refunded"] == 1500.0
    assert _fresh(first).amount_paid == Decimal("1500.00")
    assert _fresh(second).amount_paid == Decimal("2300.50")


@pytest.mark.django_db(transaction=True)
def test_two_notifications_of_one_combined_payment_at_once_make_one_share_per_order(
    mercadopago, orders, resident
):
    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    combined = _combined(orders, resident)
    paid = mercadopago.pay(_preference_id(combined))
    barrier = threading.Barrier(4)
    statuses = []

    def deliver():
        try:
            barrier.wait()
            statuses.append(_post(Client(), mercadopago.notification(paid["id"])).status_code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    assert Payment.objects.count() == 2
    assert [_fresh(o).amount_paid for o in orders] == [Decimal("1500.00"), Decimal("2300.50")]


def test_the_split_gives_each_what_it_owed_and_the_excess_to_the_last():
    owed = [Decimal("10.00"), Decimal("20.00"), Decimal("5.00")]
    assert payments.split_amount(Decimal("35.00"), owed) == owed
    assert payments.split_amount(Decimal("15.00"), owed) == [
        Decimal("10.00"),
        Decimal("5.00"),
        Decimal("0.00"),
    ]
    assert payments.split_amount(Decimal("40.00"), owed)[-1] == Decimal("10.00")


# --- The resident's pages ---------------------------------------------------------------


@pytest.mark.django_db
def test_what_i_owe_pays_the_ticked_orders_in_one_checkout(client, mercadopago, orders, resident):
    first, second = orders
    client.force_login(resident)
    page = client.get("/pagos/").content.decode()
    assert f'name="orden" value="{first.external_reference}"' in page
    response = client.post(
        "/pagos/pagar-varios/", {"orden": [first.external_reference, second.external_reference]}
    )
    combined = CombinedCheckout.objects.get()
    assert response["Location"] == f"/pagos/conjunto/{combined.external_reference}/"
    page = client.get(response["Location"]).content.decode()
    assert combined.checkout_url in page
    assert "$\xa03.800,50" in page

    # Coming back from the checkout marks nothing paid: only the provider's confirmation does.
    back = client.get(
        f"/pagos/conjunto/{combined.external_reference}/?vuelta=1&status=approved"
        f"&external_reference={combined.external_reference}"
    )
    assert back.status_code == 200
    assert {o.status for o in PaymentOrder.objects.all()} == {PaymentOrder.Status.PENDING}


@pytest.mark.django_db
def test_paying_nothing_or_someone_elses_order_is_refused_and_changes_nothing(
    client, mercadopago, orders, resident, employee
):
    preferences = len(mercadopago.preferences)
    client.force_login(resident)
    response = client.post("/pagos/pagar-varios/", {}, follow=True)
    assert "Elegí al menos una orden" in response.content.decode()
    others = payments.create_order(
        subject=employee, payer=employee, amount=Decimal("10.00"), concept="Ajena"
    )
    response = client.post(
        "/pagos/pagar-varios/",
        {"orden": [orders[0].external_reference, others.external_reference]},
        follow=True,
    )
    assert "ya está paga o no es tuya" in response.content.decode()
    assert not CombinedCheckout.objects.exists()
    assert len(mercadopago.preferences) == preferences


@pytest.mark.django_db
def test_someone_elses_combined_checkout_is_not_shown(client, mercadopago, orders, resident):
    from tests.engine.conftest import make_resident

    combined = _combined(orders, resident)
    client.force_login(make_resident("otra@example.com", "30999888"))
    assert client.get(f"/pagos/conjunto/{combined.external_reference}/").status_code == 404


@pytest.mark.django_db
def test_one_ticked_order_is_paid_as_usual(client, mercadopago, orders, resident):
    client.force_login(resident)
    response = client.post("/pagos/pagar-varios/", {"orden": [orders[0].external_reference]})
    assert response["Location"] == f"/pagos/{orders[0].external_reference}/continuar/"
    assert not CombinedCheckout.objects.exists()


@pytest.mark.django_db
def test_the_demo_checkout_pays_several_orders_together(
    client, settings, orders, resident, told, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.PAYMENTS_ONLINE_PROVIDER = "demo"
    client.force_login(resident)
    response = client.post(
        "/pagos/pagar-varios/", {"orden": [o.external_reference for o in orders]}
    )
    combined = CombinedCheckout.objects.get()
    assert (
        f"/pagos/demo/{combined.external_reference}/"
        in client.get(response["Location"]).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(f"/pagos/demo/{combined.external_reference}/", {"outcome": "approved"})
    assert back["Location"] == f"/pagos/conjunto/{combined.external_reference}/?vuelta=1"
    assert {_fresh(o).status for o in orders} == {PaymentOrder.Status.PAID}
    assert sorted(call[0] for call in told) == ["paid", "paid"]
