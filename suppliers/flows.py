"""Accounts payable: what happens to a supplier invoice between upload and payment.

Matching (``suppliers.services.matching``) decides whether an invoice is clean or on
hold; the flow puts every invoice in front of accounts payable, who approve a clean one,
and resolve, release (with a reason) or return one on hold. A returned invoice waits for
the supplier's reply, then comes back, unless the supplier withdraws it:

    start -> review -> after_review -+-> approved (end)
                ^                    +-> await_supplier -> after_reply -+-> review
                |                                                        +-> withdrawn (end)
                +--------------------------------------------------------+

The pages are the portal's own (``suppliers.staff_views``); the services in
``suppliers.services.review`` drive the tasks under the flow's lock.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from .models import Invoice

ACCOUNTS_PAYABLE_PERMISSION = "suppliers.accounts_payable"


def _invoice(activation) -> Invoice:
    return activation.process.supplier_invoice


class InvoiceFlow(flow.Flow):
    process_title = _("Supplier invoice")
    process_description = _("Accounts payable review of a supplier invoice.")
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_invoice).Next(this.review)

    review = (
        flow.View("suppliers.staff_views.invoice_task")
        .Permission(ACCOUNTS_PAYABLE_PERMISSION)
        .Next(this.after_review)
    )

    after_review = (
        flow.Switch()
        .Case(this.await_supplier, lambda a: _invoice(a).status == Invoice.Status.RETURNED)
        .Default(this.approved)
    )

    await_supplier = flow.Handle().Next(this.after_reply)

    after_reply = (
        flow.Switch()
        .Case(this.withdrawn, lambda a: _invoice(a).status == Invoice.Status.WITHDRAWN)
        .Default(this.review)
    )

    approved = flow.End()
    withdrawn = flow.End()

    def start_invoice(self, activation, invoice: Invoice):
        activation.process.data = {"invoice": invoice.pk, "number": invoice.number}
        activation.process.save()
        invoice.process = activation.process
        invoice.save(update_fields=["process"])
        return activation.process
