"""Accounts payable on an invoice's review task, and the supplier's answer to a return.

Every action runs under the flow's lock through ``core.workflow`` (the task and the
invoice re-read under it) and refuses with a message what the task no longer allows,
so a double click or a stale page changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.models import Task

from accounts.models import User
from core import audit, workflow
from core.errors import ActionRefused

from .. import notifications
from ..flows import InvoiceFlow
from ..models import Invoice, InvoiceEvent, InvoiceHold, PurchaseOrder
from .matching import count_released, match_invoices, take_back


class Action:
    APPROVE = "approve"
    REMATCH = "rematch"
    RELEASE = "release"
    RETURN = "return"
    CHOICES = (APPROVE, REMATCH, RELEASE, RETURN)


AUDIT_ACTIONS = {
    Action.APPROVE: "invoice.approved",
    Action.RELEASE: "invoice.released",
    Action.RETURN: "invoice.returned",
}


NOT_ACCOUNTS_PAYABLE = gettext_lazy("You cannot act on supplier invoices.")


def _task_under_lock(task_id: int) -> AbstractContextManager[workflow.LockedTask[Invoice]]:
    return workflow.task_under_lock(task_id=task_id, flow_class=InvoiceFlow, subject_model=Invoice)


def claim(*, task_id: int, user: User) -> Task:
    with _task_under_lock(task_id) as locked:
        workflow.claim(locked, user=user, not_allowed=NOT_ACCOUNTS_PAYABLE)
    return locked.task


def release_task(*, task_id: int, user: User) -> Task:
    with _task_under_lock(task_id) as locked:
        workflow.release(locked, user=user)
    return locked.task


def decide(
    *,
    task_id: int,
    user: User,
    action: str,
    message: str = "",
    purchase_order: PurchaseOrder | None = None,
) -> Invoice:
    """approve a clean invoice; rematch (after fixing the cause, optionally against another
    order); release an invoice on hold with a reason; return it to the supplier with a
    message. Approve, release and return complete the task; rematch keeps it."""
    message = message.strip()
    if action not in Action.CHOICES:
        raise ActionRefused(_("Unknown action."))
    if action == Action.RELEASE and not message:
        raise ActionRefused(_("Write the reason for releasing the invoice despite its holds."))
    if action == Action.RETURN and not message:
        raise ActionRefused(_("Write a message for the supplier explaining what to fix."))
    with _task_under_lock(task_id) as locked:
        workflow.require_owner(locked, user=user)
        task, invoice = locked.task, locked.subject
        before = {"status": invoice.status}
        now = timezone.now()
        if action == Action.REMATCH:
            if purchase_order is not None and purchase_order.pk != invoice.purchase_order_id:
                if purchase_order.supplier_id != invoice.supplier_id:
                    raise ActionRefused(_("That order belongs to another supplier."))
                take_back(invoice)
                before["purchase_order"] = (
                    invoice.purchase_order.number if invoice.purchase_order else None
                )
                invoice.purchase_order = purchase_order
                invoice.po_proposed_from = "staff"
                invoice.save(update_fields=["purchase_order", "po_proposed_from"])
            outcome = match_invoices([invoice.pk])[invoice.pk]
            InvoiceEvent.objects.create(
                invoice=invoice,
                kind=InvoiceEvent.Kind.REMATCHED,
                actor=user,
                public=False,
                message=message,
            )
            audit.record(
                actor=user,
                action="invoice.rematched",
                obj=invoice,
                before=before,
                after={
                    "status": outcome.status,
                    "purchase_order": purchase_order.number if purchase_order else None,
                    "holds": [finding.code for finding in outcome.findings],
                },
            )
            invoice.refresh_from_db()
            return invoice
        open_holds = list(invoice.holds.filter(released_at__isnull=True))
        if action == Action.APPROVE:
            if invoice.status != Invoice.Status.MATCHED or open_holds:
                raise ActionRefused(
                    _("The invoice has holds: resolve them, or release it with a reason.")
                )
            Invoice.STATES.move(invoice, Invoice.Status.APPROVED)
            invoice.approved_by, invoice.approved_at = user, now
            InvoiceEvent.objects.create(
                invoice=invoice, kind=InvoiceEvent.Kind.APPROVED, actor=user, message=message
            )
        elif action == Action.RELEASE:
            if not open_holds:
                raise ActionRefused(_("The invoice has no holds: approve it instead."))
            if any(hold.code == InvoiceHold.Code.AFIP for hold in open_holds):
                raise ActionRefused(
                    _("AFIP has not confirmed this voucher: it cannot be released by hand.")
                )
            for hold in open_holds:
                hold.released_at, hold.released_by, hold.release_reason = now, user, message
            InvoiceHold.objects.bulk_update(
                open_holds, ["released_at", "released_by", "release_reason"]
            )
            count_released(invoice)
            Invoice.STATES.move(invoice, Invoice.Status.APPROVED)
            invoice.released = True
            invoice.approved_by, invoice.approved_at = user, now
            InvoiceEvent.objects.create(
                invoice=invoice,
                kind=InvoiceEvent.Kind.RELEASED,
                actor=user,
                public=False,
                message=message,
            )
            InvoiceEvent.objects.create(
                invoice=invoice, kind=InvoiceEvent.Kind.APPROVED, actor=user
            )
        else:
            take_back(invoice)
            Invoice.STATES.move(invoice, Invoice.Status.RETURNED)
            InvoiceEvent.objects.create(
                invoice=invoice, kind=InvoiceEvent.Kind.RETURNED, actor=user, message=message
            )
        invoice.save()
        notifications.notify(invoice, "returned" if action == Action.RETURN else "approved")
        audit.record(
            actor=user,
            action=AUDIT_ACTIONS[action],
            obj=invoice,
            before=before,
            after={
                "status": invoice.status,
                "message": message,
                "released_holds": [hold.code for hold in open_holds]
                if action == Action.RELEASE
                else [],
                "task": task.pk,
            },
        )
        workflow.complete(locked)
    return invoice


@contextmanager
def _returned_invoice(invoice: Invoice) -> Iterator[tuple[Invoice, Task]]:
    with workflow.flow_lock(InvoiceFlow, invoice.process_id):
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status != Invoice.Status.RETURNED:
            raise ActionRefused(_("This invoice is not waiting for your answer."))
        yield invoice, workflow.open_task(invoice.process_id, InvoiceFlow.await_supplier)


def supplier_reply(*, invoice: Invoice, user: User, message: str) -> Invoice:
    """The supplier answers a return; the invoice is matched again and goes back to review."""
    if not message.strip():
        raise ActionRefused(_("Write your answer."))
    with _returned_invoice(invoice) as (invoice, task):
        Invoice.STATES.move(invoice, Invoice.Status.ON_HOLD)
        invoice.save(update_fields=["status"])
        InvoiceEvent.objects.create(
            invoice=invoice, kind=InvoiceEvent.Kind.REPLIED, actor=user, message=message.strip()
        )
        outcome = match_invoices([invoice.pk])[invoice.pk]
        InvoiceFlow.await_supplier.run(task)
        audit.record(
            actor=user,
            action="invoice.supplier_replied",
            obj=invoice,
            before={"status": Invoice.Status.RETURNED},
            after={"status": outcome.status, "message": message.strip()},
        )
        invoice.refresh_from_db()
    return invoice


def withdraw(*, invoice: Invoice, user: User) -> Invoice:
    with _returned_invoice(invoice) as (invoice, task):
        Invoice.STATES.move(invoice, Invoice.Status.WITHDRAWN)
        invoice.save(update_fields=["status"])
        InvoiceEvent.objects.create(invoice=invoice, kind=InvoiceEvent.Kind.WITHDRAWN, actor=user)
        InvoiceFlow.await_supplier.run(task)
        audit.record(
            actor=user,
            action="invoice.withdrawn",
            obj=invoice,
            before={"status": Invoice.Status.RETURNED},
            after={"status": invoice.status},
        )
    return invoice


def add_note(*, invoice: Invoice, user: User, text: str) -> None:
    if not text.strip():
        raise ActionRefused(_("The note is empty."))
    with transaction.atomic():
        InvoiceEvent.objects.create(
            invoice=invoice,
            kind=InvoiceEvent.Kind.NOTE,
            actor=user,
            public=False,
            message=text.strip(),
        )
        audit.record(
            actor=user, action="invoice.note_added", obj=invoice, after={"note": text.strip()}
        )
