"""A supplier submits an invoice: read it, check it against the supplier and the order,
store it, match it and hand it to accounts payable, or refuse it and store nothing.

Three ways in: a structured invoice (UBL, CII or Factur-X), an Argentine electronic
invoice's QR with the order lines it bills, or header and lines typed by hand. Each
refusal is an ``InvoiceRejected`` whose code the page translates and whose detail
names the values involved.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import audit, storage
from core.identifiers import is_valid_cuit

from .. import notifications
from ..einvoice import (
    InvoiceRejected,
    ParsedInvoice,
    ParsedInvoiceLine,
    parse_afip_qr,
    parse_invoice_file,
)
from ..einvoice.afip_qr import VOUCHER_TYPES
from ..einvoice.qr_image import read_afip_qr_from_pdf
from ..einvoice.validation import TotalNames, validate_totals
from ..flows import InvoiceFlow
from ..models import (
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierTaxId,
)
from . import afip_check
from .matching import match_invoices
from .organisations import normalize_tax_id

CENT = Decimal("0.01")
MANUAL_TOTAL_NAMES = TotalNames(
    net="net total",
    allowances="allowances",
    charges="charges",
    tax_exclusive="net total",
    tax="VAT",
    tax_inclusive="total",
    prepaid="prepaid",
    rounding="rounding",
    payable="total",
)


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class LineEntry:
    """One order line billed by a QR or hand-entered invoice."""

    po_line: PurchaseOrderLine
    quantity: Decimal
    unit_price: Decimal | None = None
    """None: the order's price (the QR states no prices)."""


@dataclass(frozen=True)
class ManualHeader:
    kind: str
    number: str
    issue_date: date
    due_date: date | None
    net_total: Decimal
    tax_total: Decimal
    total: Decimal


def submit_structured(
    *,
    supplier: Supplier,
    user: User,
    pdf: IncomingFile,
    source: IncomingFile | None = None,
    purchase_order: PurchaseOrder | None = None,
) -> Invoice:
    """A Factur-X PDF alone, or any PDF with its UBL or CII XML."""
    carrier = source or pdf
    parsed = parse_invoice_file(carrier.content, filename=carrier.name)
    if parsed.format == "afip-qr":
        raise InvoiceRejected(
            "no-lines",
            "An AFIP QR link states no invoice lines: submit it with the order lines it bills.",
            _("Submit it from the purchase order, with the order lines it bills."),
        )
    return _store(
        supplier=supplier,
        user=user,
        parsed=parsed,
        pdf=pdf,
        source=source,
        purchase_order=purchase_order,
    )


def _lines_from_entries(entries: list[LineEntry]) -> tuple[ParsedInvoiceLine, ...]:
    lines = []
    for entry in entries:
        if entry.quantity <= 0:
            continue
        price = entry.po_line.unit_price if entry.unit_price is None else entry.unit_price
        lines.append(
            ParsedInvoiceLine(
                line_id=str(entry.po_line.line_number),
                description=entry.po_line.description,
                quantity=entry.quantity,
                unit_code=entry.po_line.unit,
                unit_price=price,
                net_amount=(entry.quantity * price).quantize(CENT),
                tax_rate=entry.po_line.tax_rate,
                po_line_reference=str(entry.po_line.line_number),
                seller_item_id=entry.po_line.item_code or None,
            )
        )
    if not lines:
        raise InvoiceRejected(
            "no-lines",
            "No order line has a quantity greater than zero.",
            _("Enter a quantity greater than zero on at least one line."),
        )
    return tuple(lines)


def submit_afip_qr(
    *,
    supplier: Supplier,
    user: User,
    pdf: IncomingFile,
    qr_text: str | None,
    purchase_order: PurchaseOrder,
    lines: list[LineEntry],
) -> Invoice:
    """An Argentine electronic invoice: its QR identifies and authorises the voucher and
    states the total; the supplier says which order lines (and quantities) it bills.

    The QR is read from the PDF unless the supplier gives its text (``qr_text``)."""
    parsed = parse_afip_qr(qr_text or read_afip_qr_from_pdf(pdf.content))
    invoice_lines = _lines_from_entries(lines)
    net = sum((line.net_amount for line in invoice_lines), Decimal(0))
    tax = sum(
        ((line.net_amount * (line.tax_rate or 0) / 100).quantize(CENT) for line in invoice_lines),
        Decimal(0),
    )
    parsed = dataclasses.replace(
        parsed,
        seller_name=supplier.legal_name,
        po_reference=purchase_order.number,
        net_total=net,
        tax_exclusive_total=net,
        tax_total=tax,
        lines=invoice_lines,
    )
    return _store(
        supplier=supplier, user=user, parsed=parsed, pdf=pdf, purchase_order=purchase_order
    )


