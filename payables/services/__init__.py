"""From approved invoices to money in the supplier's account.

approved invoices -> payment orders (one per supplier and currency, into the account
active at that moment) -> a batch -> two approvals by different employees -> the bank
file -> confirmed paid, by hand or from the bank statement.

A supplier with a bank account change waiting for approval is not paid: its invoices
stay approved until the change is decided, and a batch refuses to be approved or
exported while one of its orders goes to an account that is no longer the active one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import audit, numbering, storage
from core.errors import ActionRefused
from core.files import CsvUnreadable, read_csv
from core.money import UnreadableNumber, parse_amount
from suppliers.models import BankAccount, Invoice, Supplier
from suppliers.selectors import can_approve_batches, is_accounts_payable
from suppliers.services import afip_register
from suppliers.services import payments as invoice_payments

from .. import certificates, emails
from ..exporters import ExportRefused, debtor_from_settings, get_exporter
from ..models import BankTransfer, BatchApproval, PaymentBatch, PaymentOrder, PaymentOrderItem
from ..notices import request_notice
from . import withholding


def _next_reference(model, prefix: str) -> str:
    """Inside the transaction that creates the row: the series stays held until it commits."""
    numbering.hold(f"{model._meta.label_lower}:{prefix}")
    last = model.objects.filter(reference__startswith=prefix).aggregate(last=Max("reference"))[
        "last"
    ]
    return f"{prefix}{int(last.removeprefix(prefix)) + 1 if last else 1:06d}"


def _require(allowed: bool) -> None:
    if not allowed:
        raise ActionRefused(_("You cannot act on supplier payments."))


def _refused_currency(currency: str) -> str:
    return _("payments in %(currency)s cannot be made: the accounts take %(accepted)s only") % {
        "currency": currency,
        "accepted": ", ".join(settings.PAYABLES_CURRENCIES),
    }


def _check_currency(currency: str) -> None:
    """Never a bank file in a currency the accounts cannot take: the bank would convert
    or refuse it, and the supplier would not get what was approved."""
    if currency not in settings.PAYABLES_CURRENCIES:
        text = _refused_currency(currency)
        raise ActionRefused(f"{text[:1].upper()}{text[1:]}.")


@dataclass
class Preparation:
    orders: list[PaymentOrder] = field(default_factory=list)
    waiting: list[tuple[Supplier, str]] = field(default_factory=list)
    """Suppliers not paid now, and why."""


def prepare_orders(*, actor: User) -> Preparation:
    """One payment order per supplier and currency for the approved invoices (an invoice
    in a payment order is "in payment", so approved ones are in none)."""
    _require(is_accounts_payable(actor))
    result = Preparation()
    with transaction.atomic():
        invoices = list(
            Invoice.objects.select_for_update()
            .filter(status=Invoice.Status.APPROVED)
            .order_by("pk")
        )
        groups: dict[tuple[int, str], list[Invoice]] = defaultdict(list)
        for invoice in invoices:
            groups[(invoice.supplier_id, invoice.currency)].append(invoice)
        accounts: dict[int, dict[str, BankAccount]] = defaultdict(dict)
        for account in BankAccount.objects.filter(
            supplier_id__in={key[0] for key in groups},
            status__in=[BankAccount.Status.ACTIVE, BankAccount.Status.PENDING],
        ):
            accounts[account.supplier_id][account.status] = account
        suppliers = Supplier.objects.in_bulk({key[0] for key in groups})
        for (supplier_id, currency), group in sorted(groups.items()):
            supplier = suppliers[supplier_id]
            states = accounts[supplier_id]
            if currency not in settings.PAYABLES_CURRENCIES:
                result.waiting.append((supplier, _refused_currency(currency)))
                continue
            if not afip_register.is_current(supplier):
                afip_register.request_lookup(supplier)
                result.waiting.append((supplier, afip_register.waiting_reason(supplier)))
                continue
            if BankAccount.Status.PENDING in states:
                result.waiting.append(
                    (supplier, _("a bank account change is waiting for approval"))
                )
                continue
            account = states.get(BankAccount.Status.ACTIVE)
            if account is None:
                result.waiting.append((supplier, _("no approved bank account")))
                continue
            amount = sum((invoice.amount_due for invoice in group), Decimal(0))
            if amount <= 0:
                result.waiting.append((supplier, _("credit notes exceed the invoices")))
                continue
            order = PaymentOrder.objects.create(
                reference=_next_reference(PaymentOrder, "OP-"),
                supplier=supplier,
                bank_account=account,
                cbu=account.cbu,
                holder_name=account.holder_name,
                currency=currency,
                gross_amount=amount,
                amount=amount,
                created_by=actor,
            )
            withheld = withholding.withhold(order=order, invoices=group, day=timezone.localdate())
            if withheld:
                order.amount = amount - withheld
                order.save(update_fields=["amount"])
            PaymentOrderItem.objects.bulk_create(
                PaymentOrderItem(order=order, invoice=invoice, amount=invoice.amount_due)
                for invoice in group
            )
            invoice_payments.put_in_payment(
                invoice_ids=[invoice.pk for invoice in group], payment=order.reference, actor=actor
            )
            audit.record(
                actor=actor,
                action="payment_order.created",
                obj=order,
                after={
                    "supplier": supplier.cuit,
                    "gross": str(amount),
                    "withheld": str(withheld),
                    "amount": str(order.amount),
                    "currency": currency,
                    "cbu": account.cbu,
                    "invoices": [invoice.pk for invoice in group],
                },
            )
            result.orders.append(order)
    return result


def cancel_order(*, order: PaymentOrder, actor: User) -> PaymentOrder:
    """An order not yet in a batch is undone: its invoices are approved again."""
    _require(is_accounts_payable(actor))
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if order.refund_id is not None:
            raise ActionRefused(
                _("A refund owed to a resident is not cancelled here: it goes in a batch.")
            )
        PaymentOrder.STATES.move(
            order,
            PaymentOrder.Status.CANCELLED,
            refusal=_("Only an order waiting for a batch can be cancelled."),
        )
        invoice_ids = list(order.items.values_list("invoice_id", flat=True))
        order.items.all().delete()
        order.withholdings.all().delete()
        invoice_payments.take_out_of_payment(
            invoice_ids=invoice_ids, payment=order.reference, actor=actor
        )
        order.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="payment_order.cancelled",
            obj=order,
            before={"status": PaymentOrder.Status.OPEN},
            after={"status": order.status, "invoices": invoice_ids},
        )
    return order


def create_batch(*, order_ids: list[int], execution_date: date, actor: User) -> PaymentBatch:
    _require(is_accounts_payable(actor))
    if execution_date < timezone.localdate():
        raise ActionRefused(_("The payment date cannot be in the past."))
    with transaction.atomic():
        orders = list(
            PaymentOrder.objects.select_for_update()
            .filter(pk__in=order_ids, status=PaymentOrder.Status.OPEN)
            .order_by("pk")
        )
        sent = list(
            PaymentOrder.objects.filter(
                pk__in=order_ids, status=PaymentOrder.Status.UNCONFIRMED
            ).values_list("reference", flat=True)
        )
        if sent:
            raise ActionRefused(
                _(
                    "%(orders)s went to the bank in a batch that was cancelled afterwards: "
                    "it can be paid again only once the bank says it did not pay it."
                )
                % {"orders": ", ".join(sorted(sent))}
            )
        if not orders or len(orders) != len(set(order_ids)):
            raise ActionRefused(
                _("Choose payment orders that are waiting for a batch (the page may be stale).")
            )
        currencies = {order.currency for order in orders}
        if len(currencies) != 1:
            raise ActionRefused(_("A batch pays in one currency: choose orders in one."))
        _check_currency(next(iter(currencies)))
        batch = PaymentBatch.objects.create(
            reference=_next_reference(PaymentBatch, "LP-"),
            currency=currencies.pop(),
            execution_date=execution_date,
            created_by=actor,
        )
        PaymentOrder.objects.filter(pk__in=[order.pk for order in orders]).update(
            batch=batch, status=PaymentOrder.Status.IN_BATCH
        )
        audit.record(
            actor=actor,
            action="payment_batch.created",
            obj=batch,
            after={
                "orders": [order.reference for order in orders],
                "total": str(sum((order.amount for order in orders), Decimal(0))),
                "currency": batch.currency,
                "execution_date": execution_date.isoformat(),
            },
        )
    return batch


def _locked_batch(batch: PaymentBatch) -> PaymentBatch:
    return PaymentBatch.objects.select_for_update().get(pk=batch.pk)


def _check_accounts(batch: PaymentBatch) -> None:
    """Every order still goes to its supplier's active account, and no change is pending."""
    # A refund's account was entered and checked when the refund was decided.
    orders = list(batch.orders.filter(supplier__isnull=False).select_related("supplier"))
    pending = set(
        BankAccount.objects.filter(
            supplier_id__in=[order.supplier_id for order in orders],
            status=BankAccount.Status.PENDING,
        ).values_list("supplier_id", flat=True)
    )
    active = set(
        BankAccount.objects.filter(
            pk__in=[order.bank_account_id for order in orders], status=BankAccount.Status.ACTIVE
        ).values_list("pk", flat=True)
    )
    stale = [
        order.supplier.legal_name
        for order in orders
        if order.supplier_id in pending or order.bank_account_id not in active
    ]
    if stale:
        raise ActionRefused(
            _(
                "The bank account of %(suppliers)s changed or is being changed: cancel this "
                "batch and prepare the payments again."
            )
            % {"suppliers": ", ".join(sorted(set(stale)))}
        )


