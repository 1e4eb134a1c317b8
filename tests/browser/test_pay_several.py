"""A resident ticks two orders on «what I owe» and pays them together through Mercado Pago
(the local fake, driven by the real SDK); back on the portal both show paid once the
payment is confirmed by the provider's API."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from payments import services as payments
from payments.models import PaymentOrder
from tests.browser.test_procedure_flow import log_in
from tests.engine.conftest import make_resident
from tests.payments.conftest import fake_mp, mercadopago  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pay_two_orders_in_one_checkout(
    live_server,
    browser,
    assert_accessible,
    mercadopago,  # noqa: F811 - the fixture imported above
):
    vecina = make_resident("vecina@example.com", "30111222")
    fee = payments.create_order(
        subject=vecina, payer=vecina, amount=Decimal("1500.00"), concept="Habilitación comercial"
    )
    rate = payments.create_order(
        subject=vecina,
        payer=vecina,
        amount=Decimal("2300.50"),
        concept="Tasa de servicios, cuota 3",
    )
    base = live_server.url

    page = browser.new_context(locale="es-AR").new_page()
    log_in(page, base, "vecina@example.com")
    page.goto(f"{base}/pagos/")
    assert_accessible(page)
    # Nothing ticked: refused with a message, nothing made.
    page.get_by_role("button", name="Pagar en línea las órdenes elegidas").click()
    expect(page.locator(".messages")).to_contain_text("Elegí al menos una orden")

    page.get_by_label("Pagar Habilitación comercial").check()
    page.get_by_label("Pagar Tasa de servicios, cuota 3").check()
    page.get_by_role("button", name="Pagar en línea las órdenes elegidas").click()
    expect(page.locator("h1")).to_have_text("Pagar varias órdenes en línea")
    expect(page.locator("tfoot")).to_contain_text("3.800,50")
    assert_accessible(page)
    page.get_by_role("link", name="Continuar al pago").click()

    # Mercado Pago's checkout (the fake) lists both orders; paying notifies the portal.
    expect(page.locator("h1")).to_have_text("Mercado Pago")
    expect(page.locator("li")).to_have_count(2)
    page.get_by_role("button", name="Pagar").click()
    expect(page.locator("h1")).to_have_text("Lo que debo")
    expect(page.locator("tbody .badge")).to_have_text(["Pagado", "Pagado"])
    assert_accessible(page)
    assert {o.status for o in PaymentOrder.objects.filter(pk__in=[fee.pk, rate.pk])} == {
        PaymentOrder.Status.PAID
    }
