"""Money that could leave wrongly (issue 10, items 1-6): each test failed on the main branch
before the fix it guards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from suppliers.einvoice import InvoiceRejected
from suppliers.models import Invoice
from suppliers.services import intake

from . import factories
from .ubl_builder import Line, ubl_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def toner_order(buyer):
    """20 toners at 60,000 ordered with 21 % VAT, received."""
    sup, user = factories.supplier("71234567", name="Proveedora Cordobesa SA")
    po = factories.order(sup, buyer, [factories.line("Toner", 20, "60000.00")], number="OC-77")
    factories.purchasing.record_receptions(
        order=po,
        quantities={line.pk: line.quantity for line in po.lines.all()},
        received_on=date(2025, 2, 1),
        note="",
        actor=buyer,
    )
    return sup, user, po


def submit_ubl(sup, user, content: bytes) -> Invoice:
    return intake.submit_structured(
        supplier=sup, user=user, pdf=factories.pdf(), source=factories.xml("f.xml", content)
    )


def holds(invoice: Invoice) -> list[tuple[str, dict]]:
    return [(hold.code, hold.params) for hold in invoice.holds.all()]


def test_vat_at_another_rate_than_ordered_is_held(toner_order) -> None:
    sup, user, _po = toner_order
    # 20 x 60,000 with 50 % VAT: 1,800,000 asked where 1,452,000 is owed.
    invoice = submit_ubl(
        sup,
        user,
        ubl_invoice(
            seller_cuit=sup.cuit,
            number="A-0001-00000001",
            po_reference="OC-77",
            lines=[Line("Toner", "20", "60000", rate="50")],
        ),
    )
    assert invoice.payable_total == Decimal("1800000.00")
    assert invoice.status == Invoice.Status.ON_HOLD
    assert holds(invoice) == [
        ("vat", {"line": "1", "check": "rate", "invoiced": "50", "ordered": "21"}),
        ("vat", {"check": "total", "invoiced": "600000", "expected": "252000"}),
    ]
    assert [hold.explanation for hold in invoice.holds.all()] == [
        "Line 1: VAT 50 % invoiced, 21 % ordered.",
        "VAT 600000, 252000 on the lines at the order's rates.",
    ]


def test_the_right_vat_matches(toner_order) -> None:
    sup, user, _po = toner_order
    invoice = submit_ubl(
        sup,
        user,
        ubl_invoice(
            seller_cuit=sup.cuit,
            number="A-0001-00000001",
            po_reference="OC-77",
            lines=[Line("Toner", "20", "60000")],
        ),
    )
    assert invoice.status == Invoice.Status.MATCHED, holds(invoice)
    assert invoice.payable_total == Decimal("1452000.00")


def test_a_vat_total_that_does_not_follow_from_the_lines_is_held(toner_order) -> None:
    sup, user, po = toner_order
    # Net 5,000 and VAT 5,000 on a line taxed at 21 %.
    invoice = intake.submit_manual(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        header=intake.ManualHeader(
            kind="invoice",
            number="0003-00000077",
            issue_date=date(2025, 3, 3),
            due_date=None,
            net_total=Decimal("60000.00"),
            tax_total=Decimal("60000.00"),
            total=Decimal("120000.00"),
        ),
        purchase_order=po,
        lines=[intake.LineEntry(po_line=po.lines.get(), quantity=Decimal(1))],
    )
    assert invoice.status == Invoice.Status.ON_HOLD
    assert holds(invoice) == [
        ("vat", {"check": "total", "invoiced": "60000", "expected": "12600"}),
    ]


def test_a_rate_the_law_does_not_allow_is_held(buyer) -> None:
    sup, user = factories.supplier("71234567")
    po = factories.order(
        sup, buyer, [factories.line("Asesoría", 1, "1000", kind="service", rate=15)]
    )
    invoice = submit_ubl(
        sup,
        user,
        ubl_invoice(
            seller_cuit=sup.cuit,
            number="A-1",
            po_reference=po.number,
            lines=[Line("Asesoría", "1", "1000", rate="15")],
        ),
    )
    assert holds(invoice) == [
        (
            "vat",
            {
                "line": "1",
                "check": "legal",
                "invoiced": "15",
                "allowed": "0, 2.5, 5, 10.5, 21, 27",
            },
        )
    ]


def test_a_thirty_digit_price_is_refused_not_stored(toner_order) -> None:
    sup, user, _po = toner_order
    with pytest.raises(InvoiceRejected) as caught:
        submit_ubl(
            sup,
            user,
            ubl_invoice(
                seller_cuit=sup.cuit,
                number="A-1",
                po_reference="OC-77",
                lines=[Line("Toner", "1", "9" * 30, rate="0")],
                tax_total="0",
            ),
        )
    assert caught.value.code == "invalid-value"
    assert Invoice.objects.count() == 0
