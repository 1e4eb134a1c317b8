"""Cash slips sealed through the documents pipeline; treasury's pages: recording transfers and
cash desk payments, refunds, settlement upload, the daily reconciliation as a page and CSV."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from core import outbox
from core.identifiers import make_cbu, make_cuit
from core.models import AuditEvent, OutboxItem
from documents.models import SignedDocument
from payments import cash
from payments import services as payments
from payments.models import Payment, PaymentOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(resident, told):
    return payments.create_order(
        subject=resident, payer=resident, amount=Decimal("1500.00"), concept="Tasa de prueba"
    )


@pytest.fixture
def treasurer(employee):
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Permission

    employee.user_permissions.add(Permission.objects.get(codename="manage_payments"))
    # Staff pages need TOTP set up; a configured authenticator is enough here.
    Authenticator.objects.create(
        user=employee, type=Authenticator.Type.TOTP, data={"secret": "A" * 32}
    )
    return employee


def run_outbox() -> None:
    for pk in OutboxItem.objects.filter(done_at__isnull=True).values_list("pk", flat=True):
        outbox.run(pk)


def test_a_slip_is_sealed_with_its_barcode_and_a_double_click_gets_the_same_one(
    client, resident, order, django_capture_on_commit_callbacks
):
    client.force_login(resident)
    for _click in range(2):
        response = client.post(f"/pagos/{order.external_reference}/boleta/")
        assert response.status_code == 302
    slip = SignedDocument.objects.get(kind="payment_slip")
    assert slip.facts["code"] == cash.collection_code(order)
    with django_capture_on_commit_callbacks(execute=True):
        run_outbox()
    slip.refresh_from_db()
    assert slip.status == SignedDocument.Status.ISSUED
    page = client.get(f"/pagos/{order.external_reference}/").content.decode()
    assert f"/documentos/{slip.code}/descargar/" in page
    pdf = client.get(f"/documentos/{slip.code}/descargar/")
    assert pdf.status_code == 200
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages
    )
    assert cash.collection_code(order) in text
    assert "Rapipago" in text


def test_another_resident_cannot_see_the_order_nor_its_slip(client, order):
    from tests.conftest import _verified_user

    client.force_login(_verified_user("otra@example.com"))
    assert client.get(f"/pagos/{order.external_reference}/").status_code == 404
    assert client.post(f"/pagos/{order.external_reference}/boleta/").status_code == 404
    assert client.post(f"/pagos/{order.external_reference}/pagar/").status_code == 404


def test_residents_do_not_reach_treasury(client, resident):
    client.force_login(resident)
    assert client.get("/gestion/pagos/").status_code == 403


def test_treasury_records_a_cash_desk_payment_once(client, treasurer, order):
    client.force_login(treasurer)
    form = {
        "channel": "cash_desk",
        "amount": "1.500,00",
        "paid_on": timezone.localdate().isoformat(),
        "evidence": "Recibo 0001-00001234",
    }
    url = f"/gestion/pagos/orden/{order.external_reference}/registrar/"
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # a double click
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID
    assert Payment.objects.get().evidence == "Recibo 0001-00001234"
    assert AuditEvent.objects.filter(action="payments.payment_recorded", actor=treasurer).exists()
    page = client.get(f"/gestion/pagos/orden/{order.external_reference}/").content.decode()
    # The provider's commission, not the procedure's fee («Arancel») of the root catalog.
    assert '<th scope="col">Comisión</th>' in page and ">Arancel<" not in page


def test_treasury_refuses_a_payment_without_evidence_or_amount(client, treasurer, order):
    client.force_login(treasurer)
    url = f"/gestion/pagos/orden/{order.external_reference}/registrar/"
    client.post(
        url, {"channel": "transfer", "amount": "-5", "paid_on": "2026-11-20", "evidence": "x"}
    )
    client.post(
        url, {"channel": "transfer", "amount": "100", "paid_on": "2026-11-20", "evidence": ""}
    )
    assert not Payment.objects.exists()


def test_treasury_refunds_a_duplicate_cash_desk_payment(client, treasurer, order):
    for evidence in ("R1", "R2"):
        payments.record_manual_payment(
            order=order,
            channel="cash_desk",
            amount=Decimal("1500.00"),
            paid_on=timezone.localdate(),
            evidence=evidence,
            actor=treasurer,
        )
    duplicate = Payment.objects.get(is_duplicate=True)
    client.force_login(treasurer)
    # No provider to refund cash through: a bank transfer to the account treasury enters.
    response = client.post(
        f"/gestion/pagos/pago/{duplicate.pk}/devolver/",
        {
            "amount": "1500,00",
            "reason": "Pago doble",
            "cbu": make_cbu("0110599", "0000000123456"),
            "holder_name": "Juan Vecino",
            "holder_cuit": make_cuit("20", "30111222"),
        },
    )
    assert response.status_code == 302
    assert duplicate.refunds.get().amount == Decimal("1500.00")
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID and order.amount_paid == Decimal("1500.00")
    # Refunding more than is left is refused and changes nothing.
    client.post(
        f"/gestion/pagos/pago/{duplicate.pk}/devolver/",
        {"amount": "1", "reason": "otra", "as_credit": "1"},
    )
    assert duplicate.refunds.count() == 1


def test_settlement_upload_and_the_daily_reconciliation(client, treasurer, order, settings):
    day = date(2026, 11, 20)
    content = "\r\n".join(
        cash.settlement_lines(
            company=settings.PAYMENTS_CASH_COMPANY_CODE,
            settled_on=day,
            details=[
                (day, cash.collection_code(order), Decimal("1500.00"), "TX1", Decimal("30.00"))
            ],
        )
    ).encode()
    client.force_login(treasurer)
    response = client.post(
        "/gestion/pagos/rendiciones/",
        {"network": "pagofacil", "file": SimpleUploadedFile("pf.txt", content)},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert order.external_reference in page
    again = client.post(
        "/gestion/pagos/rendiciones/",
        {"network": "pagofacil", "file": SimpleUploadedFile("pf-otra-vez.txt", content)},
        follow=True,
    )
    assert Payment.objects.count() == 1
    assert again.status_code == 200

    report = client.get("/gestion/pagos/conciliacion/", {"dia": "2026-11-20"})
    assert report.status_code == 200
    assert "1.500,00" in report.content.decode()
    csv_report = client.get("/gestion/pagos/conciliacion/", {"dia": "2026-11-20", "formato": "csv"})
    lines = csv_report.content.decode().splitlines()
    assert lines[0] == "day,channel,count,gross,fees,net"
    assert lines[1] == "2026-11-20,cash_network,1,1500.00,30.00,1470.00"


def test_a_duplicate_kept_as_credit_pays_the_next_order(client, treasurer, order, resident):
    for evidence in ("R1", "R2"):
        payments.record_manual_payment(
            order=order,
            channel="cash_desk",
            amount=Decimal("1500.00"),
            paid_on=timezone.localdate(),
            evidence=evidence,
            actor=treasurer,
        )
    duplicate = Payment.objects.get(is_duplicate=True)
    client.force_login(treasurer)
    client.post(
        f"/gestion/pagos/pago/{duplicate.pk}/devolver/",
        {"amount": "1500,00", "reason": "Pago doble", "as_credit": "1"},
    )
    assert duplicate.refunds.get().credit.remaining == Decimal("1500.00")
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID and order.amount_paid == Decimal("1500.00")

    following = payments.create_order(
        subject=resident, payer=resident, amount=Decimal("1000.00"), concept="Siguiente"
    )
    assert following.payments.get().channel == Payment.Channel.CREDIT
    assert PaymentOrder.objects.get(pk=following.pk).status == PaymentOrder.Status.PAID
    assert duplicate.refunds.get().credit.remaining == Decimal("500.00")
    client.force_login(resident)
    page = client.get(f"/pagos/{order.external_reference}/").content.decode()
    assert "1.500,00" in page and "crédito" in page
