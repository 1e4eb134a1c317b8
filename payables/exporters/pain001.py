"""ISO 20022 customer credit transfer initiation, pain.001.001.09, for Argentine transfers.

Accounts are CBUs, given as proprietary ("Othr") account ids with the scheme name CBU,
and parties carry their CUIT; the creditor's bank is the CBU's first three digits as a
clearing system member id. Every file is validated against the official XSD (``schemas/``,
with its provenance) before it is handed out.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from functools import cache
from importlib.resources import files

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from suppliers.models import Invoice

from . import BankFile, Debtor, ExportRefused

logger = logging.getLogger(__name__)

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
MESSAGE = "pain.001.001.09"


@cache
def schema() -> etree.XMLSchema:
    with (files(__package__) / "schemas" / f"{MESSAGE}.xsd").open("rb") as handle:
        return etree.XMLSchema(etree.parse(handle))


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str):
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _path(parent: etree._Element, *tags: str, text: str | None = None) -> etree._Element:
    for tag in tags:
        parent = _sub(parent, tag)
    parent.text = text
    return parent


def _organisation_id(parent: etree._Element, cuit: str) -> None:
    other = _path(_sub(parent, "Id"), "OrgId", "Othr")
    _sub(other, "Id", cuit)
    _path(other, "SchmeNm", "Prtry", text="CUIT")


def _account(parent: etree._Element, cbu: str, currency: str | None = None) -> None:
    other = _path(parent, "Id", "Othr")
    _sub(other, "Id", cbu)
    _path(other, "SchmeNm", "Prtry", text="CBU")
    if currency:
        _sub(parent, "Ccy", currency)


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def _text(value: str, limit: int) -> str:
    return " ".join(value.split())[:limit] or "-"


def _money(parent: etree._Element, tag: str, value: Decimal, currency: str) -> None:
    _sub(parent, tag, _amount(value), Ccy=currency)


def _structured_remittance(remittance: etree._Element, order) -> None:
    """One ``Strd`` per invoice or credit note (type, number, date, amount), then one for
    the payment order: gross, each withholding as an adjustment, and the net remitted."""
    for item in order.items.all():
        invoice = item.invoice
        credit = invoice.kind == Invoice.Kind.CREDIT_NOTE
        block = _sub(remittance, "Strd")
        document = _sub(block, "RfrdDocInf")
        _path(document, "Tp", "CdOrPrtry", "Cd", text="CREN" if credit else "CINV")
        _sub(document, "Nb", _text(invoice.number, 35))
        _sub(document, "RltdDt", invoice.issue_date.isoformat())
        amounts = _sub(block, "RfrdDocAmt")
        _money(amounts, "CdtNoteAmt" if credit else "DuePyblAmt", abs(item.amount), order.currency)
    block = _sub(remittance, "Strd")
    document = _sub(block, "RfrdDocInf")
    _path(document, "Tp", "CdOrPrtry", "Prtry", text="ORDEN DE PAGO")
    _sub(document, "Nb", order.reference)
    amounts = _sub(block, "RfrdDocAmt")
    _money(amounts, "DuePyblAmt", order.gross_amount or order.amount, order.currency)
    for row in order.withholdings.all():
        if not row.amount:
            continue
        adjustment = _sub(amounts, "AdjstmntAmtAndRsn")
        _money(adjustment, "Amt", row.amount, order.currency)
        _sub(adjustment, "CdtDbtInd", "DBIT")
        _sub(adjustment, "Rsn", "RETE")
        _sub(adjustment, "AddtlInf", _text(f"Retención {row.regime} {row.description}", 140))
    _money(amounts, "RmtdAmt", order.amount, order.currency)


class Pain001Exporter:
    """``structured``: the remittance names each invoice, credit note and withholding
    (``RmtInf/Strd``), for banks that pass it on; otherwise one line of free text
    (``Ustrd``, 140 characters), which every bank takes."""

    demo = False

    def __init__(self, *, structured: bool = False) -> None:
        self.structured = structured
        self.key = f"{MESSAGE}-strd" if structured else MESSAGE
        self.label = (
            "ISO 20022 pain.001.001.09 (remesa estructurada)"
            if structured
            else "ISO 20022 pain.001.001.09"
        )

    def problems(self) -> list[str]:
        if not settings.PAYABLES_DEBTOR_CBU:
            return ["PAYABLES_DEBTOR_CBU is not set: files cannot name the paying account."]
        return []

    def export(self, batch, orders, debtor: Debtor) -> BankFile:
        if not debtor.cbu:
            raise ExportRefused(
                _("PAYABLES_DEBTOR_CBU is not set: the file needs the paying account.")
            )
        if not orders:
            raise ExportRefused(_("The batch has no payment orders."))
        total = sum((order.amount for order in orders), Decimal(0))
        document = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
        initiation = _sub(document, "CstmrCdtTrfInitn")
        header = _sub(initiation, "GrpHdr")
        _sub(header, "MsgId", batch.reference)
        _sub(header, "CreDtTm", timezone.localtime().replace(microsecond=0).isoformat())
        _sub(header, "NbOfTxs", str(len(orders)))
        _sub(header, "CtrlSum", _amount(total))
        initiating = _sub(header, "InitgPty")
        _sub(initiating, "Nm", _text(debtor.name, 140))
        _organisation_id(initiating, debtor.cuit)

        payment = _sub(initiation, "PmtInf")
        _sub(payment, "PmtInfId", batch.reference)
        _sub(payment, "PmtMtd", "TRF")
        _sub(payment, "NbOfTxs", str(len(orders)))
        _sub(payment, "CtrlSum", _amount(total))
        _path(payment, "ReqdExctnDt", "Dt", text=batch.execution_date.isoformat())
        payer = _sub(payment, "Dbtr")
        _sub(payer, "Nm", _text(debtor.name, 140))
        _organisation_id(payer, debtor.cuit)
        _account(_sub(payment, "DbtrAcct"), debtor.cbu, batch.currency)
        institution = _path(payment, "DbtrAgt", "FinInstnId")
        if debtor.bic:
            _sub(institution, "BICFI", debtor.bic)
        else:
            _path(institution, "ClrSysMmbId", "MmbId", text=debtor.cbu[:3])
        for order in orders:
            transfer = _sub(payment, "CdtTrfTxInf")
            identification = _sub(transfer, "PmtId")
            _sub(identification, "InstrId", order.reference)
            _sub(identification, "EndToEndId", order.end_to_end_id or order.reference)
            _sub(_sub(transfer, "Amt"), "InstdAmt", _amount(order.amount), Ccy=order.currency)
            _path(transfer, "CdtrAgt", "FinInstnId", "ClrSysMmbId", "MmbId", text=order.cbu[:3])
            payee = _sub(transfer, "Cdtr")
            _sub(payee, "Nm", _text(order.holder_name, 140))
            _organisation_id(payee, order.payee_cuit)
            _account(_sub(transfer, "CdtrAcct"), order.cbu)
            if self.structured:
                _structured_remittance(_sub(transfer, "RmtInf"), order)
            else:
                numbers = ", ".join(item.invoice.number for item in order.items.all())
                _path(transfer, "RmtInf", "Ustrd", text=_text(f"{order.reference} {numbers}", 140))
        content = etree.tostring(
            document, xml_declaration=True, encoding="UTF-8", pretty_print=True
        )
        validate(content)
        return BankFile(f"{batch.reference}.xml", content, "application/xml")


def validate(content: bytes) -> None:
    """Raise ExportRefused if the file breaks the XSD; the log names the first error (the
    validator's own words are for developers, not for the page)."""
    checker = schema()
    if not checker.validate(etree.fromstring(content)):
        logger.error("pain.001 refused by the XSD: %s", checker.error_log.last_error)
        raise ExportRefused(
            _("The file does not follow %(message)s: nothing was exported (the log says where).")
            % {"message": MESSAGE}
        )
