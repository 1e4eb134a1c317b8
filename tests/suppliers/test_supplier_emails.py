"""Suppliers hear by e-mail, in Spanish, when an invoice is held, returned, approved and paid
(with the remittance: documents, withholdings, net)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from core import outbox
from core.models import OutboxItem
from payables import services as payments
from suppliers.services import intake, review

from . import factories
from .test_money_safety import exported  # noqa: F401 (fixture)
from .test_review_and_payment import review_task

pytestmark = pytest.mark.django_db


def run_outbox() -> None:
    for item in OutboxItem.objects.filter(done_at__isnull=True).order_by("pk"):
        outbox.run(item.pk)


def test_held_returned_and_approved_emails(buyer, clerk) -> None:
    sup, user = factories.supplier("71234567", name="Proveedora Cordobesa SA")
    po = factories.order(sup, buyer, [factories.line("Toner", 4, "80000.00", kind="service")])
    invoice = intake.submit_manual(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        header=intake.ManualHeader(
            kind="invoice",
            number="0003-00000077",
            issue_date=date(2025, 3, 3),
            due_date=None,
            net_total=Decimal("400000.00"),
            tax_total=Decimal("84000.00"),
            total=Decimal("484000.00"),
        ),
        purchase_order=po,
        lines=[intake.LineEntry(po_line=po.lines.get(), quantity=Decimal(5))],
    )
    run_outbox()
    assert [message.to for message in mail.outbox] == [[sup.email]]
    held = mail.outbox[0]
    assert held.subject.endswith("Factura 0003-00000077 está retenida")
    assert "- Línea 1: 5 facturado en total, 4 pedido." in held.body

    task = review_task(invoice)
    review.claim(task_id=task.pk, user=clerk)
    review.decide(task_id=task.pk, user=clerk, action="return", message="Facturen 4 unidades.")
    run_outbox()
    assert "Facturen 4 unidades." in mail.outbox[1].body
    assert mail.outbox[1].subject.endswith("Factura 0003-00000077 le fue devuelta")


def test_payment_email_carries_the_remittance(exported, clerk) -> None:  # noqa: F811
    order, batch = exported
    run_outbox()
    mail.outbox.clear()
    payments.confirm_paid(batch=batch, paid_on=timezone.localdate(), note="", actor=clerk)
    OutboxItem.objects.exclude(kind="payables.payment_email").update(done_at=timezone.now())
    run_outbox()
    paid = mail.outbox[-1]
    assert paid.subject.endswith(f"pago {order.reference}")
    body = " ".join(paid.body.split())
    assert "Factura A-1: $ 121.000,00" in body
    assert "Importe bruto: $ 121.000,00" in body
    assert "2 % de $ 32.830,00 = $ 656,60" in body
    assert "Importe neto transferido: $ 119.343,40" in body
    assert "/proveedores/cuenta/" in body  # the statement of account
