"""Invoices being paid: what payment orders (the payables app) do to suppliers' invoices.

The invoices are this app's: payables changes them only through these
functions, which lock the invoices, check each move against ``Invoice.STATES``
and write the invoice's timeline and audit trail in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext as _

from accounts.models import User
from core import audit

from ..models import Invoice, InvoiceEvent


def _locked(invoice_ids: Iterable[int], target: str) -> list[Invoice]:
    invoices = list(
        Invoice.objects.select_for_update().filter(pk__in=list(invoice_ids)).order_by("pk")
    )
    for invoice in invoices:
        Invoice.STATES.move(
            invoice,
            target,
            refusal=_("Invoice %(number)s is %(status)s now: reload the page.")
            % {"number": invoice.number, "status": invoice.get_status_display()},
        )
    return invoices


def _record(invoices: list[Invoice], *, action: str, before: str, actor: User, **after) -> None:
    for invoice in invoices:
        audit.record(
            actor=actor,
            action=action,
            obj=invoice,
            before={"status": before},
            after={"status": invoice.status, **after},
        )


def put_in_payment(*, invoice_ids: Iterable[int], payment: str, actor: User) -> list[Invoice]:
    """Approved invoices go into the payment order ``payment`` (its reference)."""
    invoices = _locked(invoice_ids, Invoice.Status.IN_PAYMENT)
    Invoice.objects.bulk_update(invoices, ["status"])
    InvoiceEvent.objects.bulk_create(
        InvoiceEvent(invoice=invoice, kind=InvoiceEvent.Kind.IN_PAYMENT, actor=actor)
        for invoice in invoices
    )
    _record(
        invoices,
        action="invoice.in_payment",
        before=Invoice.Status.APPROVED,
        actor=actor,
        payment=payment,
    )
    return invoices


def take_out_of_payment(*, invoice_ids: Iterable[int], payment: str, actor: User) -> list[Invoice]:
    """Their payment order was cancelled: the invoices wait, approved, for the next one."""
    invoices = _locked(invoice_ids, Invoice.Status.APPROVED)
    Invoice.objects.bulk_update(invoices, ["status"])
    _record(
        invoices,
        action="invoice.payment_cancelled",
        before=Invoice.Status.IN_PAYMENT,
        actor=actor,
        payment=payment,
    )
    return invoices


def mark_paid(
    *, invoice_ids: Iterable[int], paid_on: date, payment: str, actor: User
) -> list[Invoice]:
    """The bank transfer of their payment order went through on ``paid_on``."""
    invoices = _locked(invoice_ids, Invoice.Status.PAID)
    for invoice in invoices:
        invoice.paid_on = paid_on
    Invoice.objects.bulk_update(invoices, ["status", "paid_on"])
    InvoiceEvent.objects.bulk_create(
        InvoiceEvent(invoice=invoice, kind=InvoiceEvent.Kind.PAID, actor=actor)
        for invoice in invoices
    )
    _record(
        invoices,
        action="invoice.paid",
        before=Invoice.Status.IN_PAYMENT,
        actor=actor,
        payment=payment,
        paid_on=paid_on.isoformat(),
    )
    return invoices
