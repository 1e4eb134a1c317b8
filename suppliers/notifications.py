"""E-mails of the supplier portal: invitations, and what happens to a supplier's invoices.

Invoice e-mails go to the supplier's notice address after the change commits
(``core.outbox``), in Spanish: held (with each reason in plain words), returned (with
accounts payable's message) and approved. Payment e-mails, with the remittance, are sent
by ``payables``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core import outbox

from .models import Invoice, InvoiceEvent, InvoiceHold, SupplierInvitation

INVOICE_EMAIL = "suppliers.invoice_email"
EVENTS = ("held", "returned", "approved")
# Holds that say only that AFIP has not answered yet: no e-mail for those alone.
QUIET_HOLDS = {("afip", "pending"), ("afip", "unavailable")}


def register() -> None:
    outbox.register(INVOICE_EMAIL, send_invoice_email)


def send_invitation(invitation: SupplierInvitation) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse("suppliers:invitation", args=[invitation.token])
    with translation.override("es"):
        body = render_to_string(
            "suppliers/email/invitation.txt",
            {
                "invitation": invitation,
                "link": link,
                "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
            },
        )
        subject = f"{settings.MUNICIPALITY_NAME}: invitación al portal de proveedores"
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def notify(invoice: Invoice, event: str) -> None:
    """Queue the e-mail about ``event`` (inside the transaction of the change)."""
    if event == "held":
        holds = invoice.holds.filter(released_at__isnull=True)
        if all((hold.code, hold.params.get("check")) in QUIET_HOLDS for hold in holds):
            return
    outbox.enqueue(INVOICE_EMAIL, {"invoice_id": invoice.pk, "event": event}, subject=invoice)


def invoice_email(invoice: Invoice, event: str) -> tuple[str, str]:
    """(subject, body) in Spanish."""
    with translation.override("es"):
        document = _("Credit note") if invoice.kind == Invoice.Kind.CREDIT_NOTE else _("Invoice")
        reasons = [
            hold.explanation
            for hold in InvoiceHold.objects.filter(invoice=invoice, released_at__isnull=True)
        ]
        message = invoice.events.filter(kind=InvoiceEvent.Kind.RETURNED).order_by("-at").first()
        subjects = {
            "held": _("%(document)s %(number)s is on hold"),
            "returned": _("%(document)s %(number)s was returned to you"),
            "approved": _("%(document)s %(number)s was approved for payment"),
        }
        subject = f"{settings.MUNICIPALITY_NAME}: " + subjects[event] % {
            "document": document,
            "number": invoice.number,
        }
        body = render_to_string(
            "suppliers/email/invoice_event.txt",
            {
                "invoice": invoice,
                "document": document,
                "event": event,
                "reasons": reasons,
                "message": message.message if message and event == "returned" else "",
                "link": settings.SITE_URL.rstrip("/")
                + reverse("suppliers:invoice", args=[invoice.pk]),
                "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
            },
        )
    return subject, body


def send_invoice_email(*, invoice_id: int, event: str) -> None:
    invoice = Invoice.objects.select_related("supplier").get(pk=invoice_id)
    subject, body = invoice_email(invoice, event)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invoice.supplier.email])
