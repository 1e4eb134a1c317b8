"""An exported batch is cancelled: its order waits, visibly, until two employees record
on the payments page that the bank did not pay it; only then can it be paid again."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from viewflow.workflow.models import Task

from core.identifiers import make_cbu
from payables import services as payments
from payables.models import PaymentOrder
from suppliers.flows import InvoiceFlow
from suppliers.services import intake, review
from tests.browser.test_supplier_payment import log_in_with_totp
from tests.suppliers import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_employees_record_that_the_bank_did_not_pay(
    live_server, browser, settings, assert_accessible
):
    settings.PAYABLES_DEBTOR_CBU = make_cbu("0110001", "0000000000123")
    buyer = factories.employee("compras@example.com", "purchasing", code="compras")
    clerk = factories.employee(
        "tesoreria@example.com", "accounts_payable", "approve_payment_batches", code="tesoreria"
    )
    second = factories.employee(
        "contaduria@example.com", "accounts_payable", "approve_payment_batches", code="contaduria"
    )
    sup, user = factories.supplier("71234567", name="Proveedora Cordobesa SA")
    po = factories.order(sup, buyer, [factories.line("Mantenimiento", 1, "100000", kind="service")])
    invoice = intake.submit_manual(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        header=intake.ManualHeader(
            kind="invoice",
            number="A-1",
            issue_date=timezone.localdate() - timedelta(days=10),
            due_date=None,
            net_total=Decimal("100000.00"),
            tax_total=Decimal("21000.00"),
            total=Decimal("121000.00"),
        ),
        purchase_order=po,
        lines=[intake.LineEntry(po_line=po.lines.get(), quantity=Decimal(1))],
    )
    task = Task.objects.get(process_id=invoice.process_id, flow_task=InvoiceFlow.review)
    review.claim(task_id=task.pk, user=clerk)
    review.decide(task_id=task.pk, user=clerk, action="approve")
    order = payments.prepare_orders(actor=clerk).orders[0]
    batch = payments.create_batch(
        order_ids=[order.pk], execution_date=timezone.localdate(), actor=factories.batch_creator()
    )
    payments.approve_batch(batch=batch, actor=clerk)
    payments.approve_batch(batch=batch, actor=second)
    payments.export_batch(batch=batch, actor=clerk)
    payments.cancel_batch(batch=batch, actor=clerk, reason="Archivo rechazado por error")
    base = live_server.url

    page = browser.new_context(locale="es-AR").new_page()
    log_in_with_totp(page, base, "tesoreria@example.com")
    page.goto(f"{base}/gestion/proveedores/pagos/")
    section = page.get_by_role("region", name="Enviadas al banco en un lote cancelado")
    expect(section).to_contain_text(order.reference)
    assert_accessible(page)
    section.get_by_label("¿Cómo sabés que el banco no la pagó?").fill("Nota del banco 12/3")
    section.get_by_role("button", name="Registrar que el banco no la pagó").click()
    expect(page.locator(".messages")).to_contain_text("otro agente debe confirmarlo")

    other = browser.new_context(locale="es-AR").new_page()
    log_in_with_totp(other, base, "contaduria@example.com")
    other.goto(f"{base}/gestion/proveedores/pagos/")
    expect(other.locator("main")).to_contain_text("Nota del banco 12/3")
    other.get_by_role("button", name="Confirmar que el banco no la pagó").click()
    expect(other.locator(".messages")).to_contain_text("la orden espera un nuevo lote")
    assert_accessible(other)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.OPEN
