"""Reads for supplier payments: the statement of account of a supplier."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from suppliers.models import Invoice, Supplier

from .models import PaymentOrder, Withholding

ZERO = Decimal(0)
# Received documents the municipality counts as owed (under review, held, approved, being
# paid or paid); returned and withdrawn ones are not.
OWED_STATUSES = (
    Invoice.Status.ON_HOLD,
    Invoice.Status.MATCHED,
    Invoice.Status.APPROVED,
    Invoice.Status.IN_PAYMENT,
    Invoice.Status.PAID,
)
AGEING_BUCKETS = (("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), (">90", 91, None))


@dataclass
class Entry:
    """One line of the statement. ``amount`` is what it adds to the balance owed to the
    supplier: positive for invoices, negative for credit notes, payments and withholdings."""

    on: date
    kind: str  # invoice | credit_note | payment | withholding
    reference: str
    description: str
    amount: Decimal
    balance: Decimal = ZERO
    invoice_id: int | None = None
    withholding: Withholding | None = None


@dataclass
class Statement:
    supplier: Supplier
    currency: str
    today: date
    entries: list[Entry] = field(default_factory=list)
    ageing: dict[str, Decimal] = field(default_factory=dict)

    @property
    def balance(self) -> Decimal:
        return self.entries[-1].balance if self.entries else ZERO

    @property
    def invoiced(self) -> Decimal:
        return sum((e.amount for e in self.entries if e.kind == "invoice"), ZERO)

    @property
    def credited(self) -> Decimal:
        return -sum((e.amount for e in self.entries if e.kind == "credit_note"), ZERO)

    @property
    def paid(self) -> Decimal:
        return -sum((e.amount for e in self.entries if e.kind == "payment"), ZERO)

    @property
    def withheld(self) -> Decimal:
        return -sum((e.amount for e in self.entries if e.kind == "withholding"), ZERO)


# Documents before the payments of the same day, so the balance never dips below zero.
_ORDER = {"invoice": 0, "credit_note": 1, "payment": 2, "withholding": 3}


def _bucket(age: int) -> str:
    for name, low, high in AGEING_BUCKETS:
        if age >= low and (high is None or age <= high):
            return name
    return AGEING_BUCKETS[0][0]  # not yet due


def statement_of_account(supplier: Supplier, *, currency: str, today: date) -> Statement:
    """Invoices and credit notes (by issue date), paid orders' transfers and withholdings
    (by payment date), with the running balance owed to the supplier; and the ageing of
    what is still unpaid, by days since the due date (the issue date when it has none)."""
    statement = Statement(supplier=supplier, currency=currency, today=today)
    statement.ageing = {name: ZERO for name, _low, _high in AGEING_BUCKETS}
    entries: list[tuple[tuple, Entry]] = []
    invoices = Invoice.objects.filter(
        supplier=supplier, currency=currency, status__in=OWED_STATUSES
    ).only("pk", "kind", "number", "issue_date", "due_date", "payable_total", "status")
    for invoice in invoices:
        credit = invoice.kind == Invoice.Kind.CREDIT_NOTE
        amount = invoice.amount_due
        entry = Entry(
            on=invoice.issue_date,
            kind="credit_note" if credit else "invoice",
            reference=invoice.number,
            description=str(invoice.get_status_display()),
            amount=amount,
            invoice_id=invoice.pk,
        )
        entries.append(((entry.on, _ORDER[entry.kind], invoice.pk), entry))
        if invoice.status != Invoice.Status.PAID:
            age = (today - (invoice.due_date or invoice.issue_date)).days
            statement.ageing[_bucket(age)] += amount
    orders = PaymentOrder.objects.filter(
        supplier=supplier, currency=currency, status=PaymentOrder.Status.PAID
    ).only("pk", "reference", "amount", "paid_on", "cbu")
    paid_on = {}
    for order in orders:
        paid_on[order.pk] = order.paid_on
        entry = Entry(
            on=order.paid_on,
            kind="payment",
            reference=order.reference,
            description=f"CBU {order.cbu}",
            amount=-order.amount,
        )
        entries.append(((entry.on, _ORDER["payment"], order.pk), entry))
    for row in Withholding.objects.filter(order_id__in=list(paid_on), amount__gt=0).order_by("pk"):
        entry = Entry(
            on=paid_on[row.order_id],
            kind="withholding",
            reference=row.certificate_number,
            description=row.description,
            amount=-row.amount,
            withholding=row,
        )
        entries.append(((entry.on, _ORDER["withholding"], row.order_id, row.pk), entry))
    balance = ZERO
    for _key, entry in sorted(entries, key=lambda pair: pair[0]):
        balance += entry.amount
        entry.balance = balance
        statement.entries.append(entry)
    return statement


def statement_currencies(supplier: Supplier) -> list[str]:
    return sorted(
        set(
            Invoice.objects.filter(supplier=supplier, status__in=OWED_STATUSES).values_list(
                "currency", flat=True
            )
        )
    )
