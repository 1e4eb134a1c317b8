"""What suppliers and employees read (issue 10, item 16): refusals in Spanish on Spanish
pages, no Python messages, credit notes called credit notes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
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
