"""Duplicate and excess payments: an internal "adjustment" case routed to treasury.

The payments app tells the case (``fees.CaseFees.overpaid``) that an order got more than
it owed; this opens an ``ajuste-pago-duplicado`` case in the payer's name, in the same
transaction, so treasury reviews it in its queue and refunds or credits the excess
(``payments.services.refund_payment`` / ``grant_credit``) before approving it.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from core import audit
from payments.models import Payment, PaymentOrder

from ..models import Case, CaseEvent, ProcedureVersion
from . import cases

log = logging.getLogger(__name__)

ADJUSTMENT_TYPE = "ajuste-pago-duplicado"


def open_adjustment(
    *, case: Case | None, order: PaymentOrder, payment: Payment, excess: Decimal
) -> Case | None:
    version = ProcedureVersion.objects.filter(
        procedure_type__code=ADJUSTMENT_TYPE, status=ProcedureVersion.Status.PUBLISHED
    ).first()
    if version is None:
        log.error(
            "no published %s type: payment %s needs a manual adjustment",
            ADJUSTMENT_TYPE,
            payment.pk,
        )
        return None
    adjustment = cases.start_draft(
        version=version, applicant=order.payer, filed_by=order.payer, channel=Case.Channel.INTERNAL
    )
    adjustment.answers = {
        "orden": order.external_reference,
        "pago": f"{payment.get_channel_display()} {payment.provider_payment_id}"[:140],
        "importe": str(excess),
        "expediente": (case.reference if case is not None else order.concept)[:200],
    }
    adjustment.save(update_fields=["answers"])
    adjustment = cases.submit(case=adjustment, actor=order.payer)
    if case is not None:
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.NOTE,
            message=f"Pago duplicado o en exceso: se abrió el ajuste {adjustment.reference}.",
        )
        audit.record(
            actor=None,
            action="case.payment_adjustment_opened",
            obj=case,
            after={"adjustment": adjustment.reference, "excess": str(excess)},
        )
    return adjustment
