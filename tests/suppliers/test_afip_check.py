"""Argentine invoices are confirmed with AFIP (WSAA + WSCDC through zeep, against a local
fake speaking their SOAP protocol) before they can be paid."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.errors import ActionRefused
from suppliers.models import Invoice
from suppliers.services import afip_check, intake, review

from . import factories
from .afip_fake import WSAA_NS, WSCDC_NS, FakeAfip
from .test_intake import entries, qr
from .test_review_and_payment import review_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def qr_invoice(buyer):
    sup, user = factories.supplier("71234567", name="Proveedora Cordobesa SA")
    po = factories.order(
        sup,
        buyer,
        [
            factories.line("Resmas A4", 100, "5000.00", code="RES-A4"),
            factories.line("Toner", 4, "80000.00"),
        ],
    )
    factories.purchasing.record_receptions(
        order=po,
        quantities={line.pk: line.quantity for line in po.lines.all()},
        received_on=date(2025, 2, 1),
        note="",
        actor=buyer,
    )
    invoice = intake.submit_afip_qr(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        qr_text=qr(sup, "496100"),
        purchase_order=po,
        lines=entries(po, 50, 2),
    )
    return sup, invoice


def known_voucher(fake: FakeAfip, sup, **changes) -> None:
    values = dict(
        cuit=sup.cuit,
        point_of_sale=3,
        voucher_type=6,
        number=1234,
        date=date(2025, 2, 3),
        total="496100",
        cae="75123456789012",
    )
    fake.add_voucher(**{**values, **changes})


def test_an_invoice_waits_for_afip_then_is_confirmed(afip, qr_invoice) -> None:
    sup, invoice = qr_invoice
    assert (invoice.status, invoice.afip_check) == (Invoice.Status.ON_HOLD, "pending")
    assert [hold.explanation for hold in invoice.holds.all()] == [
        "Waiting for AFIP to confirm the voucher."
    ]
    known_voucher(afip, sup)

    assert afip_check.check_invoice(invoice_id=invoice.pk) == "approved"
    invoice.refresh_from_db()
    assert (invoice.status, invoice.afip_check) == (Invoice.Status.MATCHED, "approved")
    assert not invoice.holds.exists()
    # On the wire: one login, signed for the service wscdc, then the voucher's data.
    paths = [path for path, _request in afip.received]
    assert paths == ["/ws/services/LoginCms", "/WSCDC/service.asmx"]
    sent = afip.received[1][1]
    fields = {
        name: sent.findtext(f"{{{WSCDC_NS}}}CmpReq/{{{WSCDC_NS}}}{name}")
        for name in (
            "CbteModo",
            "CuitEmisor",
            "PtoVta",
            "CbteTipo",
            "CbteNro",
            "CbteFch",
            "ImpTotal",
            "CodAutorizacion",
            "DocTipoReceptor",
            "DocNroReceptor",
        )
    }
    assert fields == {
        "CbteModo": "CAE",
        "CuitEmisor": sup.cuit,
        "PtoVta": "3",
        "CbteTipo": "6",
        "CbteNro": "1234",
        "CbteFch": "20250203",
        "ImpTotal": "496100.0",
        "CodAutorizacion": "75123456789012",
        "DocTipoReceptor": "80",
        "DocNroReceptor": "30999999995",
    }
    assert sent.findtext(f"{{{WSCDC_NS}}}Auth/{{{WSCDC_NS}}}Cuit") == "30999999995"
    assert afip.received[0][1].tag == f"{{{WSAA_NS}}}loginCms"


def test_the_login_ticket_is_reused(afip, qr_invoice, buyer) -> None:
    sup, invoice = qr_invoice
    afip_check.check_invoice(invoice_id=invoice.pk)  # unknown: rejected
    Invoice.objects.filter(pk=invoice.pk).update(afip_check="pending")
    afip_check.check_invoice(invoice_id=invoice.pk)
    # Asking WSAA again would be refused (coe.alreadyAuthenticated): the ticket is cached.
    assert [path for path, _request in afip.received].count("/ws/services/LoginCms") == 1


def test_an_unknown_cae_is_held_with_afips_words(afip, qr_invoice, clerk) -> None:
    sup, invoice = qr_invoice
    assert afip_check.check_invoice(invoice_id=invoice.pk) == "rejected"
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ON_HOLD
    assert [hold.explanation for hold in invoice.holds.all()] == [
        "AFIP does not confirm the voucher: 100: El N° de CAI/CAE/CAEA consultado no existe "
        "en las bases del organismo"
    ]
    task = review_task(invoice)
    review.claim(task_id=task.pk, user=clerk)
    with pytest.raises(ActionRefused, match="cannot be released by hand"):
        review.decide(task_id=task.pk, user=clerk, action="release", message="Lo conozco")


def test_a_different_amount_is_rejected(afip, qr_invoice) -> None:
    sup, invoice = qr_invoice
    known_voucher(afip, sup, total="49610")
    assert afip_check.check_invoice(invoice_id=invoice.pk) == "rejected"
    invoice.refresh_from_db()
    assert "ImpTotal" in invoice.afip_message


def test_when_afip_is_down_the_invoice_waits_visibly_and_is_checked_again(afip, qr_invoice) -> None:
    sup, invoice = qr_invoice
    known_voucher(afip, sup)
    afip.down = True
    assert afip_check.check_invoice(invoice_id=invoice.pk) == "unavailable"
    invoice.refresh_from_db()
    assert (invoice.status, invoice.afip_check) == (Invoice.Status.ON_HOLD, "unavailable")
    assert [hold.explanation for hold in invoice.holds.all()] == [
        "AFIP did not answer: the voucher is checked again later."
    ]
    Invoice.objects.filter(pk=invoice.pk).update(
        afip_checked_at=timezone.now() - timedelta(minutes=10)
    )
    assert afip_check.recheck_waiting() == 1
    afip.down = False
    assert afip_check.check_invoice(invoice_id=invoice.pk) == "approved"
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.MATCHED


def test_a_certificate_afip_does_not_trust_is_an_error_not_an_approval(
    afip, qr_invoice, settings, tmp_path
) -> None:
    sup, invoice = qr_invoice
    known_voucher(afip, sup)
    afip.trusted_certificate = b"another"
    with pytest.raises(Exception, match="cms.cert.untrusted"):
        afip_check.check_invoice(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert invoice.afip_check == "pending"


def test_a_factura_a_is_refused_because_the_municipality_is_vat_exempt(buyer) -> None:
    sup, user = factories.supplier("71234567")
    po = factories.order(sup, buyer, [factories.line("Toner", 4, "80000.00", kind="service")])
    with pytest.raises(intake.InvoiceRejected) as caught:
        intake.submit_afip_qr(
            supplier=sup,
            user=user,
            pdf=factories.pdf(),
            qr_text=qr(sup, "96800", voucher_type=1),
            purchase_order=po,
            lines=entries(po, 1),
        )
    assert caught.value.code == "wrong-letter"
    assert caught.value.detail == (
        "The voucher is a Factura A, but the municipality is VAT exempt: "
        "VAT registered (Responsable Inscripto) suppliers issue it letter B."
    )
    assert not Invoice.objects.exists()
