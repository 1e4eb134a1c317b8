"""A supplier invoices an order with the PDF of an Argentine electronic voucher: the
portal reads the AFIP QR printed on it, nobody pastes a link."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from suppliers.einvoice import build_qr_url
from suppliers.models import Invoice
from tests.browser.test_procedure_flow import log_in
from tests.suppliers import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_qr_is_read_from_the_voucher_pdf(live_server, browser, tmp_path, assert_accessible):
    buyer = factories.employee("compras@example.com", "purchasing", code="compras")
    supplier, _user = factories.supplier(email="proveedor@example.com")
    order = factories.order(
        supplier,
        buyer,
        [
            factories.line("Resmas A4", 100, "5000.00", code="RES-A4"),
            factories.line("Mantenimiento", 1, "100000.00", kind="service"),
        ],
    )
    factories.purchasing.record_receptions(
        order=order,
        quantities={line.pk: line.quantity for line in order.lines.all()},
        received_on=date(2025, 2, 1),
        note="",
        actor=buyer,
    )
    qr = build_qr_url(
        cuit=supplier.cuit,
        issue_date=date(2025, 2, 3),
        point_of_sale=3,
        voucher_type=6,
        voucher_number=1234,
        total=Decimal("423500"),  # 50 reams and the service, with 21 % VAT
        cae="75123456789012",
        receiver_document_type=80,
        receiver_document_number="30999999995",
    )
    voucher = tmp_path / "factura-b-00003-00001234.pdf"
    voucher.write_bytes(factories.voucher_pdf(qr).content)

    page = browser.new_context(locale="es-AR").new_page()
    log_in(page, live_server.url, "proveedor@example.com")
    page.goto(f"{live_server.url}/proveedores/ordenes/{order.pk}/")
    page.get_by_role("link", name="Facturar esta orden").click()
    page.get_by_label("Factura electrónica argentina: su PDF con el código QR de AFIP").check()
    page.get_by_label("PDF de la factura").set_input_files(str(voucher))
    page.get_by_label("Cantidad facturada, línea 1").fill("50")
    page.get_by_label("Cantidad facturada, línea 2").fill("1")
    assert_accessible(page)
    page.get_by_role("button", name="Enviar la factura").click()

    expect(page.locator(".messages")).to_contain_text("Factura 00003-00001234 recibida")
    assert_accessible(page)
    invoice = Invoice.objects.get()
    assert (invoice.afip_cae, invoice.payable_total) == ("75123456789012", Decimal("423500"))
