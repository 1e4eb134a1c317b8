"""A supplier uploads a Factur-X invoice, it matches its purchase order, an employee
approves it, a batch is approved by two employees and exported, and the supplier sees
the invoice paid: all through the real pages."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.identifiers import make_cbu
from suppliers.einvoice import parse_invoice_file
from suppliers.models import Invoice
from tests.browser.test_procedure_flow import log_in, totp_code
from tests.suppliers import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = factories.SAMPLES / "FX" / "EN16931_2_Teilrechnung.pdf"


def log_in_with_totp(page, base_url, email):
    """As log_in, with the second factor (the tests accept the neighbouring TOTP period)."""
    page.goto(f"{base_url}/cuenta/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.fill("input[name=code]", totp_code())
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()


def test_factur_x_invoice_from_upload_to_paid(live_server, browser, settings, assert_accessible):
    settings.PAYABLES_DEBTOR_CBU = make_cbu("0110001", "0000000000123")
    settings.PAYABLES_CURRENCIES = ["ARS", "EUR"]  # the sample is in euros
    settings.SUPPLIERS_INVOICE_MAX_AGE_DAYS = None  # and years old
    parsed = parse_invoice_file(SAMPLE.read_bytes())
    buyer = factories.employee("compras@example.com", "purchasing", code="compras")
    factories.employee(
        "tesoreria@example.com", "accounts_payable", "approve_payment_batches", code="tesoreria"
    )
    factories.employee(
        "contaduria@example.com", "accounts_payable", "approve_payment_batches", code="contaduria"
    )
    factories.employee(
        "intendencia@example.com", "accounts_payable", "approve_payment_batches", code="intendencia"
    )
    supplier, _user = factories.supplier(
        email="proveedor@example.com", foreign_ids=parsed.seller_tax_ids
    )
    order = factories.order_for(parsed, supplier, buyer)
    base = live_server.url

    seller = browser.new_context(locale="es-AR", accept_downloads=True).new_page()
    log_in(seller, base, "proveedor@example.com")
    seller.get_by_role("link", name="Portal de proveedores").click()
    assert_accessible(seller)
    seller.get_by_role("link", name="Enviar una factura electrónica").first.click()
    seller.get_by_label("PDF de la factura").set_input_files(str(SAMPLE))
    assert_accessible(seller)
    seller.get_by_role("button", name="Enviar la factura").click()
    expect(seller.locator(".messages")).to_contain_text("Factura 471113 recibida")
    expect(seller.locator("main .status")).to_have_text("Conciliada, pendiente de aprobación")
    expect(seller.locator("main")).to_contain_text(order.number)
    assert_accessible(seller)

    clerk = browser.new_context(locale="es-AR").new_page()
    log_in_with_totp(clerk, base, "tesoreria@example.com")
    clerk.get_by_role("link", name="Proveedores", exact=True).click()
    clerk.get_by_role("link", name="Listas para aprobar").click()
    assert_accessible(clerk)
    clerk.get_by_role("link", name="471113").click()
    clerk.get_by_role("button", name="Tomar esta tarea").click()
    assert_accessible(clerk)
    clerk.get_by_label("Aprobar para el pago").check()
    clerk.get_by_role("button", name="Registrar la decisión").click()
    expect(clerk.locator(".messages")).to_contain_text("aprobada para el pago")

    clerk.get_by_role("link", name="Pagos", exact=True).click()
    clerk.get_by_role("button", name="Preparar las órdenes de pago").click()
    expect(clerk.locator(".messages")).to_contain_text("1 orden de pago preparada")
    assert_accessible(clerk)
    clerk.get_by_role("button", name="Crear un lote").click()
    expect(clerk.locator("h1")).to_contain_text("Lote de pago LP-000001")
    # Who made the batch does not approve it: two other employees do.
    expect(clerk.get_by_role("button", name="Aprobar el lote")).to_have_count(0)
    assert_accessible(clerk)
    batch_url = clerk.url

    second = browser.new_context(locale="es-AR").new_page()
    log_in_with_totp(second, base, "contaduria@example.com")
    second.goto(batch_url)
    second.get_by_role("button", name="Aprobar el lote").click()
    expect(second.locator("main")).to_contain_text("1 de 2 aprobaciones")
    third = browser.new_context(locale="es-AR").new_page()
    log_in_with_totp(third, base, "intendencia@example.com")
    third.goto(batch_url)
    third.get_by_role("button", name="Aprobar el lote").click()
    expect(third.locator("main .status")).to_have_text("Aprobado")

    clerk.goto(batch_url)
    clerk.get_by_role("button", name="Generar el archivo para el banco").click()
    expect(clerk.locator(".messages")).to_contain_text("Archivo para el banco generado")
    with clerk.expect_download() as download_info:
        clerk.get_by_role("link", name="Descargar LP-000001.xml").click()
    assert b"pain.001.001.09" in download_info.value.path().read_bytes()
    clerk.get_by_role("button", name="Confirmar el lote como pagado").click()
    expect(clerk.locator("main .status")).to_have_text("Pagado")

    invoice = Invoice.objects.get(number="471113")
    assert invoice.paid_on is not None
    assert invoice.payment_item.order.amount == Decimal("23.54")
    seller.goto(f"{base}/proveedores/facturas/{invoice.pk}/")
    expect(seller.locator("main .status")).to_have_text("Pagado")
    with seller.expect_download() as notice:
        seller.get_by_role("link", name="Descargar el aviso de pago (PDF)").click()
    assert notice.value.path().read_bytes()[:5] == b"%PDF-"
    assert_accessible(seller)
