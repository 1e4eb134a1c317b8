"""Bank statements as ISO 20022 messages: camt.053 (statement) and camt.054 (debit/credit
notification). A booked debit entry naming a transfer's end-to-end id, for the order's
amount, confirms the order as paid on its booking date; a returned transfer (``RtrInf``)
frees the order for a new batch, as a rejection. Importing the same file twice changes
nothing the second time: the transfer is settled already.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from accounts.models import User
from suppliers.selectors import is_accounts_payable

from ..models import BankTransfer, PaymentOrder
from . import (
    _confirm_order_paid_by_bank,
    _require,
    _sent,
    record_bank_rejection,
)
from .status_report import PAIN002, import_status_report, parse_bank_message

CAMT053 = "urn:iso:std:iso:20022:tech:xsd:camt.053."
CAMT054 = "urn:iso:std:iso:20022:tech:xsd:camt.054."
CENT = Decimal("0.01")


@dataclass
class CamtReport:
    message: str
    paid: list[PaymentOrder] = field(default_factory=list)
    rejected: list[PaymentOrder] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    """(end-to-end id or entry, why) of transactions that changed nothing."""


@dataclass(frozen=True)
class _Transaction:
    end_to_end_id: str
    amount: Decimal | None
    debit: bool
    booked: bool
    booked_on: date | None
    returned: bool
    reason: str


def _text(element, path: str, ns) -> str:
    return (element.findtext(path, namespaces=ns) or "").strip()


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value.as_tuple().exponent < -2 or abs(value) >= 10**14:
        return None
    return value


def _date(entry, ns) -> date | None:
    for path in ("p:BookgDt/p:Dt", "p:BookgDt/p:DtTm", "p:ValDt/p:Dt", "p:ValDt/p:DtTm"):
        text = _text(entry, path, ns)
        if text:
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                return None
    return None


def _transactions(root, ns) -> list[_Transaction]:
    found = []
    for entry in root.iterfind(".//p:Ntry", ns):
        status = _text(entry, "p:Sts", ns) or _text(entry, "p:Sts/p:Cd", ns)
        debit = _text(entry, "p:CdtDbtInd", ns) == "DBIT"
        booked_on = _date(entry, ns)
        details = entry.findall("p:NtryDtls/p:TxDtls", ns)
        entry_amount = _text(entry, "p:Amt", ns)
        for detail in details:
            amount_text = (
                _text(detail, "p:Amt", ns)
                or _text(detail, "p:AmtDtls/p:TxAmt/p:Amt", ns)
                or _text(detail, "p:AmtDtls/p:InstdAmt/p:Amt", ns)
                or (entry_amount if len(details) == 1 else "")
            )
            returned = detail.find("p:RtrInf", ns) is not None
            reason = " ".join(
                part
                for part in (
                    _text(detail, "p:RtrInf/p:Rsn/p:Cd", ns),
                    _text(detail, "p:RtrInf/p:AddtlInf", ns),
                )
                if part
            )
            found.append(
                _Transaction(
                    end_to_end_id=_text(detail, "p:Refs/p:EndToEndId", ns),
                    amount=_amount(amount_text) if amount_text else None,
                    debit=debit,
                    booked=status == "BOOK",
                    booked_on=booked_on,
                    returned=returned,
                    reason=reason,
                )
            )
    return found


def import_camt(*, content: bytes, actor: User) -> CamtReport:
    """Confirm or free exported payment orders from a camt.053 or camt.054 file."""
    _require(is_accounts_payable(actor))
    root = parse_bank_message(
        content,
        prefixes=(CAMT053, CAMT054),
        refusal=_("The file is not an ISO 20022 bank statement (camt.053 or camt.054)."),
    )
    namespace = etree.QName(root).namespace
    ns = {"p": namespace}
    report = CamtReport(message=namespace.rsplit(":", 1)[-1])
    today = timezone.localdate()
    for tx in _transactions(root, ns):
        e2e = tx.end_to_end_id
        if not e2e or e2e == "NOTPROVIDED":
            continue  # not one of our transfers (fees, incoming payments)
        transfer = BankTransfer.objects.filter(end_to_end_id=e2e).select_related("order").first()
        if transfer is None:
            report.ignored.append((e2e, _("No transfer has this end-to-end id.")))
            continue
        if not tx.booked:
            report.ignored.append((e2e, _("The entry is not booked yet.")))
            continue
        if tx.returned:
            _returned(tx, transfer, report, actor)
            continue
        if not tx.debit:
            report.ignored.append((e2e, _("A credit entry does not pay a supplier.")))
            continue
        if transfer.outcome != BankTransfer.Outcome.SENT or transfer.order.end_to_end_id != e2e:
            if transfer.outcome == BankTransfer.Outcome.PAID:
                report.ignored.append((e2e, _("Already confirmed.")))
            else:
                report.ignored.append(
                    (
                        e2e,
                        _(
                            "Transfer %(transfer)s was recorded as not paid, but the bank "
                            "paid it: check with the bank before %(order)s is paid again."
                        )
                        % {"transfer": e2e, "order": transfer.order.reference},
                    )
                )
            continue
        if tx.booked_on is None or tx.booked_on > today:
            report.ignored.append((e2e, _("The booking date is missing or in the future.")))
            continue
        _settle(tx, transfer, report, actor)
    return report


def _settle(tx: _Transaction, transfer: BankTransfer, report: CamtReport, actor: User) -> None:
    e2e = tx.end_to_end_id
    with transaction.atomic():
        order = (
            PaymentOrder.objects.select_for_update(of=("self",))
            .select_related("batch")
            .get(pk=transfer.order_id)
        )
        if order.status == PaymentOrder.Status.PAID:
            report.ignored.append((e2e, _("Already confirmed.")))
            return
        if not _sent(order):
            report.ignored.append((e2e, _("Its batch file was not produced.")))
            return
        if tx.amount is None or abs(tx.amount) != order.amount:
            report.ignored.append(
                (
                    e2e,
                    _("The amount %(amount)s differs from the order's %(expected)s.")
                    % {"amount": tx.amount, "expected": order.amount},
                )
            )
            return
        _confirm_order_paid_by_bank(
            order,
            paid_on=tx.booked_on,
            note=report.message,
            actor=actor,
            evidence={"amount": str(tx.amount), "source": report.message, "end_to_end_id": e2e},
        )
    report.paid.append(order)


def _returned(tx: _Transaction, transfer: BankTransfer, report: CamtReport, actor: User) -> None:
    """The bank gave the money back: like a rejection, the order waits for a new batch."""
    e2e = tx.end_to_end_id
    order = transfer.order
    if transfer.outcome != BankTransfer.Outcome.SENT or order.end_to_end_id != e2e:
        report.ignored.append((e2e, _("This transfer was already settled.")))
        return
    if order.status == PaymentOrder.Status.PAID or not _sent(order):
        report.ignored.append(
            (
                e2e,
                _("The bank returned %(order)s after it was confirmed paid: settle it by hand.")
                % {"order": order.reference},
            )
        )
        return
    report.rejected.append(
        record_bank_rejection(
            order=order, reason=f"{report.message} return {tx.reason}".strip(), actor=actor
        )
    )


@dataclass
class BankMessageReport:
    message: str
    paid: list[PaymentOrder]
    rejected: list[PaymentOrder]
    ignored: list[tuple[str, str]]


def import_bank_message(*, content: bytes, actor: User) -> BankMessageReport:
    """A pain.002, camt.053 or camt.054 file, told apart by its namespace."""
    root = parse_bank_message(
        content,
        prefixes=(PAIN002, CAMT053, CAMT054),
        refusal=_(
            "The file is not a bank message this portal reads: a payment status report "
            "(pain.002) or a bank statement (camt.053, camt.054)."
        ),
    )
    if (etree.QName(root).namespace or "").startswith(PAIN002):
        found = import_status_report(content=content, actor=actor)
        return BankMessageReport("pain.002", found.paid, found.rejected, found.ignored)
    camt = import_camt(content=content, actor=actor)
    return BankMessageReport(camt.message, camt.paid, camt.rejected, camt.ignored)