def approve_batch(*, batch: PaymentBatch, actor: User) -> PaymentBatch:
    """One of the two approvals a batch needs; the same employee cannot give both."""
    _require(can_approve_batches(actor))
    with transaction.atomic():
        batch = _locked_batch(batch)
        if batch.status != PaymentBatch.Status.DRAFT:
            raise ActionRefused(_("This batch is not waiting for approvals."))
        if batch.created_by_id == actor.pk and not settings.PAYABLES_CREATOR_MAY_APPROVE:
            raise ActionRefused(_("You created this batch: two other employees must approve it."))
        if batch.approvals.filter(user=actor).exists():
            raise ActionRefused(
                _("You already approved this batch: a second employee must approve it.")
            )
        _check_accounts(batch)
        BatchApproval.objects.create(batch=batch, user=actor)
        count = batch.approvals.count()
        if count >= PaymentBatch.REQUIRED_APPROVALS:
            PaymentBatch.STATES.move(batch, PaymentBatch.Status.APPROVED)
            batch.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="payment_batch.approved",
            obj=batch,
            before={"approvals": count - 1},
            after={"approvals": count, "status": batch.status},
        )
    return batch


def cancel_batch(*, batch: PaymentBatch, actor: User, reason: str) -> PaymentBatch:
    _require(is_accounts_payable(actor))
    if not reason.strip():
        raise ActionRefused(_("Write why the batch is cancelled."))
    with transaction.atomic():
        batch = _locked_batch(batch)
        if batch.orders.filter(status=PaymentOrder.Status.PAID).exists():
            raise ActionRefused(_("Some of its payments are already confirmed."))
        before = PaymentBatch.STATES.move(
            batch,
            PaymentBatch.Status.CANCELLED,
            refusal=_("This batch can no longer be cancelled."),
        )
        if before == PaymentBatch.Status.EXPORTED:
            # The file may have reached the bank: its orders wait for the bank's answer.
            batch.orders.filter(status=PaymentOrder.Status.IN_BATCH).update(
                status=PaymentOrder.Status.UNCONFIRMED
            )
        else:
            batch.orders.filter(
                status__in=PaymentOrder.STATES.sources(PaymentOrder.Status.OPEN)
            ).update(batch=None, status=PaymentOrder.Status.OPEN)
        batch.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="payment_batch.cancelled",
            obj=batch,
            before={"status": before},
            after={"status": batch.status, "reason": reason.strip()},
        )
    return batch


