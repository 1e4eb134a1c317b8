"""A duplicate cash payment refunded by bank transfer: treasury enters the resident's account,
payables makes a payment order for it that goes through the batches, two approvals and the
pain.001 file like a supplier's, and the resident reads how it stands."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from core.errors import ActionRefused
from core.identifiers import make_cbu, make_cuit
from core.models import AuditEvent
from payables import services as payables
from payables.exporters import pain001
from payables.models import PaymentOrder as TransferOrder
from payments import hooks
from payments import services as payments
from payments.models import Payment, PaymentOrder, Refund
from tests.suppliers import factories

pytestmark = pytest.mark.django_db

CBU = make_cbu("0110599", "0000000123456")
CUIT = make_cuit("20", "30111222")


@pytest.fixture
def treasurer(db):
    from django.contrib.auth.models import Permission

    user = factories.employee(
        "tesoreria@example.com", "accounts_payable", "approve_payment_batches", code="tesoreria"
    )
    user.user_permissions.add(Permission.objects.get(codename="manage_payments"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def duplicate(order, treasurer, told):
    """The order paid at the cash desk, then paid again there: the second is a duplicate."""
    for receipt in ("Recibo 100", "Recibo 101"):
        payments.record_manual_payment(
            order=order,
            channel=Payment.Channel.CASH_DESK,
            amount=Decimal("1500.00"),
            paid_on=timezone.localdate(),
            evidence=receipt,
            actor=treasurer,
        )
    payment = Payment.objects.get(evidence="Recibo 101")
    assert payment.is_duplicate
    return payment


def _account(cbu=CBU, holder="Juan Vecino", cuit=CUIT) -> hooks.TransferAccount:
    return hooks.TransferAccount(cbu=cbu, holder_name=holder, holder_cuit=cuit)


def test_a_cash_duplicate_is_refunded_by_a_transfer_order_through_the_bank_batches(
    client, settings, order, duplicate, treasurer, resident
):
    settings.PAYABLES_DEBTOR_CBU = make_cbu("0110001", "0000000000123")
    refund = payments.refund_payment(
        payment=duplicate,
        amount=Decimal("1500.00"),
        reason="Pago duplicado en caja",
        actor=treasurer,
        transfer_to=_account(cbu=f"{CBU[:8]}-{CBU[8:]}", cuit=f"20-30111222-{CUIT[-1]}"),
    )
    assert refund.method == Refund.Method.TRANSFER
    transfer = TransferOrder.objects.get(refund=refund)
    assert refund.transfer_reference == transfer.reference
    assert (transfer.cbu, transfer.holder_cuit, transfer.amount, transfer.currency) == (
        CBU,
        CUIT,
        Decimal("1500.00"),
        "ARS",
    )
    assert transfer.supplier is None and transfer.status == TransferOrder.Status.OPEN
    assert AuditEvent.objects.filter(action="payment_order.refund_created").exists()
    assert AuditEvent.objects.filter(action="payments.refunded").exists()
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == (PaymentOrder.Status.PAID, Decimal("1500.00"))

    client.force_login(resident)
    page = client.get(f"/pagos/{order.external_reference}/").content.decode()
    assert f"reembolsados por transferencia a la CBU {CBU}" in page
    assert "esperando un lote" in page.lower()

    # Payables lists it with the supplier payments waiting for a batch, and pays it like
    # them: a batch, two approvals, the pain.001 file.
    staff = Client()
    staff.force_login(treasurer)
    waiting = staff.get("/gestion/proveedores/pagos/").content.decode()
    assert f"{transfer.reference} — Devolución a Juan Vecino" in waiting
    batch = payables.create_batch(
        order_ids=[transfer.pk],
        execution_date=timezone.localdate(),
        actor=factories.batch_creator(),
    )
    second = factories.employee(
        "contaduria@example.com", "accounts_payable", "approve_payment_batches", code="contaduria"
    )
    payables.approve_batch(batch=batch, actor=treasurer)
    payables.approve_batch(batch=batch, actor=second)
    batch = payables.export_batch(batch=batch, actor=treasurer)
    root = etree.fromstring(batch.file.open("rb").read())
    assert pain001.schema().validate(root), pain001.schema().error_log
    ns = {"p": pain001.NAMESPACE}
    assert root.findtext(".//p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=ns) == CBU
    assert root.findtext(".//p:Cdtr/p:Id/p:OrgId/p:Othr/p:Id", namespaces=ns) == CUIT
    assert root.findtext(".//p:Cdtr/p:Nm", namespaces=ns) == "Juan Vecino"
    payables.confirm_paid(batch=batch, paid_on=timezone.localdate(), note="", actor=treasurer)

    page = client.get(f"/pagos/{order.external_reference}/").content.decode()
    assert f"transferido el {timezone.localdate():%d/%m/%Y}" in page


@pytest.mark.parametrize(
    ("account", "message"),
    [
        (None, "ingresá la cuenta"),
        (_account(cbu="123"), "22 dígitos"),
        (_account(cbu=CBU[:-1] + str((int(CBU[-1]) + 1) % 10)), "dígito verificador"),
        (_account(cuit=CUIT[:-1] + str((int(CUIT[-1]) + 1) % 10)), "CUIT"),
        (_account(holder="  "), "titular"),
    ],
)
def test_a_wrong_account_is_refused_and_changes_nothing(duplicate, treasurer, account, message):
    with pytest.raises(ActionRefused, match=message):
        payments.refund_payment(
            payment=duplicate,
            amount=Decimal("1500.00"),
            reason="Pago duplicado",
            actor=treasurer,
            transfer_to=account,
        )
    assert not Refund.objects.exists()
    assert not TransferOrder.objects.exists()


def test_without_a_bank_to_transfer_through_only_a_credit_is_offered(duplicate, treasurer):
    registered = hooks.REFUND_TRANSFERS.find("bank")
    hooks.REFUND_TRANSFERS.unregister("bank")
    try:
        with pytest.raises(ActionRefused, match="crédito"):
            payments.refund_payment(
                payment=duplicate,
                amount=Decimal("1500.00"),
                reason="Pago duplicado",
                actor=treasurer,
                transfer_to=_account(),
            )
    finally:
        hooks.REFUND_TRANSFERS.register("bank", registered)
    credit = payments.refund_payment(
        payment=duplicate,
        amount=Decimal("1500.00"),
        reason="Pago duplicado",
        actor=treasurer,
        as_credit=True,
    )
    assert credit.method == Refund.Method.CREDIT
    assert not TransferOrder.objects.exists()


def test_a_refund_owed_to_a_resident_is_not_cancelled_in_payables(duplicate, treasurer):
    refund = payments.refund_payment(
        payment=duplicate,
        amount=Decimal("1500.00"),
        reason="Pago duplicado",
        actor=treasurer,
        transfer_to=_account(),
    )
    with pytest.raises(ActionRefused, match="devolución"):
        payables.cancel_order(order=TransferOrder.objects.get(refund=refund), actor=treasurer)


def test_treasury_refunds_a_cash_duplicate_by_transfer_from_the_order_page(
    client, order, duplicate, treasurer
):
    client.force_login(treasurer)
    page = client.get(f"/gestion/pagos/orden/{order.external_reference}/").content.decode()
    assert f'id="refund-cbu-{duplicate.pk}"' in page
    response = client.post(
        f"/gestion/pagos/pago/{duplicate.pk}/devolver/",
        {
            "amount": "1500,00",
            "reason": "Pago duplicado",
            "cbu": "0110599",  # cut short: refused, nothing made
            "holder_name": "Juan Vecino",
            "holder_cuit": CUIT,
        },
        follow=True,
    )
    assert "22 dígitos" in response.content.decode()
    assert not Refund.objects.exists()
    response = client.post(
        f"/gestion/pagos/pago/{duplicate.pk}/devolver/",
        {
            "amount": "1500,00",
            "reason": "Pago duplicado",
            "cbu": CBU,
            "holder_name": "Juan Vecino",
            "holder_cuit": CUIT,
        },
        follow=True,
    )
    transfer = TransferOrder.objects.get()
    assert f"Se generó la orden de transferencia {transfer.reference}" in response.content.decode()
