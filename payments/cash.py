"""Cash collection networks (Pago Fácil, Rapipago): the slip's barcode and the settlement file.

Each municipality signs a collection agreement with each network, which fixes the
company code and the exact layouts; the ones below are ours, modelled on the usual
structure of those agreements (numeric Interleaved 2 of 5 barcode, fixed-width daily
settlement with header, details and trailer). Adapting to an agreement that differs
means changing ``collection_code`` and ``parse_settlement`` only.

Barcode (30 digits, Interleaved 2 of 5, the symbology the networks' scanners read):

    1-4   company code (PAYMENTS_CASH_COMPANY_CODE)
    5-14  payment order number
    15-24 amount in cents
    25-29 due date, YYDDD (year and day of the year)
    30    check digit: weights 1,3,5,7,9,3,5,7,9…; sum // 2 mod 10

Settlement file (ASCII, one record per line, fixed width):

    H  1 "H" | 2-5 company code | 6-13 settlement date YYYYMMDD
    D  1 "D" | 2-9 payment date YYYYMMDD | 10-39 barcode | 40-51 amount paid, cents |
       52-63 the network's transaction id | 64-71 commission, cents
    T  1 "T" | 2-9 number of D records | 10-24 total paid, cents
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import ActionRefused
from core.money import format_money

from . import hooks, services
from .models import Payment, PaymentOrder, SettlementFile, SettlementRow
from .providers import ProviderPayment

CODE_LENGTH = 30
DETAIL_LENGTH = 71
CENTS = Decimal("0.01")


def check_digit(digits: str) -> str:
    weights = [1] + [3, 5, 7, 9] * ((len(digits) + 3) // 4)
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=False))
    return str((total // 2) % 10)


def collection_code(order: PaymentOrder) -> str:
    """The 30 digits of ``order``'s slip barcode (what is still owed, by its due date)."""
    due = order.due_date
    body = (
        f"{settings.PAYMENTS_CASH_COMPANY_CODE:0>4}"
        f"{order.pk:010d}"
        f"{int(order.balance / CENTS):010d}"
        f"{due.year % 100:02d}{due.timetuple().tm_yday:03d}"
    )
    return body + check_digit(body)


@dataclass(frozen=True)
class ReadCode:
    order_id: int
    amount: Decimal
    due: date


def read_code(code: str) -> ReadCode:
    """The parts of a barcode; ValueError with the reason when it is not one of ours."""
    if len(code) != CODE_LENGTH or not code.isdigit():
        raise ValueError(_("The barcode is not %(n)s digits.") % {"n": CODE_LENGTH})
    if check_digit(code[:-1]) != code[-1]:
        raise ValueError(_("The barcode's check digit is wrong."))
    if code[:4] != f"{settings.PAYMENTS_CASH_COMPANY_CODE:0>4}":
        raise ValueError(_("The barcode belongs to another company code."))
    year, day = 2000 + int(code[24:26]), int(code[26:29])
    return ReadCode(
        order_id=int(code[4:14]),
        amount=Decimal(int(code[14:24])) * CENTS,
        due=date.fromordinal(date(year, 1, 1).toordinal() + day - 1),
    )


def barcode_svg(code: str) -> str:
    """The barcode as SVG (Interleaved 2 of 5, with its digits printed under it)."""
    import barcode
    from barcode.writer import SVGWriter

    symbol = barcode.get_barcode_class("itf")(code, writer=SVGWriter())
    out = io.BytesIO()
    symbol.write(out, options={"module_width": 0.3, "module_height": 14, "font_size": 8})
    return out.getvalue().decode()


def _issuer() -> hooks.SlipIssuer | None:
    return hooks.SLIP_ISSUERS.find("signed")


def slips_offered() -> bool:
    return _issuer() is not None


def slip_of(order: PaymentOrder) -> hooks.IssuedSlip | None:
    """The slip for what ``order`` still owes, if it was asked for."""
    issuer = _issuer()
    return issuer.find(order, key=collection_code(order)) if issuer and order.is_open else None


