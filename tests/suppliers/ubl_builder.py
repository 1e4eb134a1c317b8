"""A small UBL 2.1 invoice in pesos, written for the tests that need one amount changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Line:
    description: str
    quantity: str
    price: str
    rate: str = "21"


def ubl_invoice(
    *,
    seller_cuit: str,
    number: str,
    lines: list[Line],
    po_reference: str = "",
    issue_date: date = date(2025, 3, 3),
    tax_total: str | None = None,
    currency: str = "ARS",
    seller_id_in_legal_entity: bool = False,
) -> bytes:
    """Totals add up; the VAT total is the lines' VAT unless ``tax_total`` says otherwise."""
    nets = [Decimal(line.quantity) * Decimal(line.price) for line in lines]
    net = sum(nets, Decimal(0))
    tax = (
        Decimal(tax_total)
        if tax_total is not None
        else sum(
            (n * Decimal(line.rate) / 100 for n, line in zip(nets, lines, strict=True)),
            Decimal(0),
        ).quantize(Decimal("0.01"))
    )
    seller_tax = (
        f"<cac:PartyLegalEntity><cbc:RegistrationName>Proveedor</cbc:RegistrationName>"
        f"<cbc:CompanyID>{seller_cuit}</cbc:CompanyID></cac:PartyLegalEntity>"
        if seller_id_in_legal_entity
        else f"<cac:PartyTaxScheme><cbc:CompanyID>{seller_cuit}</cbc:CompanyID>"
        "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
        "<cac:PartyLegalEntity><cbc:RegistrationName>Proveedor</cbc:RegistrationName>"
        "</cac:PartyLegalEntity>"
    )
    body = "".join(
        f"""<cac:InvoiceLine><cbc:ID>{position}</cbc:ID>
<cbc:InvoicedQuantity unitCode="C62">{line.quantity}</cbc:InvoicedQuantity>
<cbc:LineExtensionAmount currencyID="{currency}">{n:.2f}</cbc:LineExtensionAmount>
<cac:Item><cbc:Name>{line.description}</cbc:Name>
<cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>{line.rate}</cbc:Percent>
<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>
<cac:Price><cbc:PriceAmount currencyID="{currency}">{line.price}</cbc:PriceAmount></cac:Price>
</cac:InvoiceLine>"""
        for position, (line, n) in enumerate(zip(lines, nets, strict=True), 1)
    )
    order = (
        f"<cac:OrderReference><cbc:ID>{po_reference}</cbc:ID></cac:OrderReference>"
        if po_reference
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
<cbc:ID>{number}</cbc:ID>
<cbc:IssueDate>{issue_date.isoformat()}</cbc:IssueDate>
<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
<cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>
{order}
<cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Proveedor</cbc:Name></cac:PartyName>
<cac:PostalAddress><cac:Country><cbc:IdentificationCode>AR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
{seller_tax}</cac:Party></cac:AccountingSupplierParty>
<cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Municipalidad</cbc:Name></cac:PartyName>
<cac:PostalAddress><cac:Country><cbc:IdentificationCode>AR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
<cac:PartyLegalEntity><cbc:RegistrationName>Municipalidad</cbc:RegistrationName></cac:PartyLegalEntity>
</cac:Party></cac:AccountingCustomerParty>
<cac:TaxTotal><cbc:TaxAmount currencyID="{currency}">{tax:.2f}</cbc:TaxAmount></cac:TaxTotal>
<cac:LegalMonetaryTotal>
<cbc:LineExtensionAmount currencyID="{currency}">{net:.2f}</cbc:LineExtensionAmount>
<cbc:TaxExclusiveAmount currencyID="{currency}">{net:.2f}</cbc:TaxExclusiveAmount>
<cbc:TaxInclusiveAmount currencyID="{currency}">{net + tax:.2f}</cbc:TaxInclusiveAmount>
<cbc:PayableAmount currencyID="{currency}">{net + tax:.2f}</cbc:PayableAmount>
</cac:LegalMonetaryTotal>
{body}
</Invoice>""".encode()