def submit_manual(
    *,
    supplier: Supplier,
    user: User,
    pdf: IncomingFile,
    header: ManualHeader,
    purchase_order: PurchaseOrder,
    lines: list[LineEntry],
) -> Invoice:
    invoice_lines = _lines_from_entries(lines)
    parsed = ParsedInvoice(
        format="manual",
        document_kind="credit_note" if header.kind == Invoice.Kind.CREDIT_NOTE else "invoice",
        number=header.number.strip(),
        issue_date=header.issue_date,
        due_date=header.due_date,
        currency=purchase_order.currency,
        seller_name=supplier.legal_name,
        seller_tax_ids=(supplier.cuit,),
        buyer_name=settings.MUNICIPALITY_NAME,
        buyer_tax_ids=(),
        po_reference=purchase_order.number,
        net_total=header.net_total,
        allowance_total=Decimal(0),
        charge_total=Decimal(0),
        tax_exclusive_total=header.net_total,
        tax_total=header.tax_total,
        tax_inclusive_total=header.total,
        prepaid_total=Decimal(0),
        rounding_amount=Decimal(0),
        payable_total=header.total,
        lines=invoice_lines,
    )
    validate_totals(parsed, MANUAL_TOTAL_NAMES)
    return _store(
        supplier=supplier, user=user, parsed=parsed, pdf=pdf, purchase_order=purchase_order
    )


def voucher_key(parsed: ParsedInvoice) -> str:
    """The hard duplicate key, with the supplier: an AFIP voucher's type, point of sale and
    number; otherwise the document kind and number."""
    if parsed.afip is not None:
        voucher = parsed.afip
        return f"afip:{voucher.voucher_type}:{voucher.point_of_sale}:{voucher.voucher_number}"
    return f"{parsed.document_kind}:{parsed.number.strip().upper()}"


def _check_parties(supplier: Supplier, parsed: ParsedInvoice) -> None:
    if parsed.format != "manual":
        stated = {normalize_tax_id(value) for value in parsed.seller_tax_ids}
        known = set(SupplierTaxId.objects.filter(supplier=supplier).values_list("value", flat=True))
        if not stated & known:
            raise InvoiceRejected(
                "seller-mismatch",
                f"The invoice is issued by {', '.join(parsed.seller_tax_ids) or 'no tax id'}"
                f"{f' ({parsed.seller_name})' if parsed.seller_name else ''}, but you submit for "
                f"{supplier.legal_name}, CUIT {supplier.cuit}"
                f"{', '.join([''] + sorted(known - {supplier.cuit}))}.",
                _("It names %(ids)s; your organisation is CUIT %(cuit)s.")
                % {
                    "ids": ", ".join(parsed.seller_tax_ids) or _("no tax id"),
                    "cuit": supplier.cuit,
                },
            )
    ours = settings.MUNICIPALITY_CUIT
    buyer_cuits = {
        normalize_tax_id(value)
        for value in parsed.buyer_tax_ids
        if is_valid_cuit(normalize_tax_id(value))
    }
    if ours and buyer_cuits and ours not in buyer_cuits:
        raise InvoiceRejected(
            "buyer-mismatch",
            f"The invoice is addressed to CUIT {', '.join(sorted(buyer_cuits))}, "
            f"not to the municipality's CUIT {ours}.",
            _("It names the buyer's CUIT %(stated)s; the municipality's is %(ours)s.")
            % {"stated": ", ".join(sorted(buyer_cuits)), "ours": ours},
        )


# The letter a supplier must use towards a VAT-exempt buyer, by the supplier's condition:
# A and M go to VAT-registered buyers only.
LETTER_FOR_EXEMPT_BUYER = {
    Supplier.TaxCondition.REGISTERED: "B",
    Supplier.TaxCondition.MONOTRIBUTO: "C",
    Supplier.TaxCondition.EXEMPT: "C",
}


def _check_letter(supplier: Supplier, parsed: ParsedInvoice) -> None:
    if parsed.afip is None or not settings.MUNICIPALITY_VAT_EXEMPT:
        return
    name = VOUCHER_TYPES[parsed.afip.voucher_type].name
    expected = LETTER_FOR_EXEMPT_BUYER.get(supplier.tax_condition)
    if expected and name.split()[-1] != expected:
        raise InvoiceRejected(
            "wrong-letter",
            f"The voucher is a {name}, but the municipality is VAT exempt: "
            f"{supplier.get_tax_condition_display()} suppliers issue it letter {expected}.",
            _("The voucher is a %(name)s; issue a %(letter)s instead.")
            % {"name": name, "letter": expected},
        )