def request_slip(*, order: PaymentOrder, actor) -> None:
    """A sealed slip for what is still owed (one per amount and due date: a double click,
    or a second visit, gets the same one)."""
    issuer = _issuer()
    if issuer is None:
        raise ActionRefused(_("Payment slips cannot be issued here."))
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if not order.is_open:
            raise ActionRefused(_("This order has nothing left to pay."))
        if order.is_overdue:
            raise ActionRefused(_("This order is overdue: ask the municipality for a new one."))
        code = collection_code(order)
        issuer.request(
            order,
            key=code,
            actor=actor,
            facts={
                "concept": order.concept,
                "payer": order.payer.full_name or order.payer.email,
                "order_reference": order.external_reference,
                "amount_display": format_money(order.balance),
                "due_on": order.due_date.isoformat(),
                "code": code,
            },
        )


# --- Settlement files ------------------------------------------------------------------


@dataclass(frozen=True)
class Detail:
    line: int
    paid_on: date | None = None
    barcode: str = ""
    amount: Decimal | None = None
    transaction_id: str = ""
    commission: Decimal = Decimal("0.00")
    error: str = ""


@dataclass(frozen=True)
class ParsedFile:
    company: str
    settled_on: date
    details: list[Detail]


def _date(text: str) -> date:
    return datetime.strptime(text, "%Y%m%d").date()  # noqa: DTZ007 - a calendar date


def _cents(text: str) -> Decimal:
    if not text.isdigit():
        raise ValueError(text)
    return Decimal(int(text)) * CENTS


def _detail(number: int, record: str) -> Detail:
    if len(record) != DETAIL_LENGTH:
        return Detail(
            number,
            error=_("The line has %(got)s characters instead of %(want)s.")
            % {"got": len(record), "want": DETAIL_LENGTH},
        )
    try:
        paid_on = _date(record[1:9])
    except ValueError:
        return Detail(number, error=_("The payment date is not a date (YYYYMMDD)."))
    try:
        amount, commission = _cents(record[39:51]), _cents(record[63:71])
    except ValueError:
        return Detail(number, error=_("An amount is not digits (cents)."))
    transaction_id = record[51:63].strip()
    if not transaction_id:
        return Detail(number, error=_("The transaction id is missing."))
    return Detail(number, paid_on, record[9:39], amount, transaction_id, commission)


def parse_settlement(content: bytes) -> ParsedFile:
    """Read a settlement file; ActionRefused (nothing is imported) when its frame is broken,
    a ``Detail`` with ``error`` for each unreadable detail line."""
    try:
        text = content.decode("ascii")
    except UnicodeDecodeError:
        raise ActionRefused(_("The settlement file is not plain ASCII text.")) from None
    lines = [line.rstrip("\r") for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) < 2 or not lines[0].startswith("H") or not lines[-1].startswith("T"):
        raise ActionRefused(_("The file has no header (H) and trailer (T) lines."))
    header, trailer = lines[0], lines[-1]
    try:
        settled_on = _date(header[5:13])
        declared = int(trailer[1:9])
    except ValueError:
        raise ActionRefused(_("The header's date or the trailer's count cannot be read.")) from None
    details = [_detail(number, line) for number, line in enumerate(lines[1:-1], start=2)]
    if declared != len(details):
        raise ActionRefused(
            _("The trailer says %(declared)s payments but the file has %(found)s: is it cut?")
            % {"declared": declared, "found": len(details)}
        )
    return ParsedFile(company=header[1:5], settled_on=settled_on, details=details)


def _classify(
    network: str, detail: Detail, known: _Known
) -> tuple[str, str, ProviderPayment | None]:
    """(outcome, message, payment to record) of one readable detail line."""
    try:
        code = read_code(detail.barcode)
    except ValueError as exc:
        return SettlementRow.Outcome.UNKNOWN, str(exc), None
    order = known.orders.get(code.order_id)
    if order is None:
        return SettlementRow.Outcome.UNKNOWN, _("No payment order has this number."), None
    payment_id = f"{network}:{detail.transaction_id}"
    if payment_id in known.applied:
        return SettlementRow.Outcome.ALREADY, _("This collection was applied before."), None
    known.applied.add(payment_id)
    message = ""
    if detail.amount != code.amount:
        message = _("Paid %(paid)s where the slip said %(owed)s.") % {
            "paid": detail.amount,
            "owed": code.amount,
        }
    return (
        SettlementRow.Outcome.APPLIED,
        message,
        ProviderPayment(
            id=payment_id,
            status=Payment.Status.APPROVED,
            external_reference=order.external_reference,
            amount=detail.amount,
            fee=detail.commission,
            paid_at=timezone.make_aware(datetime.combine(detail.paid_on, time(12))),
            details={"network": network, "barcode": detail.barcode},
        ),
    )