def export_batch(
    *, batch: PaymentBatch, actor: User, exporter_code: str | None = None
) -> PaymentBatch:
    """Produce the bank file of an approved batch, once; later downloads get the same file."""
    _require(is_accounts_payable(actor))
    with transaction.atomic():
        batch = _locked_batch(batch)
        if batch.status != PaymentBatch.Status.APPROVED:
            raise ActionRefused(_("Only an approved batch can be exported."))
        _check_accounts(batch)
        _check_currency(batch.currency)
        orders = list(
            batch.orders.select_related("supplier")
            .prefetch_related("items__invoice", "withholdings")
            .order_by("reference")
        )
        _new_transfers(batch, orders)
        try:
            exporter = get_exporter(exporter_code)
            bank_file = exporter.export(batch, orders, debtor_from_settings())
        except ExportRefused as exc:
            raise ActionRefused(str(exc)) from exc
        batch.exporter = exporter.key
        batch.file_name = bank_file.name
        batch.file_sha256 = hashlib.sha256(bank_file.content).hexdigest()
        storage.save(
            batch.file,
            f"{batch.reference}-{batch.file_sha256[:12]}",
            ContentFile(bank_file.content),
        )
        PaymentBatch.STATES.move(batch, PaymentBatch.Status.EXPORTED)
        batch.exported_at = timezone.now()
        batch.exported_by = actor
        batch.save()
        audit.record(
            actor=actor,
            action="payment_batch.exported",
            obj=batch,
            before={"status": PaymentBatch.Status.APPROVED},
            after={"status": batch.status, "format": exporter.key, "sha256": batch.file_sha256},
        )
    return batch


