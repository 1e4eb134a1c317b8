"""What suppliers and employees read (issue 10, item 16): refusals in Spanish on Spanish
pages, no Python messages, credit notes called credit notes."""

from __future__ import annotations

import base64
import html
import json
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.identifiers import make_cuit
from suppliers.models import Invoice, PurchaseOrder
from suppliers.services import intake, purchasing, review

from . import factories
from .test_review_and_payment import review_task
from .ubl_builder import Line, ubl_invoice

pytestmark = pytest.mark.django_db


def errors_on(response) -> str:
    return " ".join(response.content.decode().split())


def test_a_refusal_on_a_spanish_page_says_its_particulars_in_spanish(client, buyer) -> None:
    sup, user = factories.supplier("71234567")
    other = make_cuit("20", "12345678")
    client.force_login(user)
    response = client.post(
        reverse("suppliers:invoice_new"),
        {
            "pdf": SimpleUploadedFile("f.pdf", factories.PDF_BYTES, "application/pdf"),
            "xml": SimpleUploadedFile(
                "f.xml",
                ubl_invoice(seller_cuit=other, number="A-1", lines=[Line("Toner", "1", "10")]),
                "text/xml",
            ),
        },
    )
    page = errors_on(response)
    assert response.status_code == 400
    assert f"Menciona {other}; tu organización es CUIT {sup.cuit}." in page
    assert "but you submit for" not in page
    assert Invoice.objects.count() == 0


def test_a_technical_refusal_is_labelled_as_such(client) -> None:
    _sup, user = factories.supplier("71234567")
    client.force_login(user)
    response = client.post(
        reverse("suppliers:invoice_new"),
        {
            "pdf": SimpleUploadedFile("f.pdf", factories.PDF_BYTES, "application/pdf"),
            "xml": SimpleUploadedFile(
                "f.xml",
                b'<?xml version="1.0" encoding="UTF-8"?>\n<Invoice xmlns="urn:oasis:names:'
                b'specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>',
                "text/xml",
            ),
        },
    )
    page = errors_on(response)
    assert "A la factura le falta un elemento obligatorio." in page
    assert "Detalle técnico (para tu sistema de facturación):" in page


def test_po_csv_dates_are_refused_in_the_portals_words(buyer) -> None:
    sup, _user = factories.supplier("71234567")
    content = (
        "order,supplier_cuit,description,quantity,unit_price,issue_date,department\n"
        f"OC-1,{sup.cuit},Toner,1,100,2025-13-01,compras\n"
    )
    department = buyer.groups.first().department
    report = purchasing.import_orders_csv(
        content=content.encode(), departments=[department], actor=buyer
    )
    [(row, message)] = report.errors
    assert row == 2
    assert message == "The issue date “2025-13-01” is not a date (write it like 2025-03-31)."
    assert "month must be" not in message
    assert PurchaseOrder.objects.count() == 0


@pytest.fixture
def credit_note(buyer):
    sup, user = factories.supplier("71234567", name="Proveedora Cordobesa SA")
    po = factories.order(
        sup, buyer, [factories.line("Mantenimiento", 1, "100000.00", kind="service")]
    )
    note = intake.submit_manual(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        header=intake.ManualHeader(
            kind="credit_note",
            number="NC-1",
            issue_date=date(2025, 3, 9),
            due_date=None,
            net_total=Decimal("10000.00"),
            tax_total=Decimal("2100.00"),
            total=Decimal("12100.00"),
        ),
        purchase_order=po,
        lines=[intake.LineEntry(po_line=po.lines.get(), quantity=Decimal("0.1"))],
    )
    return note


def test_a_credit_note_is_not_called_an_invoice_when_decided(client, credit_note, clerk) -> None:
    # Credited before anything was invoiced: held, so it reaches a person.
    task = review_task(credit_note)
    review.claim(task_id=task.pk, user=clerk)
    client.force_login(clerk)
    page = errors_on(client.get(reverse("suppliers_staff:task", args=[task.pk])))
    assert "Nota de crédito NC-1" in page
    assert "Factura NC-1" not in page

    response = client.post(
        reverse("suppliers_staff:task_decide", args=[task.pk]),
        {"action": "return", "message": "Falta la factura que acredita."},
        follow=True,
    )
    page = errors_on(response)
    assert "Nota de crédito NC-1 devuelta al proveedor." in page
    assert "Factura NC-1" not in page


