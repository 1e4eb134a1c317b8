"""Suppliers type amounts and quantities as Argentines write them ("121.000,00", "1,5")."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from suppliers.models import Invoice
from tests.browser.test_procedure_flow import log_in
from tests.suppliers import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTAL = re.compile(r"^Total:?$")  # not «Total neto»


def test_a_typed_invoice_takes_argentine_numbers(live_server, browser, settings, assert_accessible):
    settings.SUPPLIERS_INVOICE_MAX_AGE_DAYS = None  # the order is from 2025
    buyer = factories.employee("compras@example.com", "purchasing", code="compras")
    supplier, _user = factories.supplier(email="proveedor@example.com")
    order = factories.order(supplier, buyer, [factories.line("Sillas", "1.5", "40000")])
    pdf = {"name": "factura.pdf", "mimeType": "application/pdf", "buffer": factories.PDF_BYTES}

    page = browser.new_context(locale="es-AR").new_page()
    log_in(page, live_server.url, "proveedor@example.com")
    page.goto(f"{live_server.url}/proveedores/ordenes/{order.pk}/facturar/")
    page.get_by_label("Cargá el encabezado y las líneas de la factura").check()
    page.get_by_label("PDF de la factura").set_input_files(pdf)
    page.get_by_label("Documento").select_option("invoice")
    page.get_by_label("Número de factura").fill("0001-00000042")
    page.get_by_label("Fecha de emisión").fill("2025-03-01")
    page.get_by_label("Total neto").fill("60.000,00")
    page.get_by_label(re.compile(r"^IVA:?$")).fill("12.600")
    page.get_by_label(TOTAL).fill("72.600,0,0")
    page.get_by_label("Cantidad facturada, línea 1").fill("1,5")
    page.get_by_label("Precio unitario, línea 1").fill("$ 40.000,00")
    page.get_by_role("button", name="Enviar la factura").click()

    # The one unreadable number is named, with an example of the format; nothing is recorded.
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Escribí un número, por ejemplo 1.234,50")
    expect(summary.get_by_role("link")).to_have_count(1)
    assert not Invoice.objects.exists()
    # What was typed comes back as typed.
    expect(page.get_by_label("Total neto")).to_have_value("60.000,00")
    expect(page.get_by_label("Cantidad facturada, línea 1")).to_have_value("1,5")
    assert_accessible(page)

    summary.get_by_role("link").click()
    expect(page.get_by_label(TOTAL)).to_be_focused()
    page.get_by_label(TOTAL).fill("72.600,00")
    page.get_by_label("PDF de la factura").set_input_files(pdf)
    page.get_by_role("button", name="Enviar la factura").click()
    expect(page.locator(".messages")).to_contain_text("0001-00000042")

    invoice = Invoice.objects.get()
    assert (invoice.net_total, invoice.tax_total, invoice.payable_total) == (
        Decimal("60000.00"),
        Decimal("12600.00"),
        Decimal("72600.00"),
    )
    line = invoice.lines.get()
    assert (line.quantity, line.unit_price) == (Decimal("1.5"), Decimal("40000"))
    expect(page.locator("main")).to_contain_text("72.600,00")