def _new_transfers(batch: PaymentBatch, orders: list[PaymentOrder]) -> None:
    """Each order's transfer gets an end-to-end id never used before: the order's
    reference the first time, then the reference and the attempt number."""
    attempts = dict(
        BankTransfer.objects.filter(order__in=orders)
        .values("order_id")
        .annotate(count=Count("id"))
        .values_list("order_id", "count")
    )
    for order in orders:
        attempt = attempts.get(order.pk, 0) + 1
        order.end_to_end_id = order.reference if attempt == 1 else f"{order.reference}-{attempt}"
    PaymentOrder.objects.bulk_update(orders, ["end_to_end_id"])
    # The unique index refuses an id used before, whatever happened to its batch.
    BankTransfer.objects.bulk_create(
        BankTransfer(
            order=order, batch=batch, end_to_end_id=order.end_to_end_id, amount=order.amount
        )
        for order in orders
    )


def _mark_orders_paid(orders: list[PaymentOrder], paid_on: date, note: str, actor: User) -> None:
    """The orders' invoices are paid, and each order's signed payment notice is requested."""
    for order in orders:
        PaymentOrder.STATES.move(order, PaymentOrder.Status.PAID)
        order.paid_on = paid_on
        order.payment_note = note[:200]
    PaymentOrder.objects.bulk_update(orders, ["status", "paid_on", "payment_note"])
    withholding.number_certificates(orders, paid_on)
    certificates.request_certificates([order.pk for order in orders], actor=actor)
    BankTransfer.objects.filter(
        end_to_end_id__in=[order.end_to_end_id for order in orders if order.end_to_end_id]
    ).update(outcome=BankTransfer.Outcome.PAID)
    for order in orders:
        if order.refund_id is not None:
            continue  # a resident's refund: no invoices, no supplier's notice; payments shows it
        invoice_payments.mark_paid(
            invoice_ids=order.items.values_list("invoice_id", flat=True),
            paid_on=paid_on,
            payment=order.reference,
            actor=actor,
        )
        request_notice(order, actor=actor)
        emails.notify_paid(order)


def _close_if_paid(batch: PaymentBatch) -> None:
    if not batch.orders.exclude(status=PaymentOrder.Status.PAID).exists():
        PaymentBatch.STATES.move(batch, PaymentBatch.Status.PAID)
        batch.paid_at = timezone.now()
        batch.save(update_fields=["status", "paid_at"])


