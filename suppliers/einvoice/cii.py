"""UN/CEFACT Cross Industry Invoice D16B (EN 16931 syntax binding) to ``ParsedInvoice``."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from lxml import etree

from .errors import InvoiceRejected
from .model import ParsedAllowanceCharge, ParsedInvoice, ParsedInvoiceLine, document_kind_for
from .validation import TotalNames, declared_or_listed, validate_totals
from .xml_reading import COMPACT_DATE, ElementReader, parse_xml, qualified_name, unit_price

CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
ROOT = (CII_NS, "CrossIndustryInvoice")
NAMESPACES = {
    "rsm": CII_NS,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
TOTAL_NAMES = TotalNames(
    net="LineTotalAmount",
    allowances="AllowanceTotalAmount",
    charges="ChargeTotalAmount",
    tax_exclusive="TaxBasisTotalAmount",
    tax="TaxTotalAmount",
    tax_inclusive="GrandTotalAmount",
    prepaid="TotalPrepaidAmount",
    rounding="RoundingAmount",
    payable="DuePayableAmount",
)
_DATE_FORMAT = "102"  # CCYYMMDD, the only format EN 16931 allows for dates
_PRICE = "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice"
_QUANTITY = "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"
_LINE_SETTLEMENT = "ram:SpecifiedLineTradeSettlement"


def parse_cii(data: bytes) -> ParsedInvoice:
    return parse_cii_root(parse_xml(data))


def parse_cii_root(root: etree._Element) -> ParsedInvoice:
    if qualified_name(root) != ROOT:
        raise InvoiceRejected(
            "unsupported-format",
            _("The root element %(root)s is not a CII invoice."),
            params={"root": root.tag},
        )
    doc = ElementReader(root, NAMESPACES, COMPACT_DATE)
    header = doc.require("rsm:ExchangedDocument", _("document header"))
    transaction = doc.require("rsm:SupplyChainTradeTransaction", _("trade transaction"))
    agreement = transaction.require("ram:ApplicableHeaderTradeAgreement", _("trade agreement"))
    settlement = transaction.require("ram:ApplicableHeaderTradeSettlement", _("trade settlement"))
    totals = settlement.require(
        "ram:SpecifiedTradeSettlementHeaderMonetarySummation", _("document totals, BG-22")
    )
    type_code = header.require_text("ram:TypeCode", _("document type code, BT-3"))
    currency = settlement.require_text("ram:InvoiceCurrencyCode", _("invoice currency, BT-5"))
    seller_name, seller_ids = _party(
        agreement, "ram:SellerTradeParty", _("seller party"), _("seller name, BT-27")
    )
    buyer_name, buyer_ids = _party(
        agreement, "ram:BuyerTradeParty", _("buyer party"), _("buyer name, BT-44")
    )
    allowance_charges = tuple(
        _allowance_charge(item)
        for item in settlement.find_all(
            "ram:SpecifiedTradeAllowanceCharge", "SpecifiedTradeAllowanceCharge"
        )
    ) + tuple(
        _logistics_charge(item)
        for item in settlement.find_all(
            "ram:SpecifiedLogisticsServiceCharge", "SpecifiedLogisticsServiceCharge"
        )
    )
    lines = tuple(
        _line(line)
        for line in transaction.find_all(
            "ram:IncludedSupplyChainTradeLineItem", "IncludedSupplyChainTradeLineItem"
        )
    )
    if not lines:
        raise InvoiceRejected(
            "missing-field",
            _("The document has no %(element)s."),
            params={"element": "ram:IncludedSupplyChainTradeLineItem"},
        )
    invoice = ParsedInvoice(
        format="cii",
        document_kind=document_kind_for(type_code),
        type_code=type_code,
        number=header.require_text("ram:ID", _("invoice number, BT-1")),
        issue_date=header.require_date(
            _date_string(header, "ram:IssueDateTime"), _("issue date, BT-2")
        ),
        due_date=settlement.date(
            _date_string(settlement, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime")
        ),
        currency=currency,
        seller_name=seller_name,
        seller_tax_ids=seller_ids,
        buyer_name=buyer_name,
        buyer_tax_ids=buyer_ids,
        po_reference=agreement.text("ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        net_total=totals.require_amount("ram:LineTotalAmount", _("sum of line amounts, BT-106")),
        allowance_total=declared_or_listed(
            totals.amount("ram:AllowanceTotalAmount"), allowance_charges, is_charge=False
        ),
        charge_total=declared_or_listed(
            totals.amount("ram:ChargeTotalAmount"), allowance_charges, is_charge=True
        ),
        tax_exclusive_total=totals.require_amount(
            "ram:TaxBasisTotalAmount", _("total without VAT, BT-109")
        ),
        tax_total=totals.amount_in_currency_or_zero("ram:TaxTotalAmount", currency),
        tax_inclusive_total=totals.require_amount(
            "ram:GrandTotalAmount", _("total with VAT, BT-112")
        ),
        prepaid_total=totals.amount_or_zero("ram:TotalPrepaidAmount"),
        rounding_amount=totals.amount_or_zero("ram:RoundingAmount"),
        payable_total=totals.require_amount("ram:DuePayableAmount", _("amount due, BT-115")),
        lines=lines,
        allowance_charges=allowance_charges,
    )
    validate_totals(invoice, TOTAL_NAMES)
    return invoice


def _date_string(reader: ElementReader, container: str) -> str:
    """Path of the date string inside ``container``, once its format is known to be 102."""
    path = f"{container}/udt:DateTimeString"
    date_format = reader.attribute(path, "format")
    if date_format not in (None, _DATE_FORMAT):
        raise InvoiceRejected(
            "invalid-value",
            _("%(where)s has format %(format)s; only 102 (CCYYMMDD) is allowed."),
            params={"where": reader.where(path), "format": repr(date_format)},
        )
    return path


def _party(
    agreement: ElementReader, path: str, party_meaning: Promise, name_meaning: Promise
) -> tuple[str, tuple[str, ...]]:
    party = agreement.require(path, party_meaning)
    name = party.require_text("ram:Name", name_meaning)
    # Monotributistas have no VAT number: their CUIT is the legal organisation id (BT-30).
    return name, party.texts("ram:SpecifiedTaxRegistration/ram:ID") + party.texts(
        "ram:SpecifiedLegalOrganization/ram:ID"
    )


def _allowance_charge(item: ElementReader) -> ParsedAllowanceCharge:
    return ParsedAllowanceCharge(
        is_charge=item.boolean("ram:ChargeIndicator/udt:Indicator", _("charge indicator")),
        amount=item.require_amount("ram:ActualAmount", _("allowance or charge amount")),
        reason=item.text("ram:Reason"),
        tax_rate=item.amount("ram:CategoryTradeTax/ram:RateApplicablePercent"),
    )


def _logistics_charge(item: ElementReader) -> ParsedAllowanceCharge:
    # Factur-X EXTENDED's logistics service charges (freight, packing: BT-X-271..273) are
    # document-level charges its ChargeTotalAmount includes.
    return ParsedAllowanceCharge(
        is_charge=True,
        amount=item.require_amount("ram:AppliedAmount", _("logistics service charge amount")),
        reason=item.text("ram:Description"),
        tax_rate=item.amount("ram:AppliedTradeTax/ram:RateApplicablePercent"),
    )


def _line(line: ElementReader) -> ParsedInvoiceLine:
    return ParsedInvoiceLine(
        line_id=line.require_text(
            "ram:AssociatedDocumentLineDocument/ram:LineID", _("line identifier, BT-126")
        ),
        description=line.require_text("ram:SpecifiedTradeProduct/ram:Name", _("item name, BT-153")),
        quantity=line.require_amount(_QUANTITY, _("invoiced quantity, BT-129")),
        unit_code=line.attribute(_QUANTITY, "unitCode"),
        unit_price=unit_price(line, f"{_PRICE}/ram:ChargeAmount", f"{_PRICE}/ram:BasisQuantity"),
        net_amount=line.require_amount(
            f"{_LINE_SETTLEMENT}/ram:SpecifiedTradeSettlementLineMonetarySummation"
            "/ram:LineTotalAmount",
            _("line net amount, BT-131"),
        ),
        tax_rate=line.amount(
            f"{_LINE_SETTLEMENT}/ram:ApplicableTradeTax/ram:RateApplicablePercent"
        ),
        po_line_reference=line.text(
            "ram:SpecifiedLineTradeAgreement/ram:BuyerOrderReferencedDocument/ram:LineID"
        ),
        seller_item_id=line.text("ram:SpecifiedTradeProduct/ram:SellerAssignedID"),
    )