def _check_order(
    supplier: Supplier, parsed: ParsedInvoice, purchase_order: PurchaseOrder | None
) -> None:
    if purchase_order is None:
        return
    if purchase_order.supplier_id != supplier.pk:
        raise InvoiceRejected(
            "po-mismatch",
            f"Purchase order {purchase_order.number} is not one of your orders.",
            _("Purchase order %(number)s is not one of yours.") % {"number": purchase_order.number},
        )
    if parsed.po_reference and parsed.po_reference != purchase_order.number:
        raise InvoiceRejected(
            "po-mismatch",
            f"The invoice refers to purchase order {parsed.po_reference}, "
            f"but you chose {purchase_order.number}.",
            _("It refers to purchase order %(stated)s, but you chose %(chosen)s.")
            % {"stated": parsed.po_reference, "chosen": purchase_order.number},
        )


# What identifies the invoice and its lines is refused when longer than its column: a number
# cut short would be another invoice's number. Names and descriptions are only shortened.
INVOICE_IDENTIFIERS = {
    "number": "invoice number (BT-1)",
    "type_code": "type code (BT-3)",
    "currency": "currency (BT-5)",
    "po_reference": "purchase order reference (BT-13)",
}
LINE_IDENTIFIERS = {
    "line_id": "line identifier (BT-126)",
    "unit_code": "unit of measure (BT-130)",
    "po_line_reference": "purchase order line reference (BT-132)",
    "seller_item_id": "seller's item identifier (BT-155)",
}
INVOICE_AMOUNTS = (
    "net_total",
    "allowance_total",
    "charge_total",
    "tax_exclusive_total",
    "tax_total",
    "tax_inclusive_total",
    "prepaid_total",
    "payable_total",
)
LINE_NUMBERS = ("quantity", "unit_price", "net_amount", "tax_rate")


def _refuse_too_long(model, name: str, value: str | None, where: str) -> None:
    limit = model._meta.get_field(name).max_length
    if value and len(value) > limit:
        raise InvoiceRejected(
            "invalid-value",
            f"The {where} is {len(value)} characters long ({value[:30]}…); at most {limit} "
            "are accepted.",
            _("A value has %(length)s characters (%(start)s…); at most %(limit)s are accepted.")
            % {"length": len(value), "start": value[:30], "limit": limit},
        )


def _refuse_too_big(model, name: str, value: Decimal | None, where: str) -> None:
    field = model._meta.get_field(name)
    digits = field.max_digits - field.decimal_places
    if value is not None and value.is_finite() and abs(value) >= Decimal(10) ** digits:
        raise InvoiceRejected(
            "invalid-value",
            f"The {where} is {value}; at most {digits} digits before the decimal point are "
            "accepted.",
            _(
                "The number %(value)s is too large: at most %(digits)s digits before the decimal point."
            )
            % {"value": value, "digits": digits},
        )


def _check_columns(parsed: ParsedInvoice) -> None:
    """Refuse what would not fit its column, before anything is stored."""
    for name, meaning in INVOICE_IDENTIFIERS.items():
        _refuse_too_long(Invoice, name, getattr(parsed, name), meaning)
    for name in INVOICE_AMOUNTS:
        _refuse_too_big(Invoice, name, getattr(parsed, name), name.replace("_", " "))
    for position, line in enumerate(parsed.lines, 1):
        for name, meaning in LINE_IDENTIFIERS.items():
            _refuse_too_long(
                InvoiceLine, name, getattr(line, name), f"{meaning} of line {position}"
            )
        for name in LINE_NUMBERS:
            where = f"{name.replace('_', ' ')} of line {position}"
            _refuse_too_big(InvoiceLine, name, getattr(line, name), where)


def _duplicate_of(supplier: Supplier, key: str) -> Invoice | None:
    return (
        Invoice.objects.filter(supplier=supplier, voucher_key=key)
        .exclude(status=Invoice.Status.WITHDRAWN)
        .first()
    )


def _duplicate_rejection(parsed: ParsedInvoice, existing: Invoice) -> InvoiceRejected:
    return InvoiceRejected(
        "duplicate",
        f"{'Credit note' if existing.kind == Invoice.Kind.CREDIT_NOTE else 'Invoice'} "
        f"{parsed.number} was already submitted on {existing.submitted_at:%Y-%m-%d} "
        f"(reference {existing.pk}, status: {existing.status}).",
        _("%(number)s was submitted on %(date)s (status: %(status)s).")
        % {
            "number": parsed.number,
            "date": existing.submitted_at.strftime("%d/%m/%Y"),
            "status": existing.get_status_display(),
        },
    )


