"""The payment e-mail: the supplier learns what was paid and how the amount is made up
(the remittance: invoices, credit notes, withholdings with their certificates, net)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core import outbox
from core.money import format_money
from suppliers.models import Invoice

from .models import PaymentOrder

PAYMENT_EMAIL = "payables.payment_email"


def register() -> None:
    outbox.register(PAYMENT_EMAIL, send_payment_email)


def notify_paid(order: PaymentOrder) -> None:
    outbox.enqueue(PAYMENT_EMAIL, {"order_id": order.pk}, subject=order)


def payment_email(order: PaymentOrder) -> tuple[str, str]:
    with translation.override("es"):
        documents = [
            {
                "kind": _("Credit note")
                if item.invoice.kind == Invoice.Kind.CREDIT_NOTE
                else _("Invoice"),
                "number": item.invoice.number,
                "amount": format_money(item.amount, order.currency),
                "link": settings.SITE_URL.rstrip("/")
                + reverse("suppliers:invoice", args=[item.invoice_id]),
            }
            for item in order.items.select_related("invoice").order_by("invoice__issue_date")
        ]
        withholdings = [
            {
                "description": row.description,
                "certificate": row.certificate_number,
                "base": format_money(row.taxable, order.currency),
                "rate": f"{row.rate.normalize():f}".replace(".", ","),
                "amount": format_money(row.amount, order.currency),
            }
            for row in order.withholdings.filter(amount__gt=0)
        ]
        subject = _("%(municipality)s: payment %(reference)s") % {
            "municipality": settings.MUNICIPALITY_NAME,
            "reference": order.reference,
        }
        body = render_to_string(
            "payables/email/paid.txt",
            {
                "order": order,
                "documents": documents,
                "withholdings": withholdings,
                "gross": format_money(order.gross_amount or order.amount, order.currency),
                "net": format_money(order.amount, order.currency),
                "statement_url": settings.SITE_URL.rstrip("/")
                + reverse("payables_portal:statement"),
                "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
            },
        )
    return subject, body


def send_payment_email(*, order_id: int) -> None:
    order = PaymentOrder.objects.select_related("supplier").get(pk=order_id)
    subject, body = payment_email(order)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [order.supplier.email])
