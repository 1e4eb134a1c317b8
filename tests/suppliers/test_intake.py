"""Invoice intake through the service: every shared sample is stored and matched against
a purchase order prepared for it, and each kind of bad submission is refused, precisely,
with nothing stored."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.identifiers import make_cuit
from suppliers.einvoice import InvoiceRejected, build_qr_url, parse_invoice_file
from suppliers.models import Invoice, InvoiceLine
from suppliers.services import afip_check, intake

from . import factories
from .test_einvoice_parsing import SAMPLE_FILES

pytestmark = pytest.mark.django_db

# Holds the strict default tolerances put on samples whose document-level allowances,
# charges or corrections make the total differ from the order's prices.
EXPECTED_HOLDS = {
    "EN16931_1_Teilrechnung": {"total"},
    "EN16931_Kraftfahrversicherung_Bruttopreise": {"total"},
    "EN16931_Rabatte": {"total"},
    # A correction crediting quantities never invoiced, with a document-level allowance.
    "EN16931_Rechnungskorrektur": {"qty_invoiced", "total"},
    # Insurance tax as a document-level charge.
    "EN16931_Sachversicherung_berechneter_Steuersatz": {"total"},
}


def submit(path: Path, sup, user, po=None) -> Invoice:
    data = path.read_bytes()
    if path.suffix == ".pdf":
        return intake.submit_structured(
            supplier=sup, user=user, pdf=factories.pdf(path.name, data), purchase_order=po
        )
    return intake.submit_structured(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        source=factories.xml(path.name, data),
        purchase_order=po,
    )


def stem(path: Path) -> str:
    return path.name.split(".")[0]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_is_stored_and_matched(path: Path, buyer) -> None:
    parsed = parse_invoice_file(path.read_bytes(), path.name)
    sup, user = factories.supplier(foreign_ids=parsed.seller_tax_ids)
    po = factories.order_for(parsed, sup, buyer)

    invoice = submit(path, sup, user, None if parsed.po_reference else po)

    assert invoice.number == parsed.number
    assert invoice.format == {"UBL": "ubl", "CII": "cii", "FX": "facturx"}[path.parent.name]
    assert invoice.purchase_order == po
    assert invoice.po_reference == (parsed.po_reference or "")
    assert invoice.po_proposed_from == ("reference" if parsed.po_reference else "supplier")
    assert (invoice.net_total, invoice.tax_total, invoice.payable_total) == (
        parsed.net_total,
        parsed.tax_total,
        parsed.payable_total,
    )
    lines = list(invoice.lines.order_by("position"))
    assert [(line.quantity, line.net_amount) for line in lines] == [
        (line.quantity, line.net_amount) for line in parsed.lines
    ]
    assert all(line.po_line is not None for line in lines)
    expected = EXPECTED_HOLDS.get(stem(path), set())
    assert {hold.code for hold in invoice.holds.all()} == expected
    assert invoice.status == (Invoice.Status.ON_HOLD if expected else Invoice.Status.MATCHED)
    assert invoice.process.task_set.filter(flow_task_type="HUMAN", status="NEW").exists()


@pytest.mark.parametrize("folder", ["UBL", "CII", "FX"])
def test_two_partial_invoices_accumulate_on_one_order(folder: str, buyer) -> None:
    factories.tolerance(total=Decimal(5))  # the first carries a shipping charge and a discount
    suffix = {"UBL": ".ubl.xml", "CII": ".cii.xml", "FX": ".pdf"}[folder]
    first_path = factories.SAMPLES / folder / f"EN16931_1_Teilrechnung{suffix}"
    second_path = factories.SAMPLES / folder / f"EN16931_2_Teilrechnung{suffix}"
    first = parse_invoice_file(first_path.read_bytes(), first_path.name)
    sup, user = factories.supplier(foreign_ids=first.seller_tax_ids)
    po = factories.order_for(first, sup, buyer)
    sfk5 = po.lines.get(item_code="SFK5")
    sfk5.quantity = Decimal(5)  # one ordered on the first invoice, four on the second
    sfk5.received_quantity = Decimal(5)
    sfk5.save()

    assert submit(first_path, sup, user).status == Invoice.Status.MATCHED
    sfk5.refresh_from_db()
    assert sfk5.invoiced_quantity == 1
    second = submit(second_path, sup, user)

    assert second.status == Invoice.Status.MATCHED
    assert second.purchase_order == po
    sfk5.refresh_from_db()
    assert sfk5.invoiced_quantity == 5
    assert {line.item_code: line.invoiced_quantity for line in po.lines.all()} == {
        "KR3M": 3,
        "SFK5": 5,
        "GTRWA5": 20,
        "PFA5": 20,
    }


def test_order_is_proposed_from_the_totals(buyer) -> None:
    path = factories.SAMPLES / "UBL" / "EN16931_Einfach.ubl.xml"
    parsed = parse_invoice_file(path.read_bytes())
    sup, user = factories.supplier(foreign_ids=parsed.seller_tax_ids)
    factories.order(sup, buyer, [factories.line("Something else", 1, 99)])
    po = factories.order_for(parsed, sup, buyer)

    invoice = submit(path, sup, user)

    assert (invoice.purchase_order, invoice.po_proposed_from) == (po, "totals")
    assert invoice.status == Invoice.Status.MATCHED


def test_a_credit_note_takes_back_what_was_invoiced(buyer) -> None:
    path = factories.SAMPLES / "CII" / "EN16931_Einfach.cii.xml"
    data = path.read_bytes()
    parsed = parse_invoice_file(data)
    sup, user = factories.supplier(foreign_ids=parsed.seller_tax_ids)
    po = factories.order_for(parsed, sup, buyer)
    submit(path, sup, user, po)
    credit = data.replace(b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:TypeCode>381</ram:TypeCode>")

    note = intake.submit_structured(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        source=factories.xml("nc.xml", credit),
        purchase_order=po,
    )

    assert (note.kind, note.status) == (Invoice.Kind.CREDIT_NOTE, Invoice.Status.MATCHED)
    assert note.amount_due == Decimal("-529.87")
    assert all(line.invoiced_quantity == 0 for line in po.lines.all())


# --- refusals: a precise reason and nothing stored -----------------------------------------


@pytest.fixture
def einfach(buyer):
    path = factories.SAMPLES / "UBL" / "EN16931_Einfach.ubl.xml"
    parsed = parse_invoice_file(path.read_bytes())
    sup, user = factories.supplier(foreign_ids=parsed.seller_tax_ids)
    po = factories.order_for(parsed, sup, buyer)
    return path.read_bytes(), sup, user, po


def test_malformed_xml_is_refused(einfach) -> None:
    data, sup, user, po = einfach
    with pytest.raises(InvoiceRejected) as caught:
        intake.submit_structured(
            supplier=sup, user=user, pdf=factories.pdf(), source=factories.xml("f.xml", data[:900])
        )
    assert caught.value.code == "malformed-xml"
    assert Invoice.objects.count() == InvoiceLine.objects.count() == 0


def test_an_invoice_of_another_supplier_is_refused(einfach, buyer) -> None:
    data, _sup, _user, _po = einfach
    other, other_user = factories.supplier("22222222", name="Otra SA")
    with pytest.raises(InvoiceRejected) as caught:
        intake.submit_structured(
            supplier=other,
            user=other_user,
            pdf=factories.pdf(),
            source=factories.xml("f.xml", data),
        )
    assert caught.value.code == "seller-mismatch"
    assert "201/113/40209, DE123456789 (Lieferant GmbH)" in caught.value.detail
    assert make_cuit("30", "22222222") in caught.value.detail
    assert Invoice.objects.count() == 0


def test_lines_that_do_not_add_up_are_refused(einfach) -> None:
    data, sup, user, _po = einfach
    tampered = data.replace(
        b'<cbc:LineExtensionAmount currencyID="EUR">198</cbc:LineExtensionAmount>',
        b'<cbc:LineExtensionAmount currencyID="EUR">199</cbc:LineExtensionAmount>',
    )
    with pytest.raises(InvoiceRejected) as caught:
        intake.submit_structured(
            supplier=sup, user=user, pdf=factories.pdf(), source=factories.xml("f.xml", tampered)
        )
    assert caught.value.code == "line-sum-mismatch"
    assert (
        caught.value.detail
        == "The 2 line net amounts add up to 474 but LineExtensionAmount is 473."
    )
    assert Invoice.objects.count() == 0


def test_a_duplicate_is_refused_and_a_look_alike_is_held(einfach) -> None:
    data, sup, user, po = einfach
    first = intake.submit_structured(
        supplier=sup, user=user, pdf=factories.pdf(), source=factories.xml("f.xml", data)
    )
    with pytest.raises(InvoiceRejected) as caught:
        intake.submit_structured(
            supplier=sup, user=user, pdf=factories.pdf(), source=factories.xml("f.xml", data)
        )
    assert caught.value.code == "duplicate"
    assert caught.value.detail.startswith("Invoice 471102 was already submitted on ")
    assert Invoice.objects.count() == 1

    renumbered = data.replace(b"<cbc:ID>471102</cbc:ID>", b"<cbc:ID>471102-B</cbc:ID>")
    look_alike = intake.submit_structured(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        source=factories.xml("g.xml", renumbered),
        purchase_order=po,
    )
    holds = {hold.code: hold.params for hold in look_alike.holds.all()}
    assert holds["duplicate"] == {"number": first.number}
    assert look_alike.status == Invoice.Status.ON_HOLD


def stored_invoice_files(sup) -> list[str]:
    from django.core.files.storage import default_storage

    try:
        return default_storage.listdir(f"suppliers/{sup.pk}/invoices")[1]
    except FileNotFoundError:  # local files: no folder yet
        return []


def submit_xml(sup, user, data: bytes) -> Invoice:
    return intake.submit_structured(
        supplier=sup, user=user, pdf=factories.pdf(), source=factories.xml("f.xml", data)
    )


def test_a_thirty_digit_quantity_is_refused_not_stored(einfach) -> None:
    data, sup, user, _po = einfach
    huge = data.replace(
        b'<cbc:InvoicedQuantity unitCode="H87">20</cbc:InvoicedQuantity>',
        b'<cbc:InvoicedQuantity unitCode="H87">' + b"9" * 30 + b"</cbc:InvoicedQuantity>",
    )
    with pytest.raises(InvoiceRejected) as caught:
        submit_xml(sup, user, huge)
    assert caught.value.code == "invalid-value"
    assert caught.value.detail == (
        "InvoiceLine 1: cbc:InvoicedQuantity is 999999999999999999999999999999; numbers have "
        "at most 13 digits before the decimal point and 10 after it."
    )
    # Within the reader's bounds but beyond the column (10 digits before the point).
    big = data.replace(
        b'<cbc:InvoicedQuantity unitCode="H87">20</cbc:InvoicedQuantity>',
        b'<cbc:InvoicedQuantity unitCode="H87">123456789012</cbc:InvoicedQuantity>',
    )
    with pytest.raises(InvoiceRejected) as caught:
        submit_xml(sup, user, big)
    assert caught.value.detail == (
        "The quantity of line 1 is 123456789012; at most 10 digits before the decimal point "
        "are accepted."
    )
    assert Invoice.objects.count() == 0 and stored_invoice_files(sup) == []


def test_an_over_long_invoice_number_is_refused_not_cut(einfach) -> None:
    data, sup, user, _po = einfach
    number = "F" * 100
    renumbered = data.replace(b"<cbc:ID>471102</cbc:ID>", f"<cbc:ID>{number}</cbc:ID>".encode())
    with pytest.raises(InvoiceRejected) as caught:
        submit_xml(sup, user, renumbered)
    assert caught.value.code == "invalid-value"
    assert caught.value.detail == (
        f"The invoice number (BT-1) is 100 characters long ({'F' * 30}…); at most 60 are accepted."
    )
    assert Invoice.objects.count() == 0 and stored_invoice_files(sup) == []


def test_files_of_an_upload_that_fails_after_storing_them_are_deleted(einfach, monkeypatch) -> None:
    from django.db import DatabaseError

    data, sup, user, _po = einfach

    def broken(invoice_ids):
        raise DatabaseError("the database went away after the files were stored")

    monkeypatch.setattr(intake, "match_invoices", broken)
    with pytest.raises(DatabaseError):
        submit_xml(sup, user, data)
    assert Invoice.objects.count() == 0
    assert stored_invoice_files(sup) == []

    monkeypatch.undo()
    invoice = submit_xml(sup, user, data)
    assert sorted(stored_invoice_files(sup)) == sorted(
        name.rsplit("/", 1)[1] for name in (invoice.pdf.name, invoice.source.name)
    )


def test_a_chosen_order_must_agree_with_the_reference(buyer) -> None:
    path = factories.SAMPLES / "CII" / "EN16931_2_Teilrechnung.cii.xml"
    parsed = parse_invoice_file(path.read_bytes())
    sup, user = factories.supplier(foreign_ids=parsed.seller_tax_ids)
    factories.order_for(parsed, sup, buyer)
    other = factories.order(sup, buyer, [factories.line("X", 1, 1)])
    with pytest.raises(InvoiceRejected) as caught:
        submit(path, sup, user, other)
    assert caught.value.code == "po-mismatch"
    assert "refers to purchase order 2018-471331" in caught.value.detail


def test_an_unverified_supplier_cannot_submit(einfach) -> None:
    data, sup, user, _po = einfach
    sup.status = sup.Status.PENDING
    sup.save()
    with pytest.raises(InvoiceRejected) as caught:
        intake.submit_structured(
            supplier=sup, user=user, pdf=factories.pdf(), source=factories.xml("f.xml", data)
        )
    assert caught.value.code == "supplier-not-active"


# --- Argentine electronic invoices (QR) and manual entry -----------------------------------


@pytest.fixture
def ars_order(buyer):
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
    return sup, user, po


def qr(sup, total: str, **changes) -> str:
    values = {
        "cuit": sup.cuit,
        "issue_date": date(2025, 2, 3),
        "point_of_sale": 3,
        "voucher_type": 6,
        "voucher_number": 1234,
        "total": Decimal(total),
        "cae": "75123456789012",
        "receiver_document_type": 80,
        "receiver_document_number": "30999999995",
    }
    return build_qr_url(**{**values, **changes})


def entries(po, *quantities):
    return [
        intake.LineEntry(po_line=line, quantity=Decimal(q))
        for line, q in zip(po.lines.order_by("line_number"), quantities, strict=True)
    ]


def test_qr_invoice_is_checked_and_matched(ars_order, settings) -> None:
    sup, user, po = ars_order
    # 50 reams at 5,000 plus 2 toners at 80,000, with 21 % VAT: 496,100.
    invoice = intake.submit_afip_qr(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        qr_text=qr(sup, "496100"),
        purchase_order=po,
        lines=entries(po, 50, 2),
    )
    # Held until AFIP confirms the voucher (here the demo checker does).
    assert [hold.code for hold in invoice.holds.all()] == ["afip"]
    settings.SUPPLIERS_AFIP_CHECKER = "demo"
    assert afip_check.check_invoice(invoice_id=invoice.pk) == "approved"
    invoice.refresh_from_db()

    assert invoice.status == Invoice.Status.MATCHED, list(invoice.holds.values("code", "params"))
    assert (invoice.number, invoice.afip_cae, invoice.afip_point_of_sale) == (
        "00003-00001234",
        "75123456789012",
        3,
    )
    assert invoice.voucher_key == "afip:6:3:1234"
    assert (invoice.net_total, invoice.tax_total, invoice.payable_total) == (
        Decimal("410000.00"),
        Decimal("86100.00"),
        Decimal("496100"),
    )


def test_qr_amount_that_differs_from_the_order_is_held(ars_order) -> None:
    sup, user, po = ars_order
    invoice = intake.submit_afip_qr(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        qr_text=qr(sup, "500000"),
        purchase_order=po,
        lines=entries(po, 50, 2),
    )
    assert invoice.status == Invoice.Status.ON_HOLD
    assert [(hold.code, hold.params) for hold in invoice.holds.all()] == [
        ("total", {"invoiced": "500000", "expected": "496100"}),
        ("afip", {"check": "pending", "message": ""}),
    ]


def test_qr_of_another_cuit_is_refused(ars_order) -> None:
    sup, user, po = ars_order
    with pytest.raises(InvoiceRejected) as caught:
        intake.submit_afip_qr(
            supplier=sup,
            user=user,
            pdf=factories.pdf(),
            qr_text=qr(sup, "496100", cuit=make_cuit("20", "12345678")),
            purchase_order=po,
            lines=entries(po, 50, 2),
        )
    assert caught.value.code == "seller-mismatch"
    assert Invoice.objects.count() == 0


def test_qr_to_another_buyer_is_refused(ars_order) -> None:
    sup, user, po = ars_order
    with pytest.raises(InvoiceRejected) as caught:
        intake.submit_afip_qr(
            supplier=sup,
            user=user,
            pdf=factories.pdf(),
            qr_text=qr(sup, "496100", receiver_document_number=make_cuit("30", "11111111")),
            purchase_order=po,
            lines=entries(po, 50, 2),
        )
    assert caught.value.code == "buyer-mismatch"


def test_same_qr_twice_is_a_duplicate(ars_order) -> None:
    sup, user, po = ars_order
    kwargs = dict(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        qr_text=qr(sup, "496100"),
        purchase_order=po,
        lines=entries(po, 50, 2),
    )
    intake.submit_afip_qr(**kwargs)
    with pytest.raises(InvoiceRejected) as caught:
        intake.submit_afip_qr(**kwargs)
    assert caught.value.code == "duplicate"


def header(**changes) -> intake.ManualHeader:
    values = dict(
        kind="invoice",
        number="0003-00000077",
        issue_date=date(2025, 2, 3),
        due_date=None,
        net_total=Decimal("250000.00"),
        tax_total=Decimal("52500.00"),
        total=Decimal("302500.00"),
    )
    return intake.ManualHeader(**{**values, **changes})


def test_manual_entry(ars_order) -> None:
    sup, user, po = ars_order
    invoice = intake.submit_manual(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        header=header(),
        purchase_order=po,
        lines=entries(po, 50, 0),
    )
    assert invoice.format == Invoice.Format.MANUAL
    assert invoice.status == Invoice.Status.MATCHED
    assert invoice.lines.get().po_line.item_code == "RES-A4"


def test_manual_lines_must_add_up(ars_order) -> None:
    sup, user, po = ars_order
    with pytest.raises(InvoiceRejected) as caught:
        intake.submit_manual(
            supplier=sup,
            user=user,
            pdf=factories.pdf(),
            header=header(net_total=Decimal("260000.00"), total=Decimal("312500.00")),
            purchase_order=po,
            lines=entries(po, 50, 0),
        )
    assert caught.value.code == "line-sum-mismatch"
    assert (
        caught.value.detail
        == "The 1 line net amounts add up to 250000.00 but net total is 260000.00."
    )
    assert Invoice.objects.count() == 0


# --- The QR read from the voucher PDF (issue 10, item 9) -----------------------------------


def test_qr_is_read_from_the_voucher_pdf(ars_order) -> None:
    sup, user, po = ars_order
    invoice = intake.submit_afip_qr(
        supplier=sup,
        user=user,
        pdf=factories.voucher_pdf(qr(sup, "496100")),
        qr_text=None,
        purchase_order=po,
        lines=entries(po, 50, 2),
    )
    assert (invoice.number, invoice.afip_cae, invoice.payable_total) == (
        "00003-00001234",
        "75123456789012",
        Decimal("496100"),
    )
    assert invoice.voucher_key == "afip:6:3:1234"


def test_voucher_pdf_without_a_qr_is_refused_and_nothing_is_stored(ars_order) -> None:
    sup, user, po = ars_order
    with pytest.raises(InvoiceRejected) as caught:
        intake.submit_afip_qr(
            supplier=sup,
            user=user,
            pdf=factories.voucher_pdf(None),
            qr_text=None,
            purchase_order=po,
            lines=entries(po, 50, 2),
        )
    assert caught.value.code == "no-qr"
    assert Invoice.objects.count() == 0


def test_pdf_whose_qr_is_not_afips_is_refused(ars_order) -> None:
    sup, user, po = ars_order
    with pytest.raises(InvoiceRejected) as caught:
        intake.submit_afip_qr(
            supplier=sup,
            user=user,
            pdf=factories.voucher_pdf("https://example.com/pay?id=42"),
            qr_text=None,
            purchase_order=po,
            lines=entries(po, 50, 2),
        )
    assert caught.value.code == "no-qr"
    assert "1 QR code, not AFIP's" in caught.value.detail


def test_qr_on_the_pdf_dated_in_the_future_is_refused(ars_order) -> None:
    sup, user, po = ars_order
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(InvoiceRejected) as caught:
        intake.submit_afip_qr(
            supplier=sup,
            user=user,
            pdf=factories.voucher_pdf(qr(sup, "496100", issue_date=tomorrow)),
            qr_text=None,
            purchase_order=po,
            lines=entries(po, 50, 2),
        )
    assert caught.value.code == "future-date"
    assert Invoice.objects.count() == 0


def test_qr_in_pesos_with_an_exchange_rate_is_refused_from_the_pdf(ars_order) -> None:
    sup, user, po = ars_order
    url = qr(sup, "496100")
    payload = json.loads(base64.b64decode(url.split("p=")[1]))
    payload["ctz"] = 1050
    forged = f"https://www.afip.gob.ar/fe/qr/?p={base64.b64encode(json.dumps(payload).encode()).decode()}"
    with pytest.raises(InvoiceRejected) as caught:
        intake.submit_afip_qr(
            supplier=sup,
            user=user,
            pdf=factories.voucher_pdf(forged),
            qr_text=None,
            purchase_order=po,
            lines=entries(po, 50, 2),
        )
    assert caught.value.code == "invalid-qr"
    assert "ctz" in caught.value.detail


def test_order_page_reads_the_qr_from_the_pdf_without_a_pasted_link(ars_order, client) -> None:
    sup, user, po = ars_order
    client.force_login(user)
    upload = factories.voucher_pdf(qr(sup, "496100"))
    line_1, line_2 = po.lines.order_by("line_number")
    response = client.post(
        reverse("suppliers:order_invoice", args=[po.pk]),
        {
            "method": "qr",
            "pdf": SimpleUploadedFile("factura.pdf", upload.content, "application/pdf"),
            f"qty_{line_1.pk}": "50",
            f"qty_{line_2.pk}": "2",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert Invoice.objects.get().number == "00003-00001234"
    assert "00003-00001234" in response.content.decode()
