"""A resident pays a procedure's fee through Mercado Pago (the local fake, driven by the real
SDK), comes back, sees it paid, the case in review and the receipt; a second payment of the
same order becomes a duplicate that treasury refunds through the provider."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from payments import selectors as payment_selectors
from payments.models import Payment, PaymentOrder
from procedures.catalog import load_catalog
from procedures.models import Case, ProcedureVersion
from procedures.services.adjustments import ADJUSTMENT_TYPE
from procedures.services.catalog import sync_catalog
from tests.browser.test_procedure_flow import log_in
from tests.engine.conftest import CATALOG, FIXTURES, make_catalog_dir, make_employee, make_resident
from tests.engine.test_versions import submitted_case
from tests.payments.conftest import fake_mp, mercadopago  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pay_a_fee_online_then_treasury_refunds_a_duplicate(
    live_server,
    browser,
    tmp_path,
    assert_accessible,
    mercadopago,  # noqa: F811 - the fixture imported above
    collect_fees,
):
    sync_catalog(
        load_catalog(
            make_catalog_dir(
                tmp_path / "catalog",
                FIXTURES / "habilitacion-de-prueba.yaml",
                CATALOG / "types" / f"{ADJUSTMENT_TYPE}.yaml",
            )
        )
    )
    version = ProcedureVersion.objects.get(
        procedure_type__code="habilitacion-de-prueba", status="published"
    )
    case = submitted_case(version, make_resident("vecina@example.com", "30111222"))
    make_employee("tesoreria@example.com", "tesoreria")
    base = live_server.url

    resident = browser.new_context(locale="es-AR").new_page()
    log_in(resident, base, "vecina@example.com")
    resident.goto(f"{base}/mis-tramites/{case.reference}/")
    expect(resident.locator(".status")).to_have_text("Pendiente de pago")
    assert_accessible(resident)
    resident.get_by_role("button", name="Pagar en línea").click()
    expect(resident.locator("h1")).to_have_text("Pagar en línea")
    assert_accessible(resident)
    resident.get_by_role("link", name="Continuar al pago").click()

    # Mercado Pago's checkout (the fake): paying notifies the portal, then returns there.
    expect(resident.locator("h1")).to_have_text("Mercado Pago")
    resident.get_by_role("button", name="Pagar").click()
    expect(resident.locator(".badge")).to_contain_text("Pagado")
    assert_accessible(resident)

    resident.goto(f"{base}/mis-tramites/{case.reference}/")
    expect(resident.locator(".status").first).to_have_text("En revisión")
    expect(resident.get_by_role("link", name="Comprobante de pago")).to_be_visible()

    # The resident pays again from a tab left open: Mercado Pago notifies a second payment.
    order = payment_selectors.orders_for(case).get()
    preference_id = order.checkout_id.rsplit(":", 1)[1]
    second = mercadopago.pay(preference_id)
    assert mercadopago.notify(f"{base}/pagos/webhooks/mercadopago/", str(second["id"])) == 200
    duplicate = Payment.objects.get(provider_payment_id=str(second["id"]))
    assert duplicate.is_duplicate
    assert Case.objects.filter(version__procedure_type__code=ADJUSTMENT_TYPE).exists()

    treasurer = browser.new_context(locale="es-AR").new_page()
    log_in(treasurer, base, "tesoreria@example.com", with_totp=True)
    treasurer.goto(f"{base}/gestion/pagos/duplicados/")
    assert_accessible(treasurer)
    treasurer.get_by_role("link", name=order.external_reference).click()
    assert_accessible(treasurer)
    treasurer.locator(f"#refund-reason-{duplicate.pk}").fill("Pago duplicado")
    treasurer.locator(f"form[action$='/pago/{duplicate.pk}/devolver/']").get_by_role(
        "button", name="Devolver por el mismo medio"
    ).click()
    expect(treasurer.locator(".messages")).to_contain_text("devolvieron")
    assert mercadopago.payments[str(second["id"])]["status"] == "refunded"
    order = PaymentOrder.objects.get(pk=order.pk)
    assert order.status == PaymentOrder.Status.PAID and order.amount_paid == Decimal("1500.00")
