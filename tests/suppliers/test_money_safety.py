"""Money that could leave wrongly (issue 10, items 1-6): each test failed on the main branch
before the fix it guards."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from lxml import etree
from viewflow.workflow.models import Task

from core.errors import ActionRefused
from core.identifiers import make_cbu
from core.models import AuditEvent
from payables import services as payments
from payables.exporters import pain001
from payables.models import BankTransfer, PaymentOrder
from suppliers.einvoice import InvoiceRejected
from suppliers.flows import InvoiceFlow
from suppliers.models import Invoice
from suppliers.services import intake, review

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


# --- A cancelled batch's orders are not paid twice -------------------------------------------


@pytest.fixture
def exported(clerk, second_approver, settings):
    """An approved invoice, its payment order in a batch whose pain.001 was produced."""

    settings.PAYABLES_DEBTOR_CBU = make_cbu("0110001", "0000000000123")
    buyer = factories.employee("compras2@example.com", "purchasing", code="compras")
    sup, user = factories.supplier("71234567", name="Proveedora Cordobesa SA")
    po = factories.order(sup, buyer, [factories.line("Mantenimiento", 1, "100000", kind="service")])
    invoice = intake.submit_manual(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        header=intake.ManualHeader(
            kind="invoice",
            number="A-1",
            issue_date=date(2025, 3, 3),
            due_date=None,
            net_total=Decimal("100000.00"),
            tax_total=Decimal("21000.00"),
            total=Decimal("121000.00"),
        ),
        purchase_order=po,
        lines=[intake.LineEntry(po_line=po.lines.get(), quantity=Decimal(1))],
    )
    task = Task.objects.get(process_id=invoice.process_id, flow_task=InvoiceFlow.review)
    review.claim(task_id=task.pk, user=clerk)
    review.decide(task_id=task.pk, user=clerk, action="approve")
    order = payments.prepare_orders(actor=clerk).orders[0]
    batch = export_new_batch([order], clerk, second_approver)
    return order, batch


def export_new_batch(orders, clerk, second_approver):

    batch = payments.create_batch(
        order_ids=[order.pk for order in orders],
        execution_date=timezone.localdate(),
        actor=factories.batch_creator(),
    )
    payments.approve_batch(batch=batch, actor=clerk)
    payments.approve_batch(batch=batch, actor=second_approver)
    return payments.export_batch(batch=batch, actor=clerk)


def end_to_end_ids(batch) -> list[str]:

    root = etree.fromstring(batch.file.open("rb").read())
    return root.xpath("//p:EndToEndId/text()", namespaces={"p": pain001.NAMESPACE})


def test_an_exported_batch_cancelled_does_not_free_its_orders(
    exported, clerk, second_approver
) -> None:

    order, batch = exported
    assert end_to_end_ids(batch) == [order.reference]
    payments.cancel_batch(batch=batch, actor=clerk, reason="El banco no respondió")
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.UNCONFIRMED
    with pytest.raises(ActionRefused, match="only once the bank says it did not pay it"):
        payments.create_batch(
            order_ids=[order.pk], execution_date=timezone.localdate(), actor=clerk
        )

    # Two employees record that the bank did not pay it; the one who wrote it cannot confirm.
    payments.record_not_paid(order=order, reason="El banco confirmó por nota 12/3", actor=clerk)
    with pytest.raises(ActionRefused, match="another employee"):
        payments.record_not_paid(order=order, reason="", actor=clerk)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.UNCONFIRMED
    payments.record_not_paid(order=order, reason="", actor=second_approver)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.OPEN

    again = export_new_batch([order], clerk, second_approver)
    assert end_to_end_ids(again) == [f"{order.reference}-2"]
    assert list(BankTransfer.objects.values_list("end_to_end_id", "outcome")) == [
        (order.reference, "not_paid"),
        (f"{order.reference}-2", "sent"),
    ]
    assert list(
        AuditEvent.objects.filter(action__startswith="payment_order.not_paid")
        .order_by("pk")
        .values_list("action", "actor__email")
    ) == [
        ("payment_order.not_paid_requested", clerk.email),
        ("payment_order.not_paid_confirmed", second_approver.email),
    ]


def test_a_cancelled_batch_paid_after_all_is_confirmed_from_the_statement(exported, clerk) -> None:

    order, batch = exported
    payments.cancel_batch(batch=batch, actor=clerk, reason="Archivo dudoso")
    report = payments.import_statement(
        content=(
            f"date;reference;amount\n{timezone.localdate().isoformat()};{order.reference};"
            f"{order.amount}\n"
        ).encode(),
        actor=clerk,
    )
    assert [paid.reference for paid in report.paid] == [order.reference]
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID
    assert order.items.get().invoice.status == Invoice.Status.PAID


def test_a_bank_rejection_frees_the_order_for_a_new_id(exported, clerk, second_approver) -> None:

    order, _batch = exported
    payments.record_bank_rejection(order=order, reason="CBU inexistente", actor=clerk)
    order.refresh_from_db()
    assert (order.status, order.batch) == (PaymentOrder.Status.OPEN, None)
    again = export_new_batch([order], clerk, second_approver)
    assert end_to_end_ids(again) == [f"{order.reference}-2"]


def test_end_to_end_ids_are_unique_for_ever(exported) -> None:

    order, batch = exported
    with pytest.raises(IntegrityError), transaction.atomic():
        BankTransfer.objects.create(
            order=order, batch=batch, end_to_end_id=order.reference, amount=order.amount
        )


def test_the_payments_page_nets_credit_notes_and_shows_unconfirmed_orders(
    client, exported, clerk, second_approver
) -> None:

    order, batch = exported
    payments.cancel_batch(batch=batch, actor=clerk, reason="Archivo dudoso")
    sup = order.supplier
    invoice = Invoice.objects.get()
    # An approved invoice of 121,000 and a credit note of 12,100 are 108,900 to pay.
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.APPROVED)
    note = Invoice.objects.get(pk=invoice.pk)
    note.pk = None
    note.kind, note.voucher_key, note.token = "credit_note", "nc:1", "t" * 32
    note.payable_total = Decimal("12100.00")
    note.process = None
    note.save()
    client.force_login(clerk)
    page = " ".join(client.get(reverse("payables:index")).content.decode().split())
    assert "ARS: 2 — $ 108.900,00" in page
    assert "Enviadas al banco en un lote cancelado" in page

    response = client.post(
        reverse("payables:order_not_paid", args=[order.pk]), {"reason": "Nota del banco"}
    )
    assert response.status_code == 302
    client.force_login(second_approver)
    client.post(reverse("payables:order_not_paid", args=[order.pk]), {})
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.OPEN
    assert sup.payment_orders.get() == order


# --- Numbers from outside are checked against their column -----------------------------------


def test_po_csv_refuses_what_is_no_finite_number_or_does_not_fit(buyer) -> None:
    from suppliers.models import PurchaseOrder
    from suppliers.services import purchasing

    sup, _user = factories.supplier("71234567")
    values = ["NaN", "sNaN", "Infinity", "-Inf", "1e400", "9" * 18, "1" + "0" * 12]
    content = "order,supplier_cuit,description,quantity,unit_price\n" + "".join(
        f"OC-{n},{sup.cuit},Toner,{value},80000\n" for n, value in enumerate(values)
    )
    department = buyer.groups.first().department
    report = purchasing.import_orders_csv(
        content=content.encode(), departments=[department], actor=buyer
    )
    assert [row for row, _message in report.errors] == [2, 3, 4, 5, 6, 7, 8]
    assert PurchaseOrder.objects.count() == 0


# --- Dates ---------------------------------------------------------------------------------


def test_an_invoice_dated_in_the_future_is_refused(toner_order) -> None:
    sup, user, _po = toner_order
    ahead = timezone.localdate().replace(year=timezone.localdate().year + 5)
    with pytest.raises(InvoiceRejected) as caught:
        submit_ubl(
            sup,
            user,
            ubl_invoice(
                seller_cuit=sup.cuit,
                number="A-1",
                po_reference="OC-77",
                issue_date=ahead,
                lines=[Line("Toner", "20", "60000")],
            ),
        )
    assert caught.value.code == "future-date"
    assert Invoice.objects.count() == 0


def test_an_implausibly_old_invoice_is_held(toner_order, settings) -> None:
    settings.SUPPLIERS_INVOICE_MAX_AGE_DAYS = 365
    sup, user, _po = toner_order
    old = timezone.localdate() - timedelta(days=400)
    invoice = submit_ubl(
        sup,
        user,
        ubl_invoice(
            seller_cuit=sup.cuit,
            number="A-1",
            po_reference="OC-77",
            issue_date=old,
            lines=[Line("Toner", "20", "60000")],
        ),
    )
    assert holds(invoice) == [("date", {"date": old.isoformat(), "days": "365"})]
    assert invoice.holds.get().explanation == f"Dated {old.isoformat()}, more than 365 days ago."


# --- Currencies the accounts cannot take ---------------------------------------------------


def test_a_euro_payment_is_never_exported(exported, clerk) -> None:
    order, batch = exported
    payments.cancel_batch(batch=batch, actor=clerk, reason="x")
    # An approved invoice in euros waits, and says why.
    invoice = Invoice.objects.get()
    euro = Invoice.objects.get(pk=invoice.pk)
    euro.pk, euro.process = None, None
    euro.currency, euro.voucher_key, euro.token = "EUR", "invoice:EUR-1", "e" * 32
    euro.status = Invoice.Status.APPROVED
    euro.save()
    prepared = payments.prepare_orders(actor=clerk)
    assert prepared.orders == []
    assert prepared.waiting == [
        (order.supplier, "payments in EUR cannot be made: the accounts take ARS only")
    ]
    # An order in euros (from before the rule) cannot go into a batch.
    PaymentOrder.objects.filter(pk=order.pk).update(currency="EUR", status=PaymentOrder.Status.OPEN)
    with pytest.raises(ActionRefused, match="Payments in EUR cannot be made"):
        payments.create_batch(
            order_ids=[order.pk], execution_date=timezone.localdate(), actor=clerk
        )


# --- Reading invoices right ----------------------------------------------------------------


def test_a_cuit_given_only_as_the_legal_registration_is_read(toner_order) -> None:
    sup, user, _po = toner_order
    invoice = submit_ubl(
        sup,
        user,
        ubl_invoice(
            seller_cuit=sup.cuit,
            number="C-0001-00000001",
            po_reference="OC-77",
            lines=[Line("Toner", "20", "60000")],
            seller_id_in_legal_entity=True,
        ),
    )
    assert invoice.seller_tax_ids == [sup.cuit]
    assert invoice.status == Invoice.Status.MATCHED, holds(invoice)


def test_a_qr_in_pesos_with_another_exchange_rate_is_refused() -> None:
    import base64
    import json

    from suppliers.einvoice import parse_afip_qr

    data = {
        "ver": 1,
        "fecha": "2025-02-03",
        "cuit": 30712345671,
        "ptoVta": 3,
        "tipoCmp": 6,
        "nroCmp": 1,
        "importe": 100,
        "moneda": "PES",
        "ctz": 2,
        "tipoCodAut": "E",
        "codAut": 75123456789012,
    }
    payload = base64.b64encode(json.dumps(data).encode()).decode()
    with pytest.raises(InvoiceRejected) as caught:
        parse_afip_qr(f"https://www.afip.gob.ar/fe/qr/?p={payload}")
    assert caught.value.detail == "ctz is 2; a voucher in pesos has exchange rate 1."


# --- The bank's status report (pain.002) ------------------------------------------------------


def pain002(*transactions: tuple[str, str, str]) -> bytes:
    rows = "".join(
        f"<TxInfAndSts><OrgnlEndToEndId>{e2e}</OrgnlEndToEndId><TxSts>{status}</TxSts>"
        + (f"<StsRsnInf><Rsn><Cd>{code}</Cd></Rsn></StsRsnInf>" if code else "")
        + "</TxInfAndSts>"
        for e2e, status, code in transactions
    )
    return (
        '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">'
        "<CstmrPmtStsRpt><GrpHdr><MsgId>S1</MsgId><CreDtTm>2026-03-01T10:00:00</CreDtTm></GrpHdr>"
        f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>LP-000001</OrgnlPmtInfId>{rows}</OrgnlPmtInfAndSts>"
        "</CstmrPmtStsRpt></Document>"
    ).encode()


def test_a_pain002_rejection_frees_the_order_and_a_settlement_pays_it(
    exported, clerk, second_approver
) -> None:
    from payables.services.status_report import import_status_report

    order, _batch = exported
    report = import_status_report(
        content=pain002((order.reference, "RJCT", "AC04"), ("OP-999999", "RJCT", "")),
        actor=clerk,
    )
    assert [o.reference for o in report.rejected] == [order.reference]
    assert report.ignored == [("OP-999999", "No transfer has this end-to-end id.")]
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.OPEN
    assert BankTransfer.objects.get(end_to_end_id=order.reference).note == "pain.002 RJCT AC04"
    # The same report again changes nothing.
    again = import_status_report(content=pain002((order.reference, "RJCT", "AC04")), actor=clerk)
    assert again.ignored == [(order.reference, "This transfer was already settled.")]

    export_new_batch([order], clerk, second_approver)
    order.refresh_from_db()
    settled = import_status_report(
        content=pain002((f"{order.reference}-2", "ACSC", "")), actor=clerk
    )
    assert [o.reference for o in settled.paid] == [order.reference]
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID


def test_a_pain002_with_a_dtd_or_another_message_is_refused(clerk) -> None:
    from payables.services.status_report import import_status_report

    with pytest.raises(ActionRefused, match="not an ISO 20022 payment status report"):
        import_status_report(
            content=b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><d>&x;</d>', actor=clerk
        )
    with pytest.raises(ActionRefused, match="not well-formed"):
        import_status_report(content=b"<Document", actor=clerk)


def test_the_statement_page_takes_a_pain002(client, exported, clerk) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    order, _batch = exported
    client.force_login(clerk)
    response = client.post(
        reverse("payables:statement"),
        {"file": SimpleUploadedFile("pain002.xml", pain002((order.reference, "RJCT", "AC04")))},
    )
    page = " ".join(response.content.decode().split())
    assert "Rechazada por el banco: espera un nuevo lote." in page
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.OPEN


def test_the_ap_queue_says_why_invoices_are_held(client, toner_order, clerk) -> None:
    sup, user, _po = toner_order
    submit_ubl(
        sup,
        user,
        ubl_invoice(
            seller_cuit=sup.cuit,
            number="A-0001-00000001",
            po_reference="OC-77",
            lines=[Line("Toner", "20", "60000", rate="50")],
        ),
    )
    client.force_login(clerk)
    page = " ".join(
        client.get(reverse("suppliers_staff:queue", args=["exceptions"])).content.decode().split()
    )
    assert "<li>IVA distinto</li>" in page