@dataclass
class _Known:
    """The file's orders and the collections already applied, read once for all its lines."""

    orders: dict[int, PaymentOrder]
    applied: set[str]

    @classmethod
    def of(cls, network: str, details: list[Detail]) -> _Known:
        ids = set()
        for detail in details:
            with contextlib.suppress(ValueError):
                ids.add(read_code(detail.barcode).order_id)
        wanted = [f"{network}:{d.transaction_id}" for d in details if not d.error]
        applied = set()
        for start in range(0, len(wanted), 5000):
            applied |= set(
                Payment.objects.filter(
                    channel=Payment.Channel.CASH_NETWORK,
                    provider_payment_id__in=wanted[start : start + 5000],
                ).values_list("provider_payment_id", flat=True)
            )
        return cls(orders=PaymentOrder.objects.in_bulk(list(ids)), applied=applied)


def import_settlement(*, network: str, name: str, content: bytes, actor) -> SettlementFile:
    """Apply each valid line once (a line seen in an earlier file is reported, not applied
    again); a file imported before is refused whole. Set-based: the orders are read and
    locked, and the payments, events and audit records written, in batches."""
    if network not in SettlementFile.Network.values:
        raise ActionRefused(_("Unknown collection network."))
    digest = hashlib.sha256(content).hexdigest()
    if SettlementFile.objects.filter(sha256=digest).exists():
        raise ActionRefused(_("This file was imported before: nothing was changed."))
    parsed = parse_settlement(content)
    if parsed.company != f"{settings.PAYMENTS_CASH_COMPANY_CODE:0>4}":
        raise ActionRefused(_("The file is for another company code."))
    try:
        with transaction.atomic():
            settlement = SettlementFile.objects.create(
                network=network,
                name=name[:200],
                sha256=digest,
                file_date=parsed.settled_on,
                rows=len(parsed.details),
                imported_by=actor,
            )
            known = _Known.of(network, parsed.details)
            rows, to_record = [], []
            for detail in parsed.details:
                if detail.error:
                    outcome, message, fetched = SettlementRow.Outcome.MALFORMED, detail.error, None
                else:
                    outcome, message, fetched = _classify(network, detail, known)
                rows.append(
                    SettlementRow(
                        file=settlement,
                        line=detail.line,
                        outcome=outcome,
                        message=message[:300],
                        barcode=detail.barcode[:60],
                        amount=detail.amount,
                    )
                )
                if fetched is not None:
                    to_record.append((rows[-1], fetched))
            # All the file's payments at once: a few statements per thousand lines.
            recorded = services.record_new_payments(
                channel=Payment.Channel.CASH_NETWORK,
                fetched=[fetched for _row, fetched in to_record],
                actor=actor,
            )
            for (row, _fetched), payment in zip(to_record, recorded, strict=True):
                row.payment = payment
            SettlementRow.objects.bulk_create(rows, batch_size=2000)
            settlement.applied = sum(r.outcome == SettlementRow.Outcome.APPLIED for r in rows)
            settlement.save(update_fields=["applied"])
            audit.record(
                actor=actor,
                action="payments.settlement_imported",
                obj=settlement,
                after={"network": network, "rows": settlement.rows, "applied": settlement.applied},
            )
    except IntegrityError:  # the same file, imported by someone else at this very moment
        raise ActionRefused(_("This file was imported before: nothing was changed.")) from None
    return settlement


def settlement_lines(
    *, company: str, settled_on: date, details: list[tuple[date, str, Decimal, str, Decimal]]
) -> Iterator[str]:
    """Lines of a settlement file in our layout (the demo network and the tests write them)."""
    yield f"H{company:0>4}{settled_on:%Y%m%d}"
    total = Decimal(0)
    for paid_on, code, amount, transaction_id, commission in details:
        total += amount
        yield (
            f"D{paid_on:%Y%m%d}{code:<30}{int(amount / CENTS):012d}"
            f"{transaction_id:>12}{int(commission / CENTS):08d}"
        )
    yield f"T{len(details):08d}{int(total / CENTS):015d}"
