"""Argentine invoices are confirmed with AFIP before they can be paid.

An invoice with a CAE/CAEA is stored "waiting for AFIP" (a hold), and a check is queued
(``core.outbox``). The check asks the chosen checker (``suppliers.afip``): approved lifts
the hold at the next matching; observed or rejected keeps it with AFIP's words; when AFIP
does not answer the invoice shows so and ``recheck_waiting`` (every few minutes) asks
again. An invoice is never approved unchecked: the AFIP hold cannot be released by hand.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit, outbox

from .. import notifications
from ..afip import AfipUnavailable, VoucherQuery, checker
from ..models import Invoice, InvoiceEvent
from .matching import MATCHABLE, match_invoices

log = logging.getLogger(__name__)
KIND = "suppliers.afip_check"
WAITING = (Invoice.AfipCheck.PENDING, Invoice.AfipCheck.UNAVAILABLE)
RESULTS = {
    "A": Invoice.AfipCheck.APPROVED,
    "O": Invoice.AfipCheck.OBSERVED,
    "R": Invoice.AfipCheck.REJECTED,
}
# An invoice AFIP did not answer for is asked about again after this long.
RETRY_AFTER = timedelta(minutes=5)


def register() -> None:
    outbox.register(KIND, check_invoice)


def request_check(invoice: Invoice) -> None:
    """Queue the check (inside the transaction that stores or re-checks the invoice)."""
    outbox.enqueue(KIND, {"invoice_id": invoice.pk}, subject=invoice)


def query_for(invoice: Invoice) -> VoucherQuery:
    return VoucherQuery(
        issuer_cuit=invoice.supplier.cuit,
        point_of_sale=invoice.afip_point_of_sale,
        voucher_type=invoice.afip_voucher_type,
        voucher_number=invoice.afip_voucher_number,
        issue_date=invoice.issue_date,
        total=invoice.tax_inclusive_total,
        authorization_code=invoice.afip_cae,
        authorization_kind=invoice.afip_cae_kind or "CAE",
        receiver_cuit=settings.MUNICIPALITY_CUIT,
    )


def check_invoice(*, invoice_id: int) -> str:
    """Ask AFIP about one waiting invoice and record the answer; idempotent."""
    invoice = Invoice.objects.select_related("supplier").filter(pk=invoice_id).first()
    if invoice is None or invoice.afip_check not in WAITING:
        return "not waiting"
    try:
        verdict = checker().verify(query_for(invoice))
        state, message = RESULTS.get(verdict.result, Invoice.AfipCheck.REJECTED), verdict.message
    except AfipUnavailable as exc:
        log.warning("AFIP did not answer for invoice %s: %s", invoice_id, exc)
        state, message = Invoice.AfipCheck.UNAVAILABLE, str(exc)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if invoice.afip_check not in WAITING:
            return "not waiting"
        before = invoice.afip_check
        invoice.afip_check, invoice.afip_message = state, message[:500]
        invoice.afip_checked_at = timezone.now()
        invoice.save(update_fields=["afip_check", "afip_message", "afip_checked_at"])
        if state != before:
            InvoiceEvent.objects.create(
                invoice=invoice,
                kind=InvoiceEvent.Kind.NOTE,
                public=state != Invoice.AfipCheck.UNAVAILABLE,
                message=f"AFIP: {invoice.get_afip_check_display()}. {message}".strip(),
            )
            audit.record(
                actor=None,
                action="invoice.afip_checked",
                obj=invoice,
                before={"afip_check": before},
                after={"afip_check": state, "message": message[:500]},
            )
        if invoice.status in MATCHABLE and not invoice.released:
            match_invoices([invoice.pk])
            if state in (Invoice.AfipCheck.OBSERVED, Invoice.AfipCheck.REJECTED):
                notifications.notify(invoice, "held")
    return state


def recheck_waiting() -> int:
    """Queue a new check for the invoices AFIP has not answered for; how many."""
    cutoff = timezone.now() - RETRY_AFTER
    count = 0
    waiting = Invoice.objects.filter(afip_check__in=WAITING).filter(
        Q(afip_checked_at__lt=cutoff) | Q(afip_checked_at__isnull=True, submitted_at__lt=cutoff)
    )
    with transaction.atomic():
        for invoice in waiting.only("pk"):
            request_check(invoice)
            count += 1
    return count
