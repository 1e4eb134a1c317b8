"""Accounts payable on the flow (claim, approve, release, return, reply, withdraw), bank
account changes holding payments, and payment: orders, two approvals, pain.001, paid."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from lxml import etree
from viewflow.workflow.models import Task

from accounts.models import User
from core.errors import ActionRefused
from core.identifiers import make_cbu
from core.models import AuditEvent
from payables import services as payments
from payables.exporters import pain001
from payables.models import PaymentBatch, PaymentOrder
from suppliers.flows import InvoiceFlow
from suppliers.models import BankAccount, Invoice
from suppliers.services import intake, organisations, review

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(buyer, settings):
    settings.PAYABLES_DEBTOR_CBU = make_cbu("0110001", "0000000000123")
    sup, user = factories.supplier("71234567", name="Proveedora Cordobesa SA")
    po = factories.order(
        sup,
        buyer,
        [
            factories.line("Resmas A4", 100, "5000.00", code="RES-A4"),
            factories.line("Mantenimiento", 1, "100000.00", kind="service"),
        ],
    )
    return sup, user, po


def manual(sup, user, po, number: str, reams: int, service: int = 0, *, total: str | None = None):
    net = Decimal(reams * 5000 + service * 100000)
    tax = net * Decimal("0.21")
    return intake.submit_manual(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        header=intake.ManualHeader(
            kind="invoice",
            number=number,
            issue_date=date(2025, 3, 1) + timedelta(days=len(number)),
            due_date=None,
            net_total=net,
            tax_total=tax,
            total=Decimal(total) if total else net + tax,
        ),
        purchase_order=po,
        lines=[
            intake.LineEntry(po_line=line, quantity=Decimal(q))
            for line, q in zip(po.lines.order_by("line_number"), (reams, service), strict=True)
        ],
    )


def review_task(invoice: Invoice) -> Task:
    return Task.objects.get(
        process_id=invoice.process_id, flow_task=InvoiceFlow.review, status__in=["NEW", "ASSIGNED"]
    )


def test_goods_wait_for_reception_services_do_not(setup, buyer, clerk) -> None:
    sup, user, po = setup
    goods = manual(sup, user, po, "A-1", reams=10)
    service = manual(sup, user, po, "A-22", reams=0, service=1)

    assert [hold.code for hold in goods.holds.all()] == ["qty_received"]
    assert service.status == Invoice.Status.MATCHED  # 2-way: nothing to receive

    reams = po.lines.get(line_number=1)
    factories.purchasing.record_receptions(
        order=po,
        quantities={reams.pk: Decimal(10)},
        received_on=date(2025, 3, 2),
        note="",
        actor=buyer,
    )
    goods.refresh_from_db()
    assert goods.status == Invoice.Status.MATCHED
    assert not goods.holds.exists()
    reams.refresh_from_db()
    assert reams.invoiced_quantity == 10


def test_claim_approve_and_double_click(setup, clerk, second_approver) -> None:
    sup, user, po = setup
    invoice = manual(sup, user, po, "A-1", reams=0, service=1)
    task = review_task(invoice)

    review.claim(task_id=task.pk, user=clerk)
    with pytest.raises(ActionRefused, match="already taken"):
        review.claim(task_id=task.pk, user=second_approver)
    review.decide(task_id=task.pk, user=clerk, action="approve")
    with pytest.raises(ActionRefused, match="not assigned to you any more"):
        review.decide(task_id=task.pk, user=clerk, action="approve")

    invoice.refresh_from_db()
    assert (invoice.status, invoice.approved_by) == (Invoice.Status.APPROVED, clerk)
    assert invoice.process.finished is not None
    assert AuditEvent.objects.filter(action="invoice.approved", object_id=str(invoice.pk)).exists()


def test_release_needs_a_reason_and_is_audited(setup, clerk) -> None:
    sup, user, po = setup
    invoice = manual(sup, user, po, "A-1", reams=0, service=2)  # 2 services, 1 ordered
    assert [hold.code for hold in invoice.holds.all()] == ["qty_ordered"]
    task = review_task(invoice)
    review.claim(task_id=task.pk, user=clerk)

    with pytest.raises(ActionRefused, match="has holds"):
        review.decide(task_id=task.pk, user=clerk, action="approve")
    with pytest.raises(ActionRefused, match="reason"):
        review.decide(task_id=task.pk, user=clerk, action="release")
    review.decide(
        task_id=task.pk, user=clerk, action="release", message="Ampliación por decreto 12/25"
    )

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.APPROVED and invoice.released
    hold = invoice.holds.get()
    assert (hold.released_by, hold.release_reason) == (clerk, "Ampliación por decreto 12/25")
    event = AuditEvent.objects.get(action="invoice.released", object_id=str(invoice.pk))
    assert event.after["message"] == "Ampliación por decreto 12/25"
    assert event.after["released_holds"] == ["qty_ordered"]
    assert po.lines.get(line_number=2).invoiced_quantity == 2


def test_return_reply_and_withdraw(setup, clerk) -> None:
    sup, user, po = setup
    invoice = manual(sup, user, po, "A-1", reams=0, service=1)
    task = review_task(invoice)
    review.claim(task_id=task.pk, user=clerk)
    review.decide(task_id=task.pk, user=clerk, action="return", message="Falta el remito.")

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.RETURNED
    assert po.lines.get(line_number=2).invoiced_quantity == 0
    assert invoice.events.filter(kind="returned", message="Falta el remito.", public=True).exists()

    review.supplier_reply(invoice=invoice, user=user, message="Adjunto en el PDF.")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.MATCHED
    task = review_task(invoice)  # back in the queue
    review.claim(task_id=task.pk, user=clerk)
    review.decide(task_id=task.pk, user=clerk, action="return", message="Sigue faltando.")
    invoice.refresh_from_db()
    review.withdraw(invoice=invoice, user=user)

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.WITHDRAWN
    assert invoice.process.finished is not None
    # The number is free again for a corrected invoice.
    assert manual(sup, user, po, "A-1", reams=0, service=1).status == Invoice.Status.MATCHED


def approve(invoice: Invoice, clerk) -> None:
    task = review_task(invoice)
    review.claim(task_id=task.pk, user=clerk)
    review.decide(task_id=task.pk, user=clerk, action="approve")


def test_bank_change_holds_payments_until_approved(setup, clerk, second_approver) -> None:
    sup, user, po = setup
    invoice = manual(sup, user, po, "A-1", reams=0, service=1)
    approve(invoice, clerk)
    organisations.request_bank_account(
        supplier=sup,
        cbu=make_cbu("0720001", "0000000009999"),
        holder_name="Proveedora Cordobesa SA",
        bank_name="Banco Santander",
        document=organisations.BankDocument("cbu.pdf", factories.PDF_BYTES, "application/pdf"),
        actor=user,
    )
    with pytest.raises(ActionRefused, match="own request"):
        organisations.decide_bank_account(
            account=sup.bank_accounts.get(status="pending"), approve=True, note="", actor=user
        )

    held = payments.prepare_orders(actor=clerk)
    assert held.orders == []
    assert held.waiting == [(sup, "a bank account change is waiting for approval")]

    organisations.decide_bank_account(
        account=sup.bank_accounts.get(status="pending"), approve=True, note="", actor=clerk
    )
    # Where the money goes changes with a second employee's approval only.
    assert payments.prepare_orders(actor=clerk).orders == []
    with pytest.raises(ActionRefused, match="another employee must approve it too"):
        organisations.decide_bank_account(
            account=sup.bank_accounts.get(status="pending"), approve=True, note="", actor=clerk
        )
    organisations.decide_bank_account(
        account=sup.bank_accounts.get(status="pending"),
        approve=True,
        note="",
        actor=second_approver,
    )
    prepared = payments.prepare_orders(actor=clerk)
    assert [order.cbu for order in prepared.orders] == [make_cbu("0720001", "0000000009999")]
    assert sup.bank_accounts.filter(status=BankAccount.Status.REPLACED).count() == 1
    actions = AuditEvent.objects.filter(action__startswith="supplier.bank_change_")
    assert list(actions.order_by("pk").values_list("action", "actor__email")) == [
        ("supplier.bank_change_requested", user.email),
        ("supplier.bank_change_first_approval", clerk.email),
        ("supplier.bank_change_approved", second_approver.email),
    ]


def test_new_invoices_are_held_while_a_change_is_pending(setup, clerk) -> None:
    sup, user, po = setup
    organisations.request_bank_account(
        supplier=sup,
        cbu=make_cbu("0720001", "0000000009999"),
        holder_name="X",
        bank_name="",
        document=organisations.BankDocument("cbu.pdf", factories.PDF_BYTES, "application/pdf"),
        actor=user,
    )
    invoice = manual(sup, user, po, "A-1", reams=0, service=1)
    assert [hold.code for hold in invoice.holds.all()] == ["bank_change"]
    organisations.decide_bank_account(
        account=sup.bank_accounts.get(status="pending"),
        approve=False,
        note="Certificado ilegible",
        actor=clerk,
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.MATCHED


def test_batch_two_approvals_pain001_and_paid(setup, clerk, second_approver) -> None:
    sup, user, po = setup
    invoice = manual(sup, user, po, "A-1", reams=0, service=1)
    approve(invoice, clerk)
    order = payments.prepare_orders(actor=clerk).orders[0]
    # 121,000 less income tax (regime 94: 2 % of 100,000 - 67,170 = 656.60) and social
    # security (1 % of 100,000): the bank file pays the net.
    assert (order.gross_amount, order.amount) == (Decimal("121000.00"), Decimal("119343.40"))
    creator = factories.batch_creator()
    batch = payments.create_batch(
        order_ids=[order.pk], execution_date=timezone.localdate(), actor=creator
    )

    with pytest.raises(ActionRefused, match="approved"):
        payments.export_batch(batch=batch, actor=clerk)
    # Separation of duties: who makes the batch does not approve it.
    creator.groups.first().permissions.add(
        *Permission.objects.filter(codename="approve_payment_batches")
    )
    with pytest.raises(ActionRefused, match="two other employees must approve it"):
        payments.approve_batch(batch=batch, actor=User.objects.get(pk=creator.pk))
    payments.approve_batch(batch=batch, actor=clerk)
    with pytest.raises(ActionRefused, match="second employee"):
        payments.approve_batch(batch=batch, actor=clerk)
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.DRAFT
    payments.approve_batch(batch=batch, actor=second_approver)
    batch = payments.export_batch(batch=batch, actor=clerk)

    content = batch.file.open("rb").read()
    root = etree.fromstring(content)
    assert pain001.schema().validate(root), pain001.schema().error_log
    ns = {"p": pain001.NAMESPACE}
    assert root.findtext(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", namespaces=ns) == "119343.40"
    assert root.find(".//p:InstdAmt", namespaces=ns).get("Ccy") == "ARS"
    assert root.findtext(".//p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=ns) == order.cbu
    assert root.findtext(".//p:Cdtr/p:Id/p:OrgId/p:Othr/p:Id", namespaces=ns) == sup.cuit
    assert root.findtext(".//p:EndToEndId", namespaces=ns) == order.reference

    report = payments.import_statement(
        content=(
            "date;reference;amount\n"
            f"{timezone.localdate().isoformat()};TRANSF {order.reference};119.343,40\n"
            f"{timezone.localdate().isoformat()};OP-999999;10\n"
        ).encode(),
        actor=clerk,
    )
    assert [paid.reference for paid in report.paid] == [order.reference]
    assert report.unmatched == [(3, "No payment order has this reference.")]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == (Invoice.Status.PAID, timezone.localdate())
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.PAID
    assert PaymentOrder.objects.get().status == PaymentOrder.Status.PAID


def test_pain001_rejects_what_the_schema_rejects() -> None:
    broken = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>'
    with pytest.raises(pain001.ExportRefused, match="pain.001.001.09"):
        pain001.validate(broken)


def test_credit_notes_net_off_in_the_payment(setup, clerk) -> None:
    sup, user, po = setup
    approve(manual(sup, user, po, "A-1", reams=0, service=1), clerk)
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
        lines=[intake.LineEntry(po_line=po.lines.get(line_number=2), quantity=Decimal("0.1"))],
    )
    assert note.status == Invoice.Status.MATCHED, list(note.holds.values("code", "params"))
    approve(note, clerk)
    order = payments.prepare_orders(actor=clerk).orders[0]
    # The credit note lowers the withholdings' base too: 90,000 of services.
    assert (order.gross_amount, order.amount) == (
        Decimal("108900.00"),
        Decimal("108900.00") - Decimal("456.60") - Decimal("900.00"),
    )
    assert po.lines.get(line_number=2).invoiced_quantity == Decimal("0.9")


def test_bank_change_takes_two_employees_on_the_supplier_page(
    client, setup, clerk, second_approver
) -> None:
    sup, user, _po = setup
    account = organisations.request_bank_account(
        supplier=sup,
        cbu=make_cbu("0720001", "0000000009999"),
        holder_name="Proveedora Cordobesa SA",
        bank_name="",
        document=organisations.BankDocument("cbu.pdf", factories.PDF_BYTES, "application/pdf"),
        actor=user,
    )
    url = f"/gestion/proveedores/cuentas/{account.pk}/decidir/"
    client.force_login(clerk)
    page = client.post(url, {"approve": "1"}, follow=True).content.decode()
    page = " ".join(page.split())
    assert (
        "Aprobación registrada: otra persona del personal también tiene que aprobar el cambio."
        in page
    )
    assert f"Aprobado por {clerk}; el cambio rige cuando otra persona" in page
    account.refresh_from_db()
    assert account.status == BankAccount.Status.PENDING

    client.force_login(second_approver)
    client.post(url, {"approve": "1"})
    account.refresh_from_db()
    assert (account.status, account.decided_by) == (BankAccount.Status.ACTIVE, second_approver)


def test_payables_changes_invoices_only_through_suppliers_services(setup, clerk) -> None:
    from suppliers.services import payments as invoice_payments

    sup, user, po = setup
    approved = manual(sup, user, po, "A-1", reams=0, service=1)
    approve(approved, clerk)
    held = manual(sup, user, po, "A-2", reams=0, service=1)  # the service is billed already
    assert held.status == Invoice.Status.ON_HOLD
    with pytest.raises(ActionRefused, match="A-2"):
        invoice_payments.put_in_payment(
            invoice_ids=[approved.pk, held.pk], payment="OP-000009", actor=clerk
        )
    approved.refresh_from_db()
    assert approved.status == Invoice.Status.APPROVED  # nothing changed

    order = payments.prepare_orders(actor=clerk).orders[0]
    approved.refresh_from_db()
    assert approved.status == Invoice.Status.IN_PAYMENT
    assert approved.events.filter(kind="in_payment").count() == 1
    assert AuditEvent.objects.filter(
        action="invoice.in_payment", object_id=str(approved.pk), after__payment=order.reference
    ).exists()
    payments.cancel_order(order=order, actor=clerk)
    approved.refresh_from_db()
    assert approved.status == Invoice.Status.APPROVED
    assert AuditEvent.objects.filter(
        action="invoice.payment_cancelled", object_id=str(approved.pk)
    ).exists()