def _confirm_order_paid_by_bank(
    order: PaymentOrder, *, paid_on: date, note: str, actor: User, evidence: dict
) -> None:
    """The bank confirmed one exported order (statement line, camt entry or pain.002): it is
    paid, its batch is closed when it was the last one open, and the audit says from what."""
    _mark_orders_paid([order], paid_on, note, actor)
    if order.batch.status == PaymentBatch.Status.EXPORTED:
        _close_if_paid(_locked_batch(order.batch))
    audit.record(
        actor=actor,
        action="payment_order.paid",
        obj=order,
        after={"paid_on": paid_on.isoformat(), **evidence},
    )


def confirm_paid(*, batch: PaymentBatch, paid_on: date, note: str, actor: User) -> PaymentBatch:
    """Every payment of an exported batch went through (as the bank confirmed)."""
    _require(is_accounts_payable(actor))
    if paid_on > timezone.localdate():
        raise ActionRefused(_("The payment date cannot be in the future."))
    with transaction.atomic():
        batch = _locked_batch(batch)
        if batch.status != PaymentBatch.Status.EXPORTED:
            raise ActionRefused(_("Only a batch whose file was produced can be confirmed."))
        orders = list(
            batch.orders.select_for_update().exclude(status=PaymentOrder.Status.PAID).order_by("pk")
        )
        _mark_orders_paid(orders, paid_on, note or _("Confirmed by hand"), actor)
        _close_if_paid(batch)
        audit.record(
            actor=actor,
            action="payment_batch.paid",
            obj=batch,
            before={"status": PaymentBatch.Status.EXPORTED},
            after={
                "status": batch.status,
                "paid_on": paid_on.isoformat(),
                "orders": [order.reference for order in orders],
                "note": note,
            },
        )
    return batch


@dataclass
class StatementReport:
    paid: list[PaymentOrder] = field(default_factory=list)
    unmatched: list[tuple[int, str]] = field(default_factory=list)
    """(row, why) of statement rows that confirmed nothing."""


def import_statement(*, content: bytes, actor: User) -> StatementReport:
    """Confirm payments from a bank statement CSV with columns date, reference, amount.

    A row confirms the exported payment order whose reference (the transfer's
    end-to-end id) it names, when the amount is the order's. Other rows are reported.
    """
    _require(is_accounts_payable(actor))
    report = StatementReport()
    try:
        rows = list(read_csv(content, required=("date", "reference", "amount")))
    except CsvUnreadable as exc:
        report.unmatched.append((exc.row, str(exc)))
        return report
    with transaction.atomic():
        for csv_row in rows:
            row_number, row = csv_row.number, csv_row.values
            if csv_row.error:
                report.unmatched.append((row_number, csv_row.error))
                continue
            try:
                paid_on = date.fromisoformat(row["date"])
                amount = parse_amount(row["amount"])
            except (ValueError, UnreadableNumber):
                report.unmatched.append((row_number, _("The date or the amount cannot be read.")))
                continue
            order, transfer = _order_named(row["reference"].split())
            if order is None:
                report.unmatched.append((row_number, _("No payment order has this reference.")))
            elif order.status == PaymentOrder.Status.PAID:
                report.unmatched.append((row_number, _("Already confirmed.")))
            elif transfer is not None and transfer.outcome != BankTransfer.Outcome.SENT:
                report.unmatched.append(
                    (
                        row_number,
                        _(
                            "Transfer %(transfer)s was recorded as not paid, but the bank "
                            "paid it: check with the bank before %(order)s is paid again."
                        )
                        % {"transfer": transfer.end_to_end_id, "order": order.reference},
                    )
                )
            elif not _sent(order):
                report.unmatched.append((row_number, _("Its batch file was not produced.")))
            elif abs(amount) != order.amount:
                report.unmatched.append(
                    (
                        row_number,
                        _("The amount %(amount)s differs from the order's %(expected)s.")
                        % {"amount": amount, "expected": order.amount},
                    )
                )
            else:
                _confirm_order_paid_by_bank(
                    order,
                    paid_on=paid_on,
                    note=_("Bank statement"),
                    actor=actor,
                    evidence={
                        "amount": str(amount),
                        "source": "statement",
                        "end_to_end_id": transfer.end_to_end_id if transfer else order.reference,
                    },
                )
                report.paid.append(order)
    return report


