"""Structured invoice intake (UBL, CII, Factur-X) against the shared EN 16931 samples.

No sample is expected to be rejected: all 66 are consistent EN 16931 invoices, including
the ones with document-level allowances and charges, prepaid amounts and negative totals.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from suppliers.einvoice import (
    InvoiceRejected,
    ParsedAllowanceCharge,
    ParsedInvoice,
    parse_invoice_file,
)

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "einvoices"
SYNTAXES = {"UBL": ".ubl.xml", "CII": ".cii.xml", "FX": ".pdf"}
FORMATS = {"UBL": "ubl", "CII": "cii", "FX": "facturx"}
SAMPLE_FILES = sorted(
    path for folder in SYNTAXES for path in (SAMPLES / folder).glob(f"*{SYNTAXES[folder]}")
)
STEMS = sorted({path.name.removesuffix(SYNTAXES[path.parent.name]) for path in SAMPLE_FILES})


def sample(folder: str, stem: str) -> bytes:
    return (SAMPLES / folder / f"{stem}{SYNTAXES[folder]}").read_bytes()


def parse_sample(folder: str, stem: str) -> ParsedInvoice:
    return parse_invoice_file(sample(folder, stem), filename=f"{stem}{SYNTAXES[folder]}")


def totals(invoice: ParsedInvoice) -> dict[str, Decimal | None]:
    return {
        "net": invoice.net_total,
        "allowances": invoice.allowance_total,
        "charges": invoice.charge_total,
        "tax_exclusive": invoice.tax_exclusive_total,
        "tax": invoice.tax_total,
        "tax_inclusive": invoice.tax_inclusive_total,
        "prepaid": invoice.prepaid_total,
        "rounding": invoice.rounding_amount,
        "payable": invoice.payable_total,
    }


def rejection(data: bytes, filename: str | None = None, **kwargs: int) -> InvoiceRejected:
    with pytest.raises(InvoiceRejected) as caught:
        parse_invoice_file(data, filename, **kwargs)
    return caught.value


def pdf_with(attachments: dict[str, bytes]) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    for name, content in attachments.items():
        writer.add_attachment(name, content)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_all_66_samples_are_present() -> None:
    assert len(SAMPLE_FILES) == 66
    assert len(STEMS) == 22


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_sample_parses_with_consistent_totals(path: Path) -> None:
    invoice = parse_invoice_file(path.read_bytes(), filename=path.name)

    assert invoice.format == FORMATS[path.parent.name]
    assert invoice.number
    assert invoice.lines
    assert invoice.payable_total is not None
    assert invoice.net_total == sum(line.net_amount for line in invoice.lines)
    assert invoice.tax_exclusive_total == (
        invoice.net_total - invoice.allowance_total + invoice.charge_total
    )
    assert invoice.tax_total is not None
    assert invoice.tax_inclusive_total == invoice.tax_exclusive_total + invoice.tax_total
    assert invoice.payable_total == (
        invoice.tax_inclusive_total - invoice.prepaid_total + invoice.rounding_amount
    )
    json.dumps(invoice.to_json_dict())


@pytest.mark.parametrize("stem", STEMS)
def test_ubl_cii_and_facturx_versions_agree(stem: str) -> None:
    ubl, cii, facturx = (parse_sample(folder, stem) for folder in ("UBL", "CII", "FX"))

    for other in (cii, facturx):
        assert other.number == ubl.number
        assert other.issue_date == ubl.issue_date
        assert other.due_date == ubl.due_date
        assert other.document_kind == ubl.document_kind
        assert other.po_reference == ubl.po_reference
        assert other.seller_tax_ids == ubl.seller_tax_ids
        assert totals(other) == totals(ubl)
        assert [line.net_amount for line in other.lines] == [line.net_amount for line in ubl.lines]
        assert [line.unit_price for line in other.lines] == [line.unit_price for line in ubl.lines]
        assert other.allowance_charges == ubl.allowance_charges


@pytest.mark.parametrize("folder", SYNTAXES)
def test_einfach_exact_values(folder: str) -> None:
    invoice = parse_sample(folder, "EN16931_Einfach")

    assert invoice.number == "471102"
    assert invoice.issue_date == date(2018, 3, 5)
    assert invoice.due_date is None
    assert invoice.currency == "EUR"
    assert invoice.document_kind == "invoice"
    assert invoice.seller_name == "Lieferant GmbH"
    assert invoice.seller_tax_ids == ("201/113/40209", "DE123456789")
    assert invoice.buyer_name == "Kunden AG Mitte"
    assert invoice.po_reference is None
    assert invoice.tax_total == Decimal("56.87")
    assert invoice.payable_total == Decimal("529.87")
    assert len(invoice.lines) == 2
    first = invoice.lines[0]
    assert (first.line_id, first.description, first.seller_item_id) == (
        "1",
        "Trennblätter A4",
        "TB100A4",
    )
    assert (first.quantity, first.unit_code, first.unit_price) == (20, "H87", Decimal("9.9"))
    assert (first.net_amount, first.tax_rate) == (198, 19)


def test_due_date_is_read() -> None:
    assert parse_sample("UBL", "EN16931_Einfach_DueDate").due_date == date(2019, 3, 5)
    assert parse_sample("CII", "EN16931_Einfach_DueDate").due_date == date(2019, 3, 5)


@pytest.mark.parametrize("folder", SYNTAXES)
def test_two_partial_invoices_against_one_purchase_order(folder: str) -> None:
    first = parse_sample(folder, "EN16931_1_Teilrechnung")
    second = parse_sample(folder, "EN16931_2_Teilrechnung")

    assert first.po_reference == second.po_reference == "2018-471331"
    assert (first.number, second.number) == ("471102", "471113")
    assert totals(first) == {
        "net": Decimal("180.76"),
        "allowances": Decimal("9.07"),
        "charges": Decimal("5.80"),
        "tax_exclusive": Decimal("177.49"),
        "tax": Decimal("20.16"),
        "tax_inclusive": Decimal("197.65"),
        "prepaid": Decimal("50"),
        "rounding": Decimal("0"),
        "payable": Decimal("147.65"),
    }
    assert [line.seller_item_id for line in first.lines] == ["KR3M", "SFK5", "GTRWA5", "PFA5"]
    assert (second.net_total, second.tax_total, second.payable_total) == (
        22,
        Decimal("1.54"),
        Decimal("23.54"),
    )
    assert [(line.seller_item_id, line.quantity) for line in second.lines] == [("SFK5", 4)]


@pytest.mark.parametrize("folder", SYNTAXES)
def test_rabatte_models_document_allowances_and_charges(folder: str) -> None:
    invoice = parse_sample(folder, "EN16931_Rabatte")

    assert invoice.po_reference == "2013-471331"
    assert invoice.allowance_charges == (
        ParsedAllowanceCharge(False, Decimal("1"), "Sondernachlass", Decimal("19")),
        ParsedAllowanceCharge(False, Decimal("13.73"), "Sondernachlass", Decimal("7")),
        ParsedAllowanceCharge(True, Decimal("5.8"), "Versandkosten", Decimal("7")),
    )
    assert (invoice.net_total, invoice.allowance_total, invoice.charge_total) == (
        Decimal("202.70"),
        Decimal("14.73"),
        Decimal("5.80"),
    )
    assert invoice.tax_exclusive_total == Decimal("193.77")
    assert (invoice.prepaid_total, invoice.payable_total) == (50, Decimal("165.07"))
    # The line's net price already has the price discount (4.00 - 0.6667) applied.
    assert invoice.lines[0].unit_price == Decimal("3.3333")
    assert invoice.lines[0].net_amount == 10


@pytest.mark.parametrize("folder", SYNTAXES)
def test_gutschrift_is_a_self_billed_invoice_not_a_credit_note(folder: str) -> None:
    # German "Gutschrift" here is UNTDID 1001 code 389: the buyer bills itself and pays.
    invoice = parse_sample(folder, "EN16931_Gutschrift")

    assert (invoice.type_code, invoice.document_kind) == ("389", "invoice")
    assert invoice.payable_total == Decimal("529.87")


def test_ubl_credit_note_root_keeps_positive_amounts() -> None:
    data = (
        sample("UBL", "EN16931_Gutschrift")
        .replace(b"<Invoice xmlns=", b"<CreditNote xmlns=")
        .replace(b"</Invoice>", b"</CreditNote>")
        .replace(b"xsd:Invoice-2", b"xsd:CreditNote-2")
        .replace(
            b"<cbc:InvoiceTypeCode>389</cbc:InvoiceTypeCode>",
            b"<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>",
        )
        .replace(b"cac:InvoiceLine>", b"cac:CreditNoteLine>")
        .replace(b"cbc:InvoicedQuantity", b"cbc:CreditedQuantity")
    )
    invoice = parse_invoice_file(data)

    assert (invoice.format, invoice.document_kind, invoice.type_code) == (
        "ubl",
        "credit_note",
        "381",
    )
    assert invoice.payable_total == Decimal("529.87")
    assert [line.quantity for line in invoice.lines] == [20, 50]


def test_cii_type_code_381_is_a_credit_note() -> None:
    data = sample("CII", "EN16931_Einfach").replace(
        b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:TypeCode>381</ram:TypeCode>"
    )
    invoice = parse_invoice_file(data)

    assert invoice.document_kind == "credit_note"
    assert invoice.payable_total == Decimal("529.87")


def test_corrected_invoice_keeps_its_negative_amounts() -> None:
    invoice = parse_sample("UBL", "EN16931_Rechnungskorrektur")

    assert (invoice.type_code, invoice.document_kind) == ("384", "invoice")
    assert (invoice.allowance_total, invoice.payable_total) == (Decimal("-0.23"), Decimal("-8.79"))


def test_price_base_quantity_is_divided_out() -> None:
    data = sample("UBL", "EN16931_Einfach").replace(
        b'<cbc:PriceAmount currencyID="EUR">9.9</cbc:PriceAmount>',
        b'<cbc:PriceAmount currencyID="EUR">99</cbc:PriceAmount>'
        b'<cbc:BaseQuantity unitCode="H87">10</cbc:BaseQuantity>',
    )
    assert parse_invoice_file(data).lines[0].unit_price == Decimal("9.9")


def test_json_output() -> None:
    output = parse_sample("CII", "EN16931_Rabatte").to_json_dict()

    assert json.loads(json.dumps(output)) == output
    assert output["number"] == "471102"
    assert output["issue_date"] == "2018-06-05"
    assert output["seller"] == {"name": "Lieferant GmbH", "ids": ["201/113/40209", "DE123456789"]}
    assert output["totals"]["payable"] == "165.07"
    assert output["totals"]["allowances"] == "14.73"
    assert output["lines"][0]["unit_price"] == "3.3333"
    assert (output["format"], output["document_kind"]) == ("cii", "invoice")


# --- rejections -------------------------------------------------------------------------


@pytest.fixture
def ubl_einfach() -> bytes:
    return sample("UBL", "EN16931_Einfach")


def test_truncated_xml_is_malformed(ubl_einfach: bytes) -> None:
    assert rejection(ubl_einfach[:2000]).code == "malformed-xml"


def test_xxe_payload_is_rejected_not_expanded() -> None:
    payload = (
        b'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
        b"<ID>&xxe;</ID></Invoice>"
    )
    rejected = rejection(payload)

    assert rejected.code == "malformed-xml"
    assert "DOCTYPE" in rejected.detail
    assert "root:" not in rejected.detail


def test_billion_laughs_is_rejected() -> None:
    entities = b"".join(
        b'<!ENTITY lol%d "%s">' % (level, b"&lol%d;" % (level - 1) * 10) for level in range(1, 10)
    )
    payload = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">' + entities + b"]>"
        b"<lolz>&lol9;</lolz>"
    )
    assert rejection(payload).code == "malformed-xml"


def test_foreign_xml_root_is_named() -> None:
    rejected = rejection(b'<catalog xmlns="urn:example:catalog"><item/></catalog>')

    assert rejected.code == "unsupported-format"
    assert "{urn:example:catalog}catalog" in rejected.detail


def test_pdf_without_embedded_invoice() -> None:
    rejected = rejection(pdf_with({"notes.xml": b"<notes/>"}), "invoice.pdf")

    assert rejected.code == "no-embedded-xml"
    assert "notes.xml" in rejected.detail
    assert rejection(pdf_with({})).code == "no-embedded-xml"


def test_embedded_xml_goes_through_the_hardened_parser() -> None:
    payload = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    rejected = rejection(pdf_with({"factur-x.xml": payload}))

    assert rejected.code == "malformed-xml"
    assert rejected.detail.startswith("Embedded file factur-x.xml:")


def test_embedded_invoice_is_validated_too() -> None:
    tampered = sample("CII", "EN16931_Einfach").replace(b">198.00<", b">199.00<")
    rejected = rejection(pdf_with({"factur-x.xml": tampered}))

    assert rejected.code == "line-sum-mismatch"


def test_damaged_pdf() -> None:
    assert rejection(b"%PDF-1.7\n" + b"x" * 100).code == "malformed-pdf"


def test_text_file_named_pdf_is_not_a_pdf() -> None:
    rejected = rejection(b"Dear supplier, please pay.", "factura.pdf")

    assert rejected.code == "not-pdf"
    assert "factura.pdf" in rejected.detail


def test_filename_is_not_trusted(ubl_einfach: bytes) -> None:
    assert parse_invoice_file(ubl_einfach, "invoice.txt").format == "ubl"
    assert rejection(b"Dear supplier", "invoice.xml").code == "unsupported-format"


def test_altered_line_amount_breaks_the_line_sum(ubl_einfach: bytes) -> None:
    tampered = ubl_einfach.replace(
        b'<cbc:LineExtensionAmount currencyID="EUR">198</cbc:LineExtensionAmount>',
        b'<cbc:LineExtensionAmount currencyID="EUR">199</cbc:LineExtensionAmount>',
    )
    rejected = rejection(tampered)

    assert rejected.code == "line-sum-mismatch"
    assert rejected.detail == "The 2 line net amounts add up to 474 but LineExtensionAmount is 473."


def test_altered_total_names_the_formula(ubl_einfach: bytes) -> None:
    tampered = ubl_einfach.replace(
        b">529.87</cbc:TaxInclusiveAmount>", b">530.00</cbc:TaxInclusiveAmount>"
    )
    rejected = rejection(tampered)

    assert rejected.code == "totals-mismatch"
    assert rejected.detail == (
        "TaxExclusiveAmount 473 + TaxAmount 56.87 = 529.87 but TaxInclusiveAmount is 530.00."
    )


def test_one_cent_rounding_difference_is_tolerated(ubl_einfach: bytes) -> None:
    nudged = ubl_einfach.replace(
        b">529.87</cbc:TaxInclusiveAmount>", b">529.88</cbc:TaxInclusiveAmount>"
    )
    assert parse_invoice_file(nudged).tax_inclusive_total == Decimal("529.88")


def test_allowance_total_must_match_the_listed_allowances() -> None:
    tampered = sample("CII", "EN16931_Rabatte").replace(
        b"<ram:ActualAmount>13.73</ram:ActualAmount>", b"<ram:ActualAmount>3.73</ram:ActualAmount>"
    )
    rejected = rejection(tampered)

    assert rejected.code == "totals-mismatch"
    assert "allowances = 4.73 but AllowanceTotalAmount is 14.73" in rejected.detail


def test_missing_issue_date(ubl_einfach: bytes) -> None:
    rejected = rejection(ubl_einfach.replace(b"<cbc:IssueDate>2018-03-05</cbc:IssueDate>", b""))

    assert rejected.code == "missing-field"
    assert "cbc:IssueDate" in rejected.detail


def test_non_numeric_amount(ubl_einfach: bytes) -> None:
    rejected = rejection(
        ubl_einfach.replace(b">529.87</cbc:PayableAmount>", b">12,50</cbc:PayableAmount>")
    )

    assert rejected.code == "invalid-value"
    assert (
        rejected.detail
        == "cac:LegalMonetaryTotal/cbc:PayableAmount is '12,50', not a decimal number."
    )


def test_line_errors_name_the_line(ubl_einfach: bytes) -> None:
    tampered = ubl_einfach.replace(
        b'<cbc:InvoicedQuantity unitCode="H87">50</cbc:InvoicedQuantity>', b""
    )
    rejected = rejection(tampered)

    assert rejected.code == "missing-field"
    assert rejected.detail.startswith("InvoiceLine 2: cbc:InvoicedQuantity")


def test_oversize_input(ubl_einfach: bytes) -> None:
    assert rejection(ubl_einfach, max_bytes=1000).code == "file-too-large"
    assert rejection(b"<" + b" " * (10 * 1024 * 1024)).code == "file-too-large"


# --- property: generated documents round-trip exactly ----------------------------------

CENT = Decimal("0.01")


@dataclass(frozen=True)
class GeneratedLine:
    quantity: Decimal
    price: Decimal
    rate: Decimal

    @property
    def net(self) -> Decimal:
        return (self.quantity * self.price).quantize(CENT)


@dataclass(frozen=True)
class GeneratedInvoice:
    lines: list[GeneratedLine]
    allowance: Decimal
    charge: Decimal
    prepaid: Decimal

    @property
    def net(self) -> Decimal:
        return sum((line.net for line in self.lines), Decimal("0.00"))

    @property
    def tax_exclusive(self) -> Decimal:
        return self.net - self.allowance + self.charge

    @property
    def tax(self) -> Decimal:
        # Document-level allowance and charge carry the first line's rate.
        adjustment = (self.charge - self.allowance) * self.lines[0].rate / 100
        lines = sum((line.net * line.rate / 100 for line in self.lines), Decimal(0))
        return (lines + adjustment).quantize(CENT)

    @property
    def tax_inclusive(self) -> Decimal:
        return self.tax_exclusive + self.tax

    @property
    def payable(self) -> Decimal:
        return self.tax_inclusive - self.prepaid


def ubl_document(doc: GeneratedInvoice) -> bytes:
    def amount(tag: str, value: Decimal) -> str:
        return f'<cbc:{tag} currencyID="ARS">{value}</cbc:{tag}>'

    def allowance_charge(is_charge: bool, value: Decimal) -> str:
        return (
            f"<cac:AllowanceCharge><cbc:ChargeIndicator>{str(is_charge).lower()}"
            f"</cbc:ChargeIndicator>{amount('Amount', value)}</cac:AllowanceCharge>"
        )

    lines = "".join(
        f"<cac:InvoiceLine><cbc:ID>{number}</cbc:ID>"
        f'<cbc:InvoicedQuantity unitCode="C62">{line.quantity}</cbc:InvoicedQuantity>'
        f"{amount('LineExtensionAmount', line.net)}"
        f"<cac:Item><cbc:Name>Item {number}</cbc:Name><cac:ClassifiedTaxCategory>"
        f"<cbc:Percent>{line.rate}</cbc:Percent></cac:ClassifiedTaxCategory></cac:Item>"
        f"<cac:Price>{amount('PriceAmount', line.price)}</cac:Price></cac:InvoiceLine>"
        for number, line in enumerate(doc.lines, 1)
    )
    party = (
        "<cac:Party><cac:PartyTaxScheme><cbc:CompanyID>{id}</cbc:CompanyID></cac:PartyTaxScheme>"
        "<cac:PartyLegalEntity><cbc:RegistrationName>{name}</cbc:RegistrationName>"
        "</cac:PartyLegalEntity></cac:Party>"
    )
    return (
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
        'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
        'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
        "<cbc:ID>A-1</cbc:ID><cbc:IssueDate>2025-01-31</cbc:IssueDate>"
        "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"
        "<cbc:DocumentCurrencyCode>ARS</cbc:DocumentCurrencyCode>"
        "<cac:OrderReference><cbc:ID>OC-7</cbc:ID></cac:OrderReference>"
        "<cac:AccountingSupplierParty>"
        + party.format(id="30123456781", name="Proveedor SA")
        + "</cac:AccountingSupplierParty><cac:AccountingCustomerParty>"
        + party.format(id="30999999995", name="Municipalidad")
        + "</cac:AccountingCustomerParty>"
        + allowance_charge(False, doc.allowance)
        + allowance_charge(True, doc.charge)
        + f"<cac:TaxTotal>{amount('TaxAmount', doc.tax)}</cac:TaxTotal><cac:LegalMonetaryTotal>"
        + amount("LineExtensionAmount", doc.net)
        + amount("TaxExclusiveAmount", doc.tax_exclusive)
        + amount("TaxInclusiveAmount", doc.tax_inclusive)
        + amount("AllowanceTotalAmount", doc.allowance)
        + amount("ChargeTotalAmount", doc.charge)
        + amount("PrepaidAmount", doc.prepaid)
        + amount("PayableAmount", doc.payable)
        + "</cac:LegalMonetaryTotal>"
        + lines
        + "</Invoice>"
    ).encode()


def cii_document(doc: GeneratedInvoice) -> bytes:
    def allowance_charge(is_charge: bool, value: Decimal) -> str:
        return (
            "<ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>"
            f"{str(is_charge).lower()}</udt:Indicator></ram:ChargeIndicator>"
            f"<ram:ActualAmount>{value}</ram:ActualAmount></ram:SpecifiedTradeAllowanceCharge>"
        )

    lines = "".join(
        "<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument>"
        f"<ram:LineID>{number}</ram:LineID></ram:AssociatedDocumentLineDocument>"
        f"<ram:SpecifiedTradeProduct><ram:Name>Item {number}</ram:Name></ram:SpecifiedTradeProduct>"
        "<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice>"
        f"<ram:ChargeAmount>{line.price}</ram:ChargeAmount></ram:NetPriceProductTradePrice>"
        "</ram:SpecifiedLineTradeAgreement><ram:SpecifiedLineTradeDelivery>"
        f'<ram:BilledQuantity unitCode="C62">{line.quantity}</ram:BilledQuantity>'
        "</ram:SpecifiedLineTradeDelivery><ram:SpecifiedLineTradeSettlement>"
        "<ram:ApplicableTradeTax><ram:RateApplicablePercent>"
        f"{line.rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>"
        "<ram:SpecifiedTradeSettlementLineMonetarySummation>"
        f"<ram:LineTotalAmount>{line.net}</ram:LineTotalAmount>"
        "</ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>"
        "</ram:IncludedSupplyChainTradeLineItem>"
        for number, line in enumerate(doc.lines, 1)
    )
    party = (
        "<ram:{role}><ram:Name>{name}</ram:Name><ram:SpecifiedTaxRegistration>"
        '<ram:ID schemeID="VA">{id}</ram:ID></ram:SpecifiedTaxRegistration></ram:{role}>'
    )
    return (
        '<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:'
        'CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:'
        'ReusableAggregateBusinessInformationEntity:100" '
        'xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">'
        "<rsm:ExchangedDocument><ram:ID>A-1</ram:ID><ram:TypeCode>380</ram:TypeCode>"
        '<ram:IssueDateTime><udt:DateTimeString format="102">20250131</udt:DateTimeString>'
        "</ram:IssueDateTime></rsm:ExchangedDocument><rsm:SupplyChainTradeTransaction>"
        + lines
        + "<ram:ApplicableHeaderTradeAgreement>"
        + party.format(role="SellerTradeParty", name="Proveedor SA", id="30123456781")
        + party.format(role="BuyerTradeParty", name="Municipalidad", id="30999999995")
        + "<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>OC-7</ram:IssuerAssignedID>"
        "</ram:BuyerOrderReferencedDocument></ram:ApplicableHeaderTradeAgreement>"
        "<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>ARS</ram:InvoiceCurrencyCode>"
        + allowance_charge(False, doc.allowance)
        + allowance_charge(True, doc.charge)
        + "<ram:SpecifiedTradeSettlementHeaderMonetarySummation>"
        f"<ram:LineTotalAmount>{doc.net}</ram:LineTotalAmount>"
        f"<ram:ChargeTotalAmount>{doc.charge}</ram:ChargeTotalAmount>"
        f"<ram:AllowanceTotalAmount>{doc.allowance}</ram:AllowanceTotalAmount>"
        f"<ram:TaxBasisTotalAmount>{doc.tax_exclusive}</ram:TaxBasisTotalAmount>"
        f'<ram:TaxTotalAmount currencyID="ARS">{doc.tax}</ram:TaxTotalAmount>'
        f"<ram:GrandTotalAmount>{doc.tax_inclusive}</ram:GrandTotalAmount>"
        f"<ram:TotalPrepaidAmount>{doc.prepaid}</ram:TotalPrepaidAmount>"
        f"<ram:DuePayableAmount>{doc.payable}</ram:DuePayableAmount>"
        "</ram:SpecifiedTradeSettlementHeaderMonetarySummation>"
        "</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>"
        "</rsm:CrossIndustryInvoice>"
    ).encode()


def money(max_value: str) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(0), max_value=Decimal(max_value), places=2)


generated_lines = st.builds(
    GeneratedLine,
    quantity=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("10000"), places=3),
    price=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999"), places=4),
    rate=st.sampled_from([Decimal("0"), Decimal("10.5"), Decimal("21"), Decimal("27")]),
)
generated_invoices = st.builds(
    GeneratedInvoice,
    lines=st.lists(generated_lines, min_size=1, max_size=12),
    allowance=money("500"),
    charge=money("500"),
    prepaid=money("1000"),
)


@settings(max_examples=60, deadline=None)
@given(doc=generated_invoices, syntax=st.sampled_from(["ubl", "cii"]))
def test_generated_documents_round_trip_with_exact_totals(
    doc: GeneratedInvoice, syntax: str
) -> None:
    data = ubl_document(doc) if syntax == "ubl" else cii_document(doc)
    invoice = parse_invoice_file(data)

    assert invoice.format == syntax
    assert (invoice.number, invoice.po_reference, invoice.currency) == ("A-1", "OC-7", "ARS")
    assert invoice.seller_tax_ids == ("30123456781",)
    assert {name: str(value) for name, value in totals(invoice).items()} == {
        "net": str(doc.net),
        "allowances": str(doc.allowance),
        "charges": str(doc.charge),
        "tax_exclusive": str(doc.tax_exclusive),
        "tax": str(doc.tax),
        "tax_inclusive": str(doc.tax_inclusive),
        "prepaid": str(doc.prepaid),
        "rounding": "0",
        "payable": str(doc.payable),
    }
    assert [
        (line.quantity, line.unit_price, line.net_amount, line.tax_rate) for line in invoice.lines
    ] == [(line.quantity, line.price, line.net, line.rate) for line in doc.lines]


# --- Factur-X EXTENDED, ZUGFeRD 1.0 and damaged PDFs (issue 10, item 8) ------------------

EXTENDED_GUIDELINE = b"urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended"
LOGISTICS_CHARGE = b"""<ram:SpecifiedLogisticsServiceCharge>
        <ram:Description>Versandkosten</ram:Description>
        <ram:AppliedAmount>10.00</ram:AppliedAmount>
        <ram:AppliedTradeTax>
          <ram:TypeCode>VAT</ram:TypeCode>
          <ram:CategoryCode>S</ram:CategoryCode>
          <ram:RateApplicablePercent>19.00</ram:RateApplicablePercent>
        </ram:AppliedTradeTax>
      </ram:SpecifiedLogisticsServiceCharge>
      <ram:SpecifiedTradePaymentTerms>"""


def extended_with_logistics_charge() -> bytes:
    """EN16931_Einfach as an EXTENDED invoice with a 10.00 shipping charge at 19 %."""
    xml = sample("CII", "EN16931_Einfach")
    for old, new in (
        (b"urn:cen.eu:en16931:2017</ram:ID>", EXTENDED_GUIDELINE + b"</ram:ID>"),
        (b"<ram:SpecifiedTradePaymentTerms>", LOGISTICS_CHARGE),
        (b"<ram:CalculatedAmount>37.62<", b"<ram:CalculatedAmount>39.52<"),
        (b"<ram:BasisAmount>198.00<", b"<ram:BasisAmount>208.00<"),
        (b"<ram:ChargeTotalAmount>0.00<", b"<ram:ChargeTotalAmount>10.00<"),
        (b"<ram:TaxBasisTotalAmount>473.00<", b"<ram:TaxBasisTotalAmount>483.00<"),
        (b">56.87<", b">58.77<"),
        (b"<ram:GrandTotalAmount>529.87<", b"<ram:GrandTotalAmount>541.77<"),
        (b"<ram:DuePayableAmount>529.87<", b"<ram:DuePayableAmount>541.77<"),
    ):
        assert xml.count(old) == 1, old
        xml = xml.replace(old, new)
    return xml


def test_extended_logistics_service_charge_makes_the_totals_add_up() -> None:
    invoice = parse_invoice_file(pdf_with({"factur-x.xml": extended_with_logistics_charge()}))

    assert invoice.format == "facturx"
    assert invoice.charge_total == Decimal("10.00")
    assert invoice.allowance_charges == (
        ParsedAllowanceCharge(
            is_charge=True,
            amount=Decimal("10.00"),
            reason="Versandkosten",
            tax_rate=Decimal("19.00"),
        ),
    )
    assert invoice.tax_exclusive_total == Decimal("483.00")
    assert invoice.payable_total == Decimal("541.77")


def test_extended_charge_total_without_the_charge_is_refused() -> None:
    xml = extended_with_logistics_charge().replace(
        b"<ram:AppliedAmount>10.00<", b"<ram:AppliedAmount>12.00<"
    )
    rejected = rejection(pdf_with({"factur-x.xml": xml}))

    assert rejected.code == "totals-mismatch"
    assert "ChargeTotalAmount" in rejected.detail


ZUGFERD_1 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12">
  <rsm:HeaderExchangedDocument><ram:ID>471102</ram:ID></rsm:HeaderExchangedDocument>
</rsm:CrossIndustryDocument>"""


