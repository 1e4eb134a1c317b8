"""A supplier opens the statement of account from the portal's tabs, sees the balance and
the ageing of what is unpaid, and downloads it as CSV."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from suppliers.models import Invoice
from suppliers.services import intake
from tests.browser.test_procedure_flow import log_in
from tests.suppliers import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supplier_reads_and_downloads_its_statement(live_server, browser, assert_accessible):
    buyer = factories.employee("compras@example.com", "purchasing", code="compras")
    supplier, user = factories.supplier(email="proveedor@example.com", name="Proveedora SA")
    po = factories.order(
        supplier, buyer, [factories.line("Mantenimiento", 1, "100000", kind="service")]
    )
    invoice = intake.submit_manual(
        supplier=supplier,
        user=user,
        pdf=factories.pdf(),
        header=intake.ManualHeader(
            kind="invoice",
            number="0003-00000077",
            issue_date=date(2025, 3, 3),
            due_date=None,
            net_total=Decimal("100000.00"),
            tax_total=Decimal("21000.00"),
            total=Decimal("121000.00"),
        ),
        purchase_order=po,
        lines=[intake.LineEntry(po_line=po.lines.get(), quantity=Decimal(1))],
    )
    # Issued 40 days ago, for the ageing.
    Invoice.objects.filter(pk=invoice.pk).update(
        issue_date=timezone.localdate() - timedelta(days=40)
    )

    page = browser.new_context(locale="es-AR", accept_downloads=True).new_page()
    log_in(page, live_server.url, "proveedor@example.com")
    page.goto(f"{live_server.url}/proveedores/")
    page.get_by_role("link", name="Estado de cuenta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Estado de cuenta")
    expect(page.locator("main .balance")).to_have_text("$\xa0121.000,00")
    ageing = page.locator("main table.ageing")
    expect(ageing.locator("th").nth(1)).to_have_text("31-60 días")
    expect(ageing.locator("td").nth(1)).to_have_text("$\xa0121.000,00")
    expect(page.locator("main table.statement")).to_contain_text("0003-00000077")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar el estado de cuenta completo (CSV)").click()
    rows = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "Fecha;Tipo;Documento;Detalle;Importe;Saldo"
    assert rows[1].endswith(";121000,00;121000,00")
