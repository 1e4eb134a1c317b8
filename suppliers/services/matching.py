"""Matching stored invoices against their purchase orders, many at a time.

Each chunk of invoices runs in one transaction with a constant number of queries: the
invoices and the purchase order lines they touch are locked (in primary key order, so
two concurrent runs cannot deadlock), the quantities the invoices had counted on the
order lines are taken back, and ``suppliers.matching`` decides again, invoice by invoice
in order of submission. Open holds are replaced; released ones are kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from .. import matching
from ..models import (
    BankAccount,
    Invoice,
    InvoiceEvent,
    InvoiceHold,
    InvoiceLine,
    MatchingTolerance,
    PurchaseOrder,
    PurchaseOrderLine,
)
from .bulk import update_rows

CHUNK_SIZE = 1000
# How close an open order's amount still to invoice must be to an invoice's net total
# for the order to be proposed when the invoice names none.
PROPOSAL_TOLERANCE = Decimal("0.02")
MATCHABLE = (Invoice.Status.ON_HOLD, Invoice.Status.MATCHED)
# What matching reads and writes; loading nothing else keeps large runs fast.
MATCHING_FIELDS = (
    "supplier_id",
    "purchase_order_id",
    "po_proposed_from",
    "po_reference",
    "format",
    "kind",
    "number",
    "issue_date",
    "currency",
    "net_total",
    "allowance_total",
    "charge_total",
    "tax_exclusive_total",
    "tax_total",
    "tax_inclusive_total",
    "payable_total",
    "status",
    "submitted_at",
    "matched_at",
    "afip_check",
    "afip_message",
)
LINE_FIELDS = (
    "invoice_id",
    "position",
    "description",
    "quantity",
    "unit_price",
    "tax_rate",
    "po_line_reference",
    "seller_item_id",
    "po_line_id",
    "applied_quantity",
)


@dataclass(frozen=True)
class Outcome:
    status: str
    findings: tuple[matching.Finding, ...]


def match_invoices(
    invoice_ids: Iterable[int], *, chunk_size: int = CHUNK_SIZE
) -> dict[int, Outcome]:
    """Match (again) the given invoices that are on hold or matched and not released.

    Runs in the caller's transaction when there is one, else one transaction per chunk.
    """
    ids = sorted(set(invoice_ids))
    outcomes: dict[int, Outcome] = {}
    for start in range(0, len(ids), chunk_size):
        with transaction.atomic():
            outcomes.update(_match_chunk(ids[start : start + chunk_size]))
    return outcomes


def legal_vat_rates(currency: str) -> frozenset[Decimal] | None:
    """The VAT rates Argentine law allows, for invoices in pesos (``SUPPLIERS_VAT_RATES``);
    foreign invoices follow their own country's rates and are checked against the order."""
    if currency != "ARS":
        return None
    return frozenset(Decimal(rate) for rate in settings.SUPPLIERS_VAT_RATES)


def tolerances_for(supplier_ids: Iterable[int]) -> dict[int | None, matching.Tolerance]:
    rows = MatchingTolerance.objects.filter(
        Q(supplier__isnull=True) | Q(supplier_id__in=list(supplier_ids))
    )
    return {
        row.supplier_id: matching.Tolerance(
            price_percent=row.price_percent,
            quantity_percent=row.quantity_percent,
            total_percent=row.total_percent,
        )
        for row in rows
    }


def _state(line: PurchaseOrderLine) -> matching.OrderLineState:
    return matching.OrderLineState(
        id=line.pk,
        line_number=line.line_number,
        item_code=line.item_code,
        description=line.description,
        is_goods=line.kind == PurchaseOrderLine.Kind.GOODS,
        quantity=line.quantity,
        unit_price=line.unit_price,
        tax_rate=line.tax_rate,
        received=line.received_quantity,
        invoiced=line.invoiced_quantity,
    )


