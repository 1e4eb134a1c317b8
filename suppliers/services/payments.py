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


def _move(
    invoice_ids: Iterable[int],
    target: str,
    *,
    action: str,
    payment: str,
    actor: User,
    event: str = "",
    paid_on: date | None = None,
) -> list[Invoice]:
    invoices = list(
        Invoice.objects.select_for_update().filter(pk__in=list(invoice_ids)).order_by("pk")
    )
    before: dict[int, str] = {}
    for invoice in invoices:
        before[invoice.pk] = Invoice.STATES.move(
            invoice,
            target,
            refusal=_("Invoice %(number)s is %(status)s now: reload the page.")
            % {"number": invoice.number, "status": invoice.get_status_display()},
        )
        invoice.paid_on = paid_on or invoice.paid_on
    Invoice.objects.bulk_update(invoices, ["status", "paid_on"])
    if event:
        InvoiceEvent.objects.bulk_create(
            InvoiceEvent(invoice=invoice, kind=event, actor=actor) for invoice in invoices
        )
    for invoice in invoices:
        audit.record(
            actor=actor,
            action=action,
            obj=invoice,
            before={"status": before[invoice.pk]},
            after={
                "status": target,
                "payment": payment,
                **({"paid_on": paid_on.isoformat()} if paid_on else {}),
            },
        )
    return invoices


def put_in_payment(*, invoice_ids: Iterable[int], payment: str, actor: User) -> list[Invoice]:
    """Approved invoices go into the payment order ``payment`` (its reference)."""
    return _move(
        invoice_ids,
        Invoice.Status.IN_PAYMENT,
        action="invoice.in_payment",
        event=InvoiceEvent.Kind.IN_PAYMENT,
        payment=payment,
        actor=actor,
    )


def take_out_of_payment(*, invoice_ids: Iterable[int], payment: str, actor: User) -> list[Invoice]:
    """Their payment order was cancelled: the invoices wait, approved, for the next one."""
    return _move(
        invoice_ids,
        Invoice.Status.APPROVED,
        action="invoice.payment_cancelled",
        payment=payment,
        actor=actor,
    )


def mark_paid(
    *, invoice_ids: Iterable[int], paid_on: date, payment: str, actor: User
) -> list[Invoice]:
    """The bank transfer of their payment order went through on ``paid_on``."""
    return _move(
        invoice_ids,
        Invoice.Status.PAID,
        action="invoice.paid",
        event=InvoiceEvent.Kind.PAID,
        paid_on=paid_on,
        payment=payment,
        actor=actor,
    )