def _order_named(tokens: list[str]) -> tuple[PaymentOrder | None, BankTransfer | None]:
    """The payment order a statement row names by a transfer's end-to-end id or by the
    order's reference (locked), and that transfer when it is named."""
    transfer = BankTransfer.objects.filter(end_to_end_id__in=tokens).first()
    orders = PaymentOrder.objects.select_for_update(of=("self",)).select_related("batch")
    if transfer is not None:
        return orders.get(pk=transfer.order_id), transfer
    return orders.filter(reference__in=tokens).first(), None


def _sent(order: PaymentOrder) -> bool:
    """A bank file carrying the order was produced and the bank has not answered."""
    return order.status == PaymentOrder.Status.UNCONFIRMED or (
        order.status == PaymentOrder.Status.IN_BATCH
        and order.batch is not None
        and order.batch.status == PaymentBatch.Status.EXPORTED
    )


def _reopen(order: PaymentOrder, outcome: str, note: str) -> str:
    """The bank did not pay the order's last transfer: the order waits for a new batch."""
    before = PaymentOrder.STATES.move(order, PaymentOrder.Status.OPEN)
    BankTransfer.objects.filter(end_to_end_id=order.end_to_end_id).update(
        outcome=outcome, note=note[:200]
    )
    order.batch = None
    order.not_paid_requested_by = None
    order.not_paid_reason = ""
    order.save(update_fields=["status", "batch", "not_paid_requested_by", "not_paid_reason"])
    return before


def record_bank_rejection(*, order: PaymentOrder, reason: str, actor: User) -> PaymentOrder:
    """The bank answered that it rejected the order's transfer (statement or status
    report): the order may go into a new batch, with a new end-to-end id."""
    _require(is_accounts_payable(actor))
    with transaction.atomic():
        order = (
            PaymentOrder.objects.select_for_update(of=("self",))
            .select_related("batch")
            .get(pk=order.pk)
        )
        if not _sent(order):
            raise ActionRefused(_("Only an order sent to the bank can be rejected by it."))
        before = _reopen(order, BankTransfer.Outcome.REJECTED, reason)
        audit.record(
            actor=actor,
            action="payment_order.rejected_by_bank",
            obj=order,
            before={"status": before},
            after={"status": order.status, "reason": reason},
        )
    return order


def record_not_paid(*, order: PaymentOrder, reason: str, actor: User) -> PaymentOrder:
    """Two employees record that the bank did not pay an order of a cancelled batch: the
    first writes why, a second one who may approve batches confirms it."""
    _require(is_accounts_payable(actor) or can_approve_batches(actor))
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if order.status != PaymentOrder.Status.UNCONFIRMED:
            raise ActionRefused(
                _("Only an order of a cancelled batch whose file was produced waits for this.")
            )
        if order.not_paid_requested_by_id is None:
            if not reason.strip():
                raise ActionRefused(_("Write how you know the bank did not pay it."))
            order.not_paid_requested_by = actor
            order.not_paid_reason = reason.strip()
            order.save(update_fields=["not_paid_requested_by", "not_paid_reason"])
            audit.record(
                actor=actor,
                action="payment_order.not_paid_requested",
                obj=order,
                after={"reason": order.not_paid_reason, "end_to_end_id": order.end_to_end_id},
            )
            return order
        if order.not_paid_requested_by_id == actor.pk:
            raise ActionRefused(
                _("You recorded it: another employee who approves batches must confirm it.")
            )
        _require(can_approve_batches(actor))
        first, why = order.not_paid_requested_by, order.not_paid_reason
        _reopen(order, BankTransfer.Outcome.NOT_PAID, why)
        audit.record(
            actor=actor,
            action="payment_order.not_paid_confirmed",
            obj=order,
            before={"status": PaymentOrder.Status.UNCONFIRMED, "requested_by": first.email},
            after={"status": order.status, "reason": why},
        )
    return order