def _store(
    *,
    supplier: Supplier,
    user: User,
    parsed: ParsedInvoice,
    pdf: IncomingFile,
    source: IncomingFile | None = None,
    purchase_order: PurchaseOrder | None = None,
) -> Invoice:
    if supplier.status != Supplier.Status.ACTIVE:
        raise InvoiceRejected(
            "supplier-not-active",
            f"{supplier.legal_name} is {supplier.status}: invoices are accepted from "
            "verified suppliers only.",
            _("Its status is: %(status)s.") % {"status": supplier.get_status_display()},
        )
    if not parsed.lines:
        raise InvoiceRejected("no-lines", "The invoice has no lines.", _("It has no lines."))
    _check_columns(parsed)
    if parsed.issue_date > timezone.localdate():
        raise InvoiceRejected(
            "future-date",
            f"The invoice is dated {parsed.issue_date:%Y-%m-%d}, after today "
            f"({timezone.localdate():%Y-%m-%d}).",
            _("It is dated %(date)s, after today.")
            % {"date": parsed.issue_date.strftime("%d/%m/%Y")},
        )
    _check_parties(supplier, parsed)
    _check_letter(supplier, parsed)
    _check_order(supplier, parsed, purchase_order)
    key = voucher_key(parsed)
    with transaction.atomic():
        # One submission at a time per supplier: the duplicate check cannot race.
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        existing = _duplicate_of(supplier, key)
        if existing is not None:
            raise _duplicate_rejection(parsed, existing)
        afip = parsed.afip
        invoice = Invoice(
            supplier=supplier,
            purchase_order=purchase_order,
            po_proposed_from="supplier" if purchase_order else "",
            format=parsed.format,
            kind=parsed.document_kind,
            type_code=parsed.type_code or (str(afip.voucher_type) if afip else ""),
            number=parsed.number,
            voucher_key=key,
            issue_date=parsed.issue_date,
            due_date=parsed.due_date,
            currency=parsed.currency,
            seller_name=parsed.seller_name[:200],
            seller_tax_ids=list(parsed.seller_tax_ids),
            buyer_name=parsed.buyer_name[:200],
            buyer_tax_ids=list(parsed.buyer_tax_ids),
            po_reference=parsed.po_reference or "",
            net_total=parsed.net_total,
            allowance_total=parsed.allowance_total,
            charge_total=parsed.charge_total,
            tax_exclusive_total=parsed.tax_exclusive_total,
            tax_total=parsed.tax_total,
            tax_inclusive_total=parsed.tax_inclusive_total,
            prepaid_total=parsed.prepaid_total,
            payable_total=parsed.payable_total,
            afip_cae=afip.cae if afip else "",
            afip_cae_kind=afip.cae_kind if afip else "",
            # Never paid before AFIP confirms it: held until the check answers.
            afip_check=Invoice.AfipCheck.PENDING if afip else Invoice.AfipCheck.NOT_NEEDED,
            afip_voucher_type=afip.voucher_type if afip else None,
            afip_point_of_sale=afip.point_of_sale if afip else None,
            afip_voucher_number=afip.voucher_number if afip else None,
            token=secrets.token_hex(16),
            pdf_name=pdf.name[:200],
            source_name=source.name[:200] if source else "",
            status=Invoice.Status.ON_HOLD,
            submitted_by=user,
        )
        storage.save(invoice.pdf, pdf.name, ContentFile(pdf.content))
        if source is not None:
            storage.save(invoice.source, source.name, ContentFile(source.content))
        invoice.save()
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                position=position,
                line_id=line.line_id,
                description=line.description[:300],
                quantity=line.quantity,
                unit_code=line.unit_code or "",
                unit_price=line.unit_price.quantize(Decimal("0.0001")),
                net_amount=line.net_amount,
                tax_rate=line.tax_rate,
                po_line_reference=line.po_line_reference or "",
                seller_item_id=line.seller_item_id or "",
            )
            for position, line in enumerate(parsed.lines, 1)
        )
        InvoiceEvent.objects.create(invoice=invoice, kind=InvoiceEvent.Kind.SUBMITTED, actor=user)
        if afip is not None:
            afip_check.request_check(invoice)
        outcome = match_invoices([invoice.pk])[invoice.pk]
        invoice.refresh_from_db()
        if invoice.status == Invoice.Status.ON_HOLD:
            notifications.notify(invoice, "held")
        InvoiceFlow.start.run(invoice=invoice)
        audit.record(
            actor=user,
            action="invoice.submitted",
            obj=invoice,
            after={
                "supplier": supplier.cuit,
                "number": invoice.number,
                "format": invoice.format,
                "payable": str(invoice.payable_total),
                "currency": invoice.currency,
                "purchase_order": invoice.purchase_order.number if invoice.purchase_order else None,
                "status": outcome.status,
                "holds": [finding.code for finding in outcome.findings],
            },
        )
    return invoice