def _proposed_orders(invoices: list[Invoice]) -> dict[int, int]:
    """For invoices naming no order: the one open order of their supplier, in their
    currency, whose amount still to invoice equals the invoice's net total (order ids by
    invoice id). One query for the whole chunk; on PostgreSQL the database compares the
    amounts, so only the candidates come back, however many orders the suppliers have."""
    wanted = [
        invoice
        for invoice in invoices
        if invoice.purchase_order_id is None
        and not invoice.po_reference
        and invoice.net_total is not None
    ]
    if not wanted:
        return {}
    candidates: dict[int, list[int]] = defaultdict(list)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH wanted AS (SELECT * FROM unnest(%s::bigint[], %s::bigint[], "
                "%s::varchar[], %s::numeric[]) AS w(invoice, supplier, currency, net)), "
                "remaining AS (SELECT o.id, o.supplier_id, o.currency, "
                "SUM((l.quantity - l.invoiced_quantity) * l.unit_price) AS amount "
                "FROM suppliers_purchaseorder AS o "
                "JOIN suppliers_purchaseorderline AS l ON l.order_id = o.id "
                "WHERE o.status = %s AND o.supplier_id IN (SELECT supplier FROM wanted) "
                "GROUP BY o.id) "
                "SELECT w.invoice, r.id FROM wanted AS w JOIN remaining AS r "
                "ON r.supplier_id = w.supplier AND r.currency = w.currency "
                "AND abs(r.amount - w.net) <= %s",
                [
                    [invoice.pk for invoice in wanted],
                    [invoice.supplier_id for invoice in wanted],
                    [invoice.currency for invoice in wanted],
                    [invoice.net_total * invoice.sign for invoice in wanted],
                    PurchaseOrder.Status.OPEN,
                    PROPOSAL_TOLERANCE,
                ],
            )
            for invoice_id, order_id in cursor.fetchall():
                candidates[invoice_id].append(order_id)
    else:
        remaining = ExpressionWrapper(
            (F("lines__quantity") - F("lines__invoiced_quantity")) * F("lines__unit_price"),
            output_field=DecimalField(max_digits=30, decimal_places=8),
        )
        open_orders = PurchaseOrder.objects.filter(
            supplier_id__in={invoice.supplier_id for invoice in wanted},
            status=PurchaseOrder.Status.OPEN,
        ).annotate(remaining=Sum(remaining))
        for invoice in wanted:
            candidates[invoice.pk] = [
                order.pk
                for order in open_orders
                if order.supplier_id == invoice.supplier_id
                and order.currency == invoice.currency
                and order.remaining is not None
                and abs(order.remaining - invoice.net_total * invoice.sign) <= PROPOSAL_TOLERANCE
            ]
    return {invoice_id: found[0] for invoice_id, found in candidates.items() if len(found) == 1}


def _look_alikes(invoices: list[Invoice]) -> dict[tuple, list[tuple[int, str]]]:
    """Live invoices sharing supplier, kind, issue date and amount with one of these
    (the soft duplicate check), by that key. On PostgreSQL the keys are joined as arrays
    so each is one index probe, whatever the size of the table."""
    found: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
    keys = {(i.supplier_id, i.kind, i.issue_date, i.payable_total) for i in invoices}
    if connection.vendor == "postgresql":
        columns = list(zip(*keys, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.id, i.supplier_id, i.kind, i.issue_date, i.payable_total, i.number "
                "FROM suppliers_invoice AS i JOIN unnest(%s::bigint[], %s::varchar[], "
                "%s::date[], %s::numeric[]) AS k(supplier, kind, issued, total) "
                "ON i.supplier_id = k.supplier AND i.issue_date = k.issued "
                "AND i.payable_total = k.total AND i.kind = k.kind "
                "WHERE i.status <> %s",
                [list(column) for column in columns] + [Invoice.Status.WITHDRAWN],
            )
            rows = cursor.fetchall()
    else:
        rows = (
            Invoice.objects.filter(
                supplier_id__in={key[0] for key in keys},
                issue_date__in={key[2] for key in keys},
                payable_total__in={key[3] for key in keys},
            )
            .exclude(status=Invoice.Status.WITHDRAWN)
            .order_by()
            .values_list("pk", "supplier_id", "kind", "issue_date", "payable_total", "number")
        )
    for pk, supplier_id, kind, issue_date, total, number in rows:
        found[(supplier_id, kind, issue_date, total)].append((pk, number))
    return found


def _match_chunk(ids: list[int]) -> dict[int, Outcome]:
    invoices = list(
        Invoice.objects.select_for_update()
        .filter(pk__in=ids, status__in=MATCHABLE, released=False)
        .only(*MATCHING_FIELDS)
        .order_by("pk")
    )
    if not invoices:
        return {}
    invoice_ids = [invoice.pk for invoice in invoices]
    lines_by_invoice: dict[int, list[InvoiceLine]] = defaultdict(list)
    for line in (
        InvoiceLine.objects.filter(invoice_id__in=invoice_ids)
        .only(*LINE_FIELDS)
        .order_by("invoice_id", "position")
    ):
        lines_by_invoice[line.invoice_id].append(line)

    references = {
        invoice.po_reference
        for invoice in invoices
        if invoice.purchase_order_id is None and invoice.po_reference
    }
    by_reference = {
        (order.supplier_id, order.number): order
        for order in PurchaseOrder.objects.filter(number__in=references)
    }
    proposed = _proposed_orders(invoices)
    for invoice in invoices:
        if invoice.purchase_order_id is not None:
            continue
        if invoice.po_reference:
            order = by_reference.get((invoice.supplier_id, invoice.po_reference))
            if order is not None:
                invoice.purchase_order = order
                invoice.po_proposed_from = "reference"
        elif invoice.pk in proposed:
            invoice.purchase_order_id = proposed[invoice.pk]
            invoice.po_proposed_from = "totals"

    order_ids = {invoice.purchase_order_id for invoice in invoices if invoice.purchase_order_id}
    orders = {order.pk: order for order in PurchaseOrder.objects.filter(pk__in=order_ids)}
    order_lines: dict[int, list[matching.OrderLineState]] = defaultdict(list)
    states: dict[int, matching.OrderLineState] = {}
    original_invoiced: dict[int, Decimal] = {}
    for line in (
        PurchaseOrderLine.objects.select_for_update().filter(order_id__in=order_ids).order_by("pk")
    ):
        state = _state(line)
        order_lines[line.order_id].append(state)
        states[line.pk] = state
        original_invoiced[line.pk] = line.invoiced_quantity
    # Take back what these invoices counted before; lines of another order are locked too.
    previous_lines = {
        line.po_line_id
        for lines in lines_by_invoice.values()
        for line in lines
        if line.po_line_id and line.applied_quantity and line.po_line_id not in states
    }
    for line in (
        PurchaseOrderLine.objects.select_for_update().filter(pk__in=previous_lines).order_by("pk")
    ):
        states[line.pk] = _state(line)
        original_invoiced[line.pk] = line.invoiced_quantity
    for lines in lines_by_invoice.values():
        for line in lines:
            if line.applied_quantity:
                states[line.po_line_id].invoiced -= line.applied_quantity

    supplier_ids = {invoice.supplier_id for invoice in invoices}
    tolerances = tolerances_for(supplier_ids)
    bank_states: dict[int, set[str]] = defaultdict(set)
    for supplier_id, status in BankAccount.objects.filter(
        supplier_id__in=supplier_ids,
        status__in=[BankAccount.Status.PENDING, BankAccount.Status.ACTIVE],
    ).values_list("supplier_id", "status"):
        bank_states[supplier_id].add(status)
    look_alikes = _look_alikes(invoices)

    now = timezone.now()
    max_age = settings.SUPPLIERS_INVOICE_MAX_AGE_DAYS
    oldest = timezone.localdate() - timedelta(days=max_age or 0)
    holds: list[InvoiceHold] = []
    events: list[InvoiceEvent] = []
    outcomes: dict[int, Outcome] = {}
    for invoice in sorted(invoices, key=lambda invoice: (invoice.submitted_at, invoice.pk)):
        lines = lines_by_invoice[invoice.pk]
        findings: list[matching.Finding] = []
        order = orders.get(invoice.purchase_order_id)
        inputs = [
            matching.LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                description=line.description,
                po_line_reference=line.po_line_reference,
                seller_item_id=line.seller_item_id,
                tax_rate=line.tax_rate,
            )
            for line in lines
        ]
        if order is None:
            findings.append(matching.Finding("no_po", None, {"reference": invoice.po_reference}))
            for line in lines:
                line.po_line = None
                line.applied_quantity = matching.ZERO
        else:
            if order.status != PurchaseOrder.Status.OPEN:
                findings.append(matching.Finding("po_closed", None, {"order": order.number}))
            if order.currency != invoice.currency:
                findings.append(
                    matching.Finding(
                        "currency", None, {"invoiced": invoice.currency, "ordered": order.currency}
                    )
                )
            is_qr = invoice.format == Invoice.Format.AFIP_QR
            result = matching.match_lines(
                inputs,
                order_lines[order.pk],
                sign=invoice.sign,
                tolerance=tolerances.get(invoice.supplier_id)
                or tolerances.get(None)
                or matching.Tolerance(),
                invoice_total=invoice.tax_inclusive_total if is_qr else invoice.tax_exclusive_total,
                total_includes_tax=is_qr,
                tax=matching.TaxInput(
                    tax_total=invoice.tax_total,
                    allowance_total=invoice.allowance_total,
                    charge_total=invoice.charge_total,
                    allowed_rates=legal_vat_rates(invoice.currency),
                ),
            )
            findings.extend(result.findings)
            for line, order_line_id in zip(lines, result.order_line_ids, strict=True):
                line.po_line_id = order_line_id
                line.applied_quantity = matching.ZERO
        key = (invoice.supplier_id, invoice.kind, invoice.issue_date, invoice.payable_total)
        for pk, number in look_alikes[key]:
            if pk < invoice.pk:
                findings.append(matching.Finding("duplicate", None, {"number": number}))
                break
        if max_age is not None and invoice.issue_date < oldest:
            findings.append(
                matching.Finding(
                    "date", None, {"date": invoice.issue_date.isoformat(), "days": str(max_age)}
                )
            )
        if invoice.afip_check not in (Invoice.AfipCheck.NOT_NEEDED, Invoice.AfipCheck.APPROVED):
            findings.append(
                matching.Finding(
                    "afip", None, {"check": invoice.afip_check, "message": invoice.afip_message}
                )
            )
        accounts = bank_states[invoice.supplier_id]
        if BankAccount.Status.PENDING in accounts:
            findings.append(matching.Finding("bank_change"))
        elif BankAccount.Status.ACTIVE not in accounts:
            findings.append(matching.Finding("no_bank"))
        if not findings and order is not None:
            for line, quantity in zip(lines, result.applied, strict=True):
                line.applied_quantity = quantity
                if line.po_line_id:
                    states[line.po_line_id].invoiced += quantity
        invoice.status = Invoice.Status.ON_HOLD if findings else Invoice.Status.MATCHED
        invoice.matched_at = now
        for finding in findings:
            holds.append(
                InvoiceHold(
                    invoice=invoice,
                    line=lines[finding.line_index] if finding.line_index is not None else None,
                    code=finding.code,
                    params=finding.params,
                )
            )
        events.append(
            InvoiceEvent(
                invoice=invoice,
                kind=InvoiceEvent.Kind.HELD if findings else InvoiceEvent.Kind.MATCHED,
                message=", ".join(sorted({finding.code for finding in findings})),
            )
        )
        outcomes[invoice.pk] = Outcome(invoice.status, tuple(findings))

    update_rows(Invoice, invoices, ["status", "purchase_order", "po_proposed_from", "matched_at"])
    update_rows(
        InvoiceLine,
        [line for lines in lines_by_invoice.values() for line in lines],
        ["po_line", "applied_quantity"],
    )
    update_rows(
        PurchaseOrderLine,
        [
            PurchaseOrderLine(pk=pk, invoiced_quantity=state.invoiced)
            for pk, state in states.items()
            if state.invoiced != original_invoiced[pk]
        ],
        ["invoiced_quantity"],
    )
    InvoiceHold.objects.filter(invoice_id__in=invoice_ids, released_at__isnull=True).delete()
    InvoiceHold.objects.bulk_create(holds)
    InvoiceEvent.objects.bulk_create(events)
    return outcomes


def take_back(invoice: Invoice) -> None:
    """The invoice stops counting on its order lines (returned or withdrawn).

    The caller holds the invoice's row lock and runs in a transaction.
    """
    lines = [line for line in invoice.lines.all() if line.applied_quantity]
    if not lines:
        return
    order_lines = {
        line.pk: line
        for line in PurchaseOrderLine.objects.select_for_update()
        .filter(pk__in=[line.po_line_id for line in lines])
        .order_by("pk")
    }
    for line in lines:
        order_lines[line.po_line_id].invoiced_quantity -= line.applied_quantity
        line.applied_quantity = matching.ZERO
    PurchaseOrderLine.objects.bulk_update(order_lines.values(), ["invoiced_quantity"])
    InvoiceLine.objects.bulk_update(lines, ["applied_quantity"])


def count_released(invoice: Invoice) -> None:
    """A forced release counts every line that has an order line, whatever its holds."""
    lines = [line for line in invoice.lines.all() if line.po_line_id and not line.applied_quantity]
    if not lines:
        return
    order_lines = {
        line.pk: line
        for line in PurchaseOrderLine.objects.select_for_update()
        .filter(pk__in=[line.po_line_id for line in lines])
        .order_by("pk")
    }
    for line in lines:
        line.applied_quantity = line.quantity * invoice.sign
        order_lines[line.po_line_id].invoiced_quantity += line.applied_quantity
    PurchaseOrderLine.objects.bulk_update(order_lines.values(), ["invoiced_quantity"])
    InvoiceLine.objects.bulk_update(lines, ["applied_quantity"])
