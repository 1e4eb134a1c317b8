"""OASIS UBL 2.1 Invoice and CreditNote (EN 16931 syntax binding) to ``ParsedInvoice``."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from lxml import etree

from .errors import InvoiceRejected
from .model import ParsedAllowanceCharge, ParsedInvoice, ParsedInvoiceLine, document_kind_for
from .validation import TotalNames, declared_or_listed, validate_totals
from .xml_reading import ISO_DATE, ElementReader, parse_xml, qualified_name, unit_price

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
ROOTS = frozenset({(INVOICE_NS, "Invoice"), (CREDIT_NOTE_NS, "CreditNote")})
NAMESPACES = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
TOTAL_NAMES = TotalNames(
    net="LineExtensionAmount",
    allowances="AllowanceTotalAmount",
    charges="ChargeTotalAmount",
    tax_exclusive="TaxExclusiveAmount",
    tax="TaxAmount",
    tax_inclusive="TaxInclusiveAmount",
    prepaid="PrepaidAmount",
    rounding="PayableRoundingAmount",
    payable="PayableAmount",
)


def parse_ubl(data: bytes) -> ParsedInvoice:
    return parse_ubl_root(parse_xml(data))


def parse_ubl_root(root: etree._Element) -> ParsedInvoice:
    namespace, name = qualified_name(root)
    if (namespace, name) not in ROOTS:
        raise InvoiceRejected(
            "unsupported-format",
            _("The root element %(root)s is not a UBL invoice."),
            params={"root": root.tag},
        )
    is_credit_note = name == "CreditNote"
    doc = ElementReader(root, NAMESPACES, ISO_DATE)
    type_code = doc.require_text(f"cbc:{name}TypeCode", _("document type code, BT-3"))
    currency = doc.require_text("cbc:DocumentCurrencyCode", _("invoice currency, BT-5"))
    seller_name, seller_ids = _party(
        doc, "cac:AccountingSupplierParty", _("seller party"), _("seller name, BT-27")
    )
    buyer_name, buyer_ids = _party(
        doc, "cac:AccountingCustomerParty", _("buyer party"), _("buyer name, BT-44")
    )
    allowance_charges = tuple(
        _allowance_charge(item) for item in doc.find_all("cac:AllowanceCharge", "AllowanceCharge")
    )
    lines = tuple(
        _line(line, "cbc:CreditedQuantity" if is_credit_note else "cbc:InvoicedQuantity")
        for line in doc.find_all(f"cac:{name}Line", f"{name}Line")
    )
    if not lines:
        raise InvoiceRejected(
            "missing-field",
            _("The document has no %(element)s."),
            params={"element": f"cac:{name}Line"},
        )
    totals = doc.require("cac:LegalMonetaryTotal", _("document totals, BG-22"))
    invoice = ParsedInvoice(
        format="ubl",
        document_kind="credit_note" if is_credit_note else document_kind_for(type_code),
        type_code=type_code,
        number=doc.require_text("cbc:ID", _("invoice number, BT-1")),
        issue_date=doc.require_date("cbc:IssueDate", _("issue date, BT-2")),
        # A CreditNote has no cbc:DueDate; its due date lives in the payment means.
        due_date=doc.date("cbc:DueDate") or doc.date("cac:PaymentMeans/cbc:PaymentDueDate"),
        currency=currency,
        seller_name=seller_name,
        seller_tax_ids=seller_ids,
        buyer_name=buyer_name,
        buyer_tax_ids=buyer_ids,
        po_reference=doc.text("cac:OrderReference/cbc:ID"),
        net_total=totals.require_amount(
            "cbc:LineExtensionAmount", _("sum of line amounts, BT-106")
        ),
        allowance_total=declared_or_listed(
            totals.amount("cbc:AllowanceTotalAmount"), allowance_charges, is_charge=False
        ),
        charge_total=declared_or_listed(
            totals.amount("cbc:ChargeTotalAmount"), allowance_charges, is_charge=True
        ),
        tax_exclusive_total=totals.require_amount(
            "cbc:TaxExclusiveAmount", _("total without VAT, BT-109")
        ),
        tax_total=doc.amount_in_currency_or_zero("cac:TaxTotal/cbc:TaxAmount", currency),
        tax_inclusive_total=totals.require_amount(
            "cbc:TaxInclusiveAmount", _("total with VAT, BT-112")
        ),
        prepaid_total=totals.amount_or_zero("cbc:PrepaidAmount"),
        rounding_amount=totals.amount_or_zero("cbc:PayableRoundingAmount"),
        payable_total=totals.require_amount("cbc:PayableAmount", _("amount due, BT-115")),
        lines=lines,
        allowance_charges=allowance_charges,
    )
    validate_totals(invoice, TOTAL_NAMES)
    return invoice


def _party(
    doc: ElementReader, path: str, party_meaning: Promise, name_meaning: Promise
) -> tuple[str, tuple[str, ...]]:
    party = doc.require(f"{path}/cac:Party", party_meaning)
    # The legal name (BT-27/BT-44) is mandatory; trading-name-only parties are tolerated.
    name = party.text("cac:PartyLegalEntity/cbc:RegistrationName") or party.require_text(
        "cac:PartyName/cbc:Name", name_meaning
    )
    # Monotributistas have no VAT number: their CUIT is the legal registration (BT-30/BT-47).
    return name, party.texts("cac:PartyTaxScheme/cbc:CompanyID") + party.texts(
        "cac:PartyLegalEntity/cbc:CompanyID"
    )


def _allowance_charge(item: ElementReader) -> ParsedAllowanceCharge:
    return ParsedAllowanceCharge(
        is_charge=item.boolean("cbc:ChargeIndicator", _("allowance or charge indicator")),
        amount=item.require_amount("cbc:Amount", _("allowance or charge amount, BT-92/BT-99")),
        reason=item.text("cbc:AllowanceChargeReason"),
        tax_rate=item.amount("cac:TaxCategory/cbc:Percent"),
    )


def _line(line: ElementReader, quantity_path: str) -> ParsedInvoiceLine:
    return ParsedInvoiceLine(
        line_id=line.require_text("cbc:ID", _("line identifier, BT-126")),
        description=line.require_text("cac:Item/cbc:Name", _("item name, BT-153")),
        quantity=line.require_amount(quantity_path, _("invoiced quantity, BT-129")),
        unit_code=line.attribute(quantity_path, "unitCode"),
        unit_price=unit_price(line, "cac:Price/cbc:PriceAmount", "cac:Price/cbc:BaseQuantity"),
        net_amount=line.require_amount("cbc:LineExtensionAmount", _("line net amount, BT-131")),
        tax_rate=line.amount("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
        po_line_reference=line.text("cac:OrderLineReference/cbc:LineID"),
        seller_item_id=line.text("cac:Item/cac:SellersItemIdentification/cbc:ID"),
    )
