"""The remittance in pain.001: free text cut at 140 characters by default; structured
(each invoice, credit note and withholding) with the exporter for banks that take it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from payables.exporters import BANK_FILES, debtor_from_settings, pain001
from payables.models import PaymentOrderItem
from suppliers.models import Invoice

from .test_money_safety import exported  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
NS = {"p": pain001.NAMESPACE}


def with_credit_note(order):
    """Add a credit note of 12,100 to the order's invoice of 121,000."""
    invoice = order.items.get().invoice
    note = Invoice.objects.get(pk=invoice.pk)
    note.pk = None
    note.kind, note.voucher_key, note.token = Invoice.Kind.CREDIT_NOTE, "nc:1", "n" * 32
    note.number = "NC-0001-00000042"
    note.payable_total = Decimal("12100.00")
    note.process = None
    note.save()
    PaymentOrderItem.objects.create(order=order, invoice=note, amount=Decimal("-12100.00"))
    return invoice, note


def export(order, batch, key):
    exporter = BANK_FILES.get(key)
    orders = list(
        type(order)
        .objects.filter(pk=order.pk)
        .select_related("supplier")
        .prefetch_related("items__invoice", "withholdings")
    )
    content = exporter.export(batch, orders, debtor_from_settings()).content
    root = etree.fromstring(content)
    assert pain001.schema().validate(root), pain001.schema().error_log
    return root


def test_structured_remittance_names_each_document_and_withholding(exported) -> None:  # noqa: F811
    order, batch = exported
    invoice, note = with_credit_note(order)
    root = export(order, batch, "pain.001.001.09-strd")
    remittance = root.find(".//p:CdtTrfTxInf/p:RmtInf", NS)
    assert remittance.find("p:Ustrd", NS) is None
    blocks = remittance.findall("p:Strd", NS)
    documents = [
        (
            block.findtext("p:RfrdDocInf/p:Tp/p:CdOrPrtry/p:Cd", namespaces=NS),
            block.findtext("p:RfrdDocInf/p:Nb", namespaces=NS),
            block.findtext("p:RfrdDocInf/p:RltdDt", namespaces=NS),
            block.findtext("p:RfrdDocAmt/p:DuePyblAmt", namespaces=NS)
            or block.findtext("p:RfrdDocAmt/p:CdtNoteAmt", namespaces=NS),
        )
        for block in blocks[:-1]
    ]
    assert documents == [
        ("CINV", invoice.number, invoice.issue_date.isoformat(), "121000.00"),
        ("CREN", "NC-0001-00000042", note.issue_date.isoformat(), "12100.00"),
    ]
    summary = blocks[-1]
    assert summary.findtext("p:RfrdDocInf/p:Tp/p:CdOrPrtry/p:Prtry", namespaces=NS) == (
        "ORDEN DE PAGO"
    )
    assert summary.findtext("p:RfrdDocInf/p:Nb", namespaces=NS) == order.reference
    adjustments = [
        (
            item.findtext("p:Amt", namespaces=NS),
            item.findtext("p:CdtDbtInd", namespaces=NS),
            item.findtext("p:AddtlInf", namespaces=NS)[:14],
        )
        for item in summary.findall("p:RfrdDocAmt/p:AdjstmntAmtAndRsn", NS)
    ]
    # Gross 121,000; income tax 656.60 and social security 1,000 withheld; net 119,343.40.
    assert adjustments == [
        ("656.60", "DBIT", "Retención 094 "),
        ("1000.00", "DBIT", "Retención RG17"),
    ]
    assert summary.findtext("p:RfrdDocAmt/p:DuePyblAmt", namespaces=NS) == "121000.00"
    assert summary.findtext("p:RfrdDocAmt/p:RmtdAmt", namespaces=NS) == "119343.40"
    assert root.findtext(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", namespaces=NS) == "119343.40"


def test_default_exporter_keeps_one_line_of_free_text(exported) -> None:  # noqa: F811
    order, batch = exported
    invoice, _note = with_credit_note(order)
    root = export(order, batch, "pain.001.001.09")
    remittance = root.find(".//p:CdtTrfTxInf/p:RmtInf", NS)
    assert remittance.find("p:Strd", NS) is None
    text = remittance.findtext("p:Ustrd", namespaces=NS)
    assert text == f"{order.reference} {invoice.number}, NC-0001-00000042"
