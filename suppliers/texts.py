"""What the portal says about refusals and holds, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .einvoice import InvoiceRejected

REJECTIONS = {
    "file-too-large": _("The file is too large."),
    "unsupported-format": _("The file is not a PDF, UBL or CII invoice."),
    "malformed-xml": _("The XML invoice is damaged (not well-formed XML)."),
    "not-pdf": _("The file is not a PDF."),
    "malformed-pdf": _("The PDF is damaged and cannot be read."),
    "no-embedded-xml": _(
        "The PDF carries no structured invoice: add its UBL or CII XML, or submit it from "
        "the purchase order as an Argentine electronic invoice or by typing it."
    ),
    "zugferd-1": _(
        "The invoice is in the old ZUGFeRD 1.0 format: export it as ZUGFeRD 2 / Factur-X "
        "or UBL from your invoicing software."
    ),
    "missing-field": _("The invoice lacks a required element."),
    "invalid-value": _("The invoice has a value that cannot be read."),
    "line-sum-mismatch": _("The invoice lines do not add up to its net total."),
    "totals-mismatch": _("The invoice totals do not add up."),
    "invalid-qr": _("The QR code's data is not valid."),
    "no-qr": _(
        "No AFIP QR code could be read on the PDF: upload the voucher's PDF as AFIP's "
        "system issued it, or paste the link of its QR code."
    ),
    "bad-cuit": _("The CUIT in the QR code is not valid."),
    "seller-mismatch": _(
        "The invoice is issued by another CUIT or tax id than your organisation's."
    ),
    "buyer-mismatch": _("The invoice is addressed to someone other than the municipality."),
    "po-mismatch": _("The invoice does not belong to the purchase order you chose."),
    "duplicate": _("You already submitted this invoice."),
    "supplier-not-active": _(
        "Your organisation is not verified yet: invoices are accepted once it is."
    ),
    "no-lines": _("The invoice bills no order line."),
    "future-date": _("The invoice is dated in the future."),
    "wrong-letter": _(
        "The voucher's letter is wrong for the municipality, which is VAT exempt: "
        "VAT-registered suppliers issue it a B, monotributistas and exempt suppliers a C."
    ),
}

HOLD_DETAILS = {
    "no_po": _("No purchase order of the supplier matches (reference: %(reference)s)."),
    "po_closed": _("Purchase order %(order)s is not open."),
    "currency": _("Invoiced in %(invoiced)s, ordered in %(ordered)s."),
    "no_po_line": _("“%(description)s” is on no line of the order."),
    "qty_ordered": _("Line %(line)s: %(invoiced)s invoiced in all, %(ordered)s ordered."),
    "qty_received": _("Line %(line)s: %(invoiced)s invoiced in all, %(received)s received."),
    "qty_invoiced": _("Line %(line)s: %(credited)s credited, only %(invoiced)s invoiced."),
    "price": _("Line %(line)s: unit price %(invoiced)s invoiced, %(ordered)s ordered."),
    "total": _("Total without VAT %(invoiced)s, %(expected)s at the order's prices."),
    "vat:rate": _("Line %(line)s: VAT %(invoiced)s %% invoiced, %(ordered)s %% ordered."),
    "vat:legal": _("Line %(line)s: VAT %(invoiced)s %% is not a legal rate (%(allowed)s)."),
    "vat:total": _("VAT %(invoiced)s, %(expected)s on the lines at the order's rates."),
    "date": _("Dated %(date)s, more than %(days)s days ago."),
    "afip:pending": _("Waiting for AFIP to confirm the voucher."),
    "afip:unavailable": _("AFIP did not answer: the voucher is checked again later."),
    "afip:observed": _("AFIP has observations on the voucher: %(message)s"),
    "afip:rejected": _("AFIP does not confirm the voucher: %(message)s"),
    "duplicate": _("Same date and amount as invoice %(number)s."),
    "bank_change": _("A change of bank account is waiting for approval."),
    "no_bank": _("The supplier has no approved bank account."),
}


def rejection_message(rejected: InvoiceRejected) -> str:
    return str(REJECTIONS.get(rejected.code, _("The invoice was refused.")))


def rejection_text(rejected: InvoiceRejected) -> str:
    """What the supplier reads: the refusal and its particulars in their language; the
    file parsers' particulars (which element of the file, which value) are labelled as
    technical, for the software that produced the file."""
    if rejected.explanation:
        return f"{rejection_message(rejected)} {rejected.explanation}"
    return f"{rejection_message(rejected)} " + str(
        _("Technical detail (for your invoicing software): %(detail)s")
        % {"detail": rejected.localized_detail()}
    )


def hold_explanation(code: str, params: dict) -> str:
    # One hold code can come from several checks, each with its own wording.
    template = HOLD_DETAILS.get(f"{code}:{params['check']}" if "check" in params else code)
    if template is None:
        return code
    try:
        return str(template) % {
            key: value or "—" for key, value in params.items() if key != "check"
        }
    except (KeyError, TypeError):
        return str(template).split("%(")[0].rstrip(" :(")