UBL_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
    b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
)
MALFORMED_INVOICES = {
    "missing element": (
        UBL_HEAD + b"<cbc:ID>1</cbc:ID></Invoice>",
        "A la factura le falta un elemento obligatorio. Detalle técnico (para tu sistema de "
        "facturación): Falta cbc:InvoiceTypeCode (código de tipo de documento, BT-3).",
        "The invoice lacks a required element. Technical detail (for your invoicing "
        "software): cbc:InvoiceTypeCode (document type code, BT-3) is missing.",
    ),
    "bad amount": (
        ubl_invoice(
            seller_cuit=make_cuit("30", "71234567"), number="A-1", lines=[Line("Toner", "1", "10")]
        ).replace(b">10</cbc:PriceAmount>", b">diez</cbc:PriceAmount>"),
        "Detalle técnico (para tu sistema de facturación): InvoiceLine 1: "
        "cac:Price/cbc:PriceAmount es 'diez', no un número decimal.",
        "Technical detail (for your invoicing software): InvoiceLine 1: "
        "cac:Price/cbc:PriceAmount is 'diez', not a decimal number.",
    ),
    "damaged XML": (
        UBL_HEAD + b"<cbc:ID>1</cbc:ID>",
        "Detalle técnico (para tu sistema de facturación): El archivo no es XML bien formado: "
        "el error está en la línea 2, columna",
        "Technical detail (for your invoicing software): The file is not well-formed XML: the "
        "error is at line 2, column",
    ),
    "hostile XML": (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n'
        + UBL_HEAD.split(b"\n", 1)[1]
        + b"<cbc:ID>&lol;</cbc:ID></Invoice>",
        "El XML tiene una declaración DOCTYPE; las facturas no pueden declarar DTD ni entidades.",
        "The XML has a DOCTYPE declaration; invoices must not declare DTDs or entities.",
    ),
}


def upload(client, xml: bytes, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.post(
        reverse("suppliers:invoice_new"),
        {
            "pdf": SimpleUploadedFile("f.pdf", factories.PDF_BYTES, "application/pdf"),
            "xml": SimpleUploadedFile("f.xml", xml, "text/xml"),
        },
    )


@pytest.mark.parametrize("case", MALFORMED_INVOICES)
def test_a_malformed_file_is_refused_in_the_pages_language(client, case) -> None:
    xml, spanish, english = MALFORMED_INVOICES[case]
    _sup, user = factories.supplier("71234567")
    client.force_login(user)
    spanish_page = html.unescape(errors_on(upload(client, xml, "es")))
    english_page = html.unescape(errors_on(upload(client, xml, "en")))
    assert spanish in spanish_page
    assert english not in spanish_page
    assert english in english_page
    assert Invoice.objects.count() == 0


def test_a_qr_in_an_unknown_currency_is_refused_in_spanish(client, buyer) -> None:
    sup, user = factories.supplier("71234567")
    po = factories.order(sup, buyer, [factories.line("Toner", 1, "1000.00")])
    payload = {
        "ver": 1, "fecha": "2025-02-03", "cuit": int(sup.cuit), "ptoVta": 3, "tipoCmp": 6,
        "nroCmp": 1, "importe": 1210, "moneda": "EUR", "ctz": 1, "tipoCodAut": "E",
        "codAut": 75123456789012,
    }  # fmt: skip
    link = (
        "https://www.afip.gob.ar/fe/qr/?p="
        + base64.b64encode(json.dumps(payload).encode()).decode()
    )
    client.force_login(user)
    response = client.post(
        reverse("suppliers:order_invoice", args=[po.pk]),
        {
            "method": "qr",
            "pdf": SimpleUploadedFile("f.pdf", factories.PDF_BYTES, "application/pdf"),
            "qr_url": link,
            f"qty_{po.lines.get().pk}": "1",
        },
    )
    page = html.unescape(errors_on(response))
    assert "moneda es 'EUR'; los códigos de moneda aceptados son" in page
    assert "accepted currency codes" not in page
    assert Invoice.objects.count() == 0