def test_zugferd_1_pdf_is_named_as_such() -> None:
    rejected = rejection(pdf_with({"ZUGFeRD-invoice.xml": ZUGFERD_1}), "rechnung.pdf")

    assert rejected.code == "zugferd-1"
    assert "ZUGFeRD 1.0" in rejected.detail
    assert rejection(ZUGFERD_1).code == "zugferd-1"


def test_pdf_cut_short_is_damaged_not_without_invoice() -> None:
    whole = sample("FX", "EN16931_Einfach")
    rejected = rejection(whole[: len(whole) - 2000], "EN16931_Einfach.pdf")

    assert rejected.code == "malformed-pdf"
    assert "cut short" in rejected.detail


def test_pdf_with_a_broken_cross_reference_table_is_damaged() -> None:
    whole = pdf_with({})
    position = whole.rindex(b"startxref")
    broken = whole[:position] + b"startxref\n12\n%%EOF\n"
    rejected = rejection(broken, "factura.pdf")

    assert rejected.code == "malformed-pdf"
    assert "cross-reference" in rejected.detail


def test_unreadable_pdf_says_so_without_the_library_message() -> None:
    rejected = rejection(b"%PDF-1.7\n" + b"x" * 100)

    assert rejected.code == "malformed-pdf"
    assert rejected.detail.startswith("The PDF is damaged")


def test_cii_cuit_given_only_as_the_legal_organisation_is_read() -> None:
    """A monotributista has no VAT number: its CUIT is the legal organisation id (BT-30)."""
    cuit = "20123456786"
    xml = sample("CII", "EN16931_Einfach")
    start = xml.index(b"<ram:SpecifiedTaxRegistration>")
    end = xml.index(b"</ram:SellerTradeParty>")
    xml = xml[:start] + xml[end:]
    xml = xml.replace(
        b"<ram:Name>Lieferant GmbH</ram:Name>",
        b"<ram:Name>Lieferant GmbH</ram:Name><ram:SpecifiedLegalOrganization>"
        + f'<ram:ID schemeID="0196">{cuit}</ram:ID>'.encode()
        + b"</ram:SpecifiedLegalOrganization>",
        1,
    )
    invoice = parse_invoice_file(xml)

    assert invoice.seller_tax_ids == (cuit,)
