"""Bank statements as ISO 20022 camt.053 and camt.054: booked debits confirm payments by
end-to-end id, returns free the order, a second import changes nothing, and a malformed
or hostile file is refused before anything changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.errors import ActionRefused
from core.models import AuditEvent
from payables.models import BankTransfer, PaymentBatch, PaymentOrder
from payables.services.bank_statement import import_bank_message, import_camt

from .test_money_safety import exported  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
YESTERDAY = timezone.localdate() - timedelta(days=1)


def entry(e2e, amount, *, debit=True, status="BOOK", returned="", new_status=True):
    sts = f"<Sts><Cd>{status}</Cd></Sts>" if new_status else f"<Sts>{status}</Sts>"
    ret = f"<RtrInf><Rsn><Cd>{returned}</Cd></Rsn></RtrInf>" if returned else ""
    return (
        f'<Ntry><Amt Ccy="ARS">{amount}</Amt><CdtDbtInd>{"DBIT" if debit else "CRDT"}</CdtDbtInd>'
        f"{sts}<BookgDt><Dt>{YESTERDAY.isoformat()}</Dt></BookgDt>"
        "<BkTxCd/><NtryDtls><TxDtls><Refs>"
        f"<EndToEndId>{e2e}</EndToEndId></Refs>"
        f'<AmtDtls><TxAmt><Amt Ccy="ARS">{amount}</Amt></TxAmt></AmtDtls>{ret}'
        "</TxDtls></NtryDtls></Ntry>"
    )


def camt053(*entries: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>EXT-1</MsgId><CreDtTm>2026-03-02T08:00:00</CreDtTm></GrpHdr>"
        "<Stmt><Id>1</Id><Acct><Id><Othr><Id>0110001</Id></Othr></Id></Acct>"
        f"{''.join(entries)}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def camt054(*entries: str) -> bytes:
    return (
        '<?xml version="1.0"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn>'
        "<GrpHdr><MsgId>N-1</MsgId><CreDtTm>2026-03-02T08:00:00</CreDtTm></GrpHdr>"
        f"<Ntfctn><Id>1</Id>{''.join(entries)}</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"
    ).encode()


def test_a_booked_debit_confirms_the_order_once(exported, clerk) -> None:  # noqa: F811
    order, batch = exported
    content = camt053(
        entry(order.reference, "119343.40"),
        entry("OP-999999", "10.00"),
        entry("NOTPROVIDED", "5.00"),  # a bank fee: not ours, not reported
    )
    report = import_camt(content=content, actor=clerk)
    assert report.message == "camt.053.001.08"
    assert [o.reference for o in report.paid] == [order.reference]
    assert report.ignored == [("OP-999999", "No transfer has this end-to-end id.")]
    order.refresh_from_db()
    batch.refresh_from_db()
    assert (order.status, order.paid_on) == (PaymentOrder.Status.PAID, YESTERDAY)
    assert batch.status == PaymentBatch.Status.PAID
    assert BankTransfer.objects.get(end_to_end_id=order.reference).outcome == "paid"
    paid_audit = AuditEvent.objects.filter(action="payment_order.paid")
    assert paid_audit.get().after["source"] == "camt.053.001.08"

    audit_count = AuditEvent.objects.count()
    again = import_camt(content=content, actor=clerk)
    assert (again.paid, again.rejected) == ([], [])
    assert (order.reference, "Already confirmed.") in again.ignored
    assert AuditEvent.objects.count() == audit_count  # nothing changed


def test_a_different_amount_or_a_pending_entry_confirms_nothing(exported, clerk) -> None:  # noqa: F811
    order, _batch = exported
    report = import_camt(
        content=camt053(
            entry(order.reference, "121000.00"),  # the gross, not what was sent
            entry(order.reference, "119343.40", status="PDNG"),
        ),
        actor=clerk,
    )
    assert report.paid == []
    assert report.ignored == [
        (order.reference, "The amount 121000.00 differs from the order's 119343.40."),
        (order.reference, "The entry is not booked yet."),
    ]
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.IN_BATCH


def test_a_returned_transfer_in_camt054_frees_the_order_once(exported, clerk) -> None:  # noqa: F811
    order, _batch = exported
    content = camt054(
        entry(order.reference, "119343.40", debit=False, returned="AC04", new_status=False)
    )
    report = import_bank_message(content=content, actor=clerk)
    assert report.message == "camt.054.001.02"
    assert [o.reference for o in report.rejected] == [order.reference]
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.OPEN
    transfer = BankTransfer.objects.get(end_to_end_id=order.reference)
    assert (transfer.outcome, transfer.note) == ("rejected", "camt.054.001.02 return AC04")
    again = import_bank_message(content=content, actor=clerk)
    assert again.ignored == [(order.reference, "This transfer was already settled.")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<Document", "not well-formed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]>'
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&x;</Document>',
            "not a bank message",
        ),
        (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"/>', "not a bank"),
    ],
)
def test_malformed_or_hostile_files_are_refused_and_change_nothing(
    exported,  # noqa: F811
    clerk,
    content,
    message,
) -> None:
    order, _batch = exported
    before = AuditEvent.objects.count()
    with pytest.raises(ActionRefused, match=message):
        import_bank_message(content=content, actor=clerk)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.IN_BATCH
    assert AuditEvent.objects.count() == before


def test_the_statement_page_takes_a_camt053(client, exported, clerk) -> None:  # noqa: F811
    order, _batch = exported
    client.force_login(clerk)
    response = client.post(
        reverse("payables:statement"),
        {"file": SimpleUploadedFile("extracto.xml", camt053(entry(order.reference, "119343.40")))},
    )
    assert "1 pago confirmado." in response.content.decode()
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID
    broken = client.post(
        reverse("payables:statement"), {"file": SimpleUploadedFile("x.xml", b"<Document")}
    )
    assert "no es XML bien formado" in broken.content.decode()


def test_a_pain002_rejecting_the_whole_file_frees_its_orders_once(exported, clerk) -> None:  # noqa: F811
    order, batch = exported
    content = (
        '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">'
        "<CstmrPmtStsRpt><GrpHdr><MsgId>S2</MsgId><CreDtTm>2026-03-01T10:00:00</CreDtTm></GrpHdr>"
        f"<OrgnlGrpInfAndSts><OrgnlMsgId>{batch.reference}</OrgnlMsgId>"
        "<OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId><GrpSts>RJCT</GrpSts></OrgnlGrpInfAndSts>"
        "</CstmrPmtStsRpt></Document>"
    ).encode()
    report = import_bank_message(content=content, actor=clerk)
    assert [o.reference for o in report.rejected] == [order.reference]
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.OPEN
    again = import_bank_message(content=content, actor=clerk)
    assert (again.rejected, again.paid) == ([], [])
