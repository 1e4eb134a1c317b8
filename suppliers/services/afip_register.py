"""Suppliers are looked up in AFIP's taxpayer register at registration and before payment.

Registering queues a lookup (``core.outbox``); an employee can activate the supplier only
once the register found its CUIT active with the tax condition it declared. Payments are
prepared only for suppliers the register found active within
``SUPPLIERS_AFIP_REGISTER_MAX_AGE_HOURS``; for the others a lookup is queued and the
supplier waits, visibly. When AFIP does not answer the supplier shows so and
``recheck_registers`` (Celery beat) asks again: nobody is activated or paid unchecked.
Foreign suppliers are not in the register and are not looked up.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, outbox

from ..afip import AfipUnavailable, NotInRegister, taxpayer_register
from ..models import Invoice, Supplier

log = logging.getLogger(__name__)
KIND = "suppliers.afip_register"
RegisterCheck = Supplier.RegisterCheck
WAITING = (RegisterCheck.PENDING, RegisterCheck.UNAVAILABLE)
# A supplier AFIP did not answer for is asked about again after this long.
RETRY_AFTER = timedelta(minutes=5)


def register() -> None:
    outbox.register(KIND, lookup_supplier)


def applies_to(supplier: Supplier) -> bool:
    return supplier.tax_condition != Supplier.TaxCondition.FOREIGN


def request_lookup(supplier: Supplier) -> None:
    """Queue a lookup (inside the caller's transaction)."""
    if applies_to(supplier):
        outbox.enqueue(KIND, {"supplier_id": supplier.pk}, subject=supplier)


def is_current(supplier: Supplier) -> bool:
    """Whether the register found the supplier active recently enough to pay it."""
    if not applies_to(supplier):
        return True
    if supplier.afip_register != RegisterCheck.ACTIVE or supplier.afip_register_checked_at is None:
        return False
    age = timezone.now() - supplier.afip_register_checked_at
    return age <= timedelta(hours=settings.SUPPLIERS_AFIP_REGISTER_MAX_AGE_HOURS)


def waiting_reason(supplier: Supplier) -> str:
    """Why the supplier is not paid now, in the reader's language."""
    if supplier.afip_register == RegisterCheck.ACTIVE:
        return _("being looked up again in AFIP's taxpayer register")
    return _("AFIP's taxpayer register: %(state)s") % {
        "state": supplier.get_afip_register_display()
    }


def lookup_supplier(*, supplier_id: int) -> str:
    """Look the supplier up and record what the register says; idempotent."""
    supplier = Supplier.objects.filter(pk=supplier_id).first()
    if supplier is None or not applies_to(supplier):
        return "not applicable"
    condition = ""
    try:
        record = taxpayer_register().lookup(supplier.cuit)
    except NotInRegister as exc:
        state, message = RegisterCheck.NOT_FOUND, str(exc)
    except AfipUnavailable as exc:
        log.warning("AFIP's register did not answer for supplier %s: %s", supplier_id, exc)
        state, message = RegisterCheck.UNAVAILABLE, str(exc)
    else:
        condition = record.tax_condition or ""
        if not record.active:
            state = RegisterCheck.INACTIVE
            message = "; ".join((record.key_state, *record.errors))
        elif record.tax_condition and record.tax_condition != supplier.tax_condition:
            state = RegisterCheck.MISMATCH
            message = (
                f"AFIP's register: {record.tax_condition}; "
                f"declared by the supplier: {supplier.tax_condition}"
            )
        else:
            state, message = RegisterCheck.ACTIVE, record.name
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier_id)
        before = supplier.afip_register
        # An answer that AFIP is down does not erase what the register said before.
        keep_condition = state == RegisterCheck.UNAVAILABLE
        supplier.afip_register, supplier.afip_register_message = state, message[:500]
        supplier.afip_register_checked_at = timezone.now()
        if not keep_condition:
            supplier.afip_tax_condition = condition
        supplier.save(
            update_fields=[
                "afip_register",
                "afip_register_message",
                "afip_register_checked_at",
                "afip_tax_condition",
            ]
        )
        if state != before:
            audit.record(
                actor=None,
                action="supplier.afip_register_checked",
                obj=supplier,
                before={"afip_register": before},
                after={
                    "afip_register": state,
                    "tax_condition": supplier.afip_tax_condition,
                    "message": message[:500],
                },
            )
    return state


def recheck_registers() -> int:
    """Queue lookups for suppliers AFIP has not answered for, and for those with approved
    invoices whose last lookup is too old to pay them; how many."""
    now = timezone.now()
    retry = now - RETRY_AFTER
    stale = now - timedelta(hours=settings.SUPPLIERS_AFIP_REGISTER_MAX_AGE_HOURS)
    due = (
        Supplier.objects.exclude(tax_condition=Supplier.TaxCondition.FOREIGN)
        .filter(
            (
                Q(afip_register__in=WAITING)
                & (Q(afip_register_checked_at__isnull=True) | Q(afip_register_checked_at__lt=retry))
            )
            | (
                Q(invoices__status=Invoice.Status.APPROVED)
                & (Q(afip_register_checked_at__isnull=True) | Q(afip_register_checked_at__lt=stale))
            )
        )
        .distinct()
    )
    count = 0
    with transaction.atomic():
        for supplier in due.only("pk", "tax_condition"):
            request_lookup(supplier)
            count += 1
    return count
