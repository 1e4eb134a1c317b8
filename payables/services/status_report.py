"""The bank's payment status report (ISO 20022 pain.002): rejected transfers free their
orders for a new batch; accepted-and-settled ones confirm the payment.

Transactions are found by their end-to-end id (unique for ever, ``BankTransfer``).
Untrusted XML: no DTD, no entities, no network.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from accounts.models import User
from core.errors import ActionRefused
from suppliers.selectors import is_accounts_payable

from ..models import BankTransfer, PaymentOrder
from . import _confirm_order_paid_by_bank, _require, record_bank_rejection

SETTLED = {"ACSC", "ACCC"}
REJECTED = {"RJCT"}


@dataclass
class StatusReport:
    paid: list[PaymentOrder] = field(default_factory=list)
    rejected: list[PaymentOrder] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    """(end-to-end id, why) of transactions that changed nothing."""


PAIN002 = "urn:iso:std:iso:20022:tech:xsd:pain.002."


def parse_bank_message(content: bytes, *, prefixes: tuple[str, ...], refusal: str):
    """The root of an ISO 20022 message whose namespace starts with one of ``prefixes``.
    Untrusted XML: no DTD, no entities, no network; a malformed file or another message
    is refused with ``ActionRefused`` before anything changes."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise ActionRefused(_("The file is not well-formed XML: %s") % exc) from None
    docinfo = root.getroottree().docinfo
    namespace = etree.QName(root).namespace or ""
    if docinfo.doctype or not namespace.startswith(prefixes):
        raise ActionRefused(refusal)
    return root


def _parse(content: bytes) -> etree._Element:
    return parse_bank_message(
        content,
        prefixes=(PAIN002,),
        refusal=_("The file is not an ISO 20022 payment status report (pain.002)."),
    )


def _whole_file_rejected(root, ns, report: StatusReport, actor: User) -> None:
    """A report that rejects the whole file (group status) or a payment block (payment
    information status) without listing transactions: every transfer the batch still
    waits for is rejected. The batch is named by the message id or the payment block id,
    both the batch's reference in our pain.001."""
    batches = set()
    group = root.find(".//p:OrgnlGrpInfAndSts", ns)
    if (
        group is not None
        and (group.findtext("p:GrpSts", namespaces=ns) or "").strip() in REJECTED
        and root.find(".//p:TxInfAndSts", ns) is None
    ):
        batches.add((group.findtext("p:OrgnlMsgId", namespaces=ns) or "").strip())
    for block in root.iterfind(".//p:OrgnlPmtInfAndSts", ns):
        status = (block.findtext("p:PmtInfSts", namespaces=ns) or "").strip()
        if status in REJECTED and block.find("p:TxInfAndSts", ns) is None:
            batches.add((block.findtext("p:OrgnlPmtInfId", namespaces=ns) or "").strip())
    batches.discard("")
    if not batches:
        return
    waiting = BankTransfer.objects.filter(
        batch__reference__in=batches, outcome=BankTransfer.Outcome.SENT
    ).select_related("order")
    for transfer in waiting:
        if transfer.order.end_to_end_id != transfer.end_to_end_id:
            continue
        report.rejected.append(
            record_bank_rejection(
                order=transfer.order, reason="pain.002 RJCT (whole file)", actor=actor
            )
        )


def import_status_report(*, content: bytes, actor: User) -> StatusReport:
    _require(is_accounts_payable(actor))
    root = _parse(content)
    ns = {"p": etree.QName(root).namespace}
    report = StatusReport()
    _whole_file_rejected(root, ns, report, actor)
    for info in root.iterfind(".//p:TxInfAndSts", ns):
        e2e = (info.findtext("p:OrgnlEndToEndId", namespaces=ns) or "").strip()
        status = (info.findtext("p:TxSts", namespaces=ns) or "").strip()
        reason = " ".join(
            text.strip()
            for text in info.xpath(
                "p:StsRsnInf/p:Rsn/p:Cd/text() | p:StsRsnInf/p:AddtlInf/text()", namespaces=ns
            )
        )
        transfer = BankTransfer.objects.filter(end_to_end_id=e2e).select_related("order").first()
        if transfer is None:
            report.ignored.append((e2e, _("No transfer has this end-to-end id.")))
            continue
        if transfer.outcome != BankTransfer.Outcome.SENT or transfer.order.end_to_end_id != e2e:
            report.ignored.append((e2e, _("This transfer was already settled.")))
            continue
        if status in REJECTED:
            report.rejected.append(
                record_bank_rejection(
                    order=transfer.order, reason=f"pain.002 {status} {reason}".strip(), actor=actor
                )
            )
        elif status in SETTLED:
            with transaction.atomic():
                order = (
                    PaymentOrder.objects.select_for_update(of=("self",))
                    .select_related("batch")
                    .get(pk=transfer.order_id)
                )
                if order.status == PaymentOrder.Status.PAID:
                    report.ignored.append((e2e, _("Already confirmed.")))
                    continue
                _confirm_order_paid_by_bank(
                    order,
                    paid_on=timezone.localdate(),
                    note=f"pain.002 {status}",
                    actor=actor,
                    evidence={"source": "pain.002", "status": status, "end_to_end_id": e2e},
                )
            report.paid.append(order)
        else:
            report.ignored.append(
                (e2e, _("Status %(status)s changes nothing.") % {"status": status})
            )
    return report
