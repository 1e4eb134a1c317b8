"""Reads for the supplier portal and the staff pages, each scoped to who is asking.

A supplier user sees only their own organisation's rows: every supplier-facing read
starts from ``supplier_of(user)``. Employees see purchase orders of their departments,
unless they work in accounts payable, who see every order and invoice.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Department, User

from .flows import ACCOUNTS_PAYABLE_PERMISSION, InvoiceFlow
from .models import (
    BankAccount,
    Invoice,
    InvoiceHold,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
)

PURCHASING_PERMISSION = "suppliers.purchasing"
APPROVE_BATCHES_PERMISSION = "suppliers.approve_payment_batches"


def supplier_of(user: User) -> Supplier | None:
    if not user.is_authenticated or not user.is_supplier_user:
        return None
    membership = getattr(user, "supplier_membership", None)
    return membership.supplier if membership else None


def _line_amount(quantity: str) -> ExpressionWrapper:
    return ExpressionWrapper(
        F(quantity) * F("lines__unit_price"),
        output_field=DecimalField(max_digits=30, decimal_places=6),
    )


def orders_with_progress(orders: QuerySet[PurchaseOrder]) -> QuerySet[PurchaseOrder]:
    """Orders with their net amounts ordered, received and invoiced."""
    return orders.select_related("supplier", "department").annotate(
        ordered_amount=Sum(_line_amount("lines__quantity")),
        received_amount=Sum(_line_amount("lines__received_quantity")),
        invoiced_amount=Sum(_line_amount("lines__invoiced_quantity")),
    )


def lines_with_progress(order: PurchaseOrder) -> QuerySet[PurchaseOrderLine]:
    return order.lines.annotate(
        paid_quantity=Sum(
            "invoice_lines__applied_quantity",
            filter=Q(invoice_lines__invoice__status=Invoice.Status.PAID),
            default=Decimal(0),
        )
    ).order_by("line_number")


def supplier_orders(supplier: Supplier) -> QuerySet[PurchaseOrder]:
    return orders_with_progress(PurchaseOrder.objects.filter(supplier=supplier)).order_by(
        "-issue_date", "-id"
    )


def supplier_invoices(supplier: Supplier) -> QuerySet[Invoice]:
    return Invoice.objects.filter(supplier=supplier).select_related("purchase_order")


def active_account(supplier: Supplier) -> BankAccount | None:
    return supplier.bank_accounts.filter(status=BankAccount.Status.ACTIVE).first()


def pending_account(supplier: Supplier) -> BankAccount | None:
    return supplier.bank_accounts.filter(status=BankAccount.Status.PENDING).first()


# --- staff ----------------------------------------------------------------------------


def is_accounts_payable(user: User) -> bool:
    return user.is_superuser or user.has_perm(ACCOUNTS_PAYABLE_PERMISSION)


def can_purchase(user: User) -> bool:
    return user.is_superuser or user.has_perm(PURCHASING_PERMISSION)


def can_approve_batches(user: User) -> bool:
    return user.is_superuser or user.has_perm(APPROVE_BATCHES_PERMISSION)


def works_on_suppliers(user: User) -> bool:
    return is_accounts_payable(user) or can_purchase(user) or can_approve_batches(user)


def purchasing_departments(user: User) -> QuerySet[Department]:
    if user.is_superuser:
        return Department.objects.all()
    if not user.has_perm(PURCHASING_PERMISSION):
        return Department.objects.none()
    return Department.objects.filter(group__user=user)


def staff_orders(user: User) -> QuerySet[PurchaseOrder]:
    orders = PurchaseOrder.objects.all()
    if not is_accounts_payable(user):
        orders = orders.filter(department__in=purchasing_departments(user))
    return orders_with_progress(orders).order_by("-issue_date", "-id")


def can_see_order(user: User, order: PurchaseOrder) -> bool:
    return (
        is_accounts_payable(user)
        or purchasing_departments(user).filter(pk=order.department_id).exists()
    )


def can_see_invoice(user: User, invoice: Invoice) -> bool:
    if is_accounts_payable(user):
        return True
    return invoice.purchase_order_id is not None and can_see_order(user, invoice.purchase_order)


def review_tasks(user: User, queue: str, text: str = "") -> QuerySet[Task]:
    """exceptions / to_approve: unclaimed tasks of invoices on hold / clean; mine: the
    user's claimed tasks; waiting: invoices returned to their supplier."""
    tasks = Task.objects.filter(process__flow_class=InvoiceFlow).select_related(
        "owner", "process__supplier_invoice__supplier", "process__supplier_invoice__purchase_order"
    )
    if queue == "waiting":
        tasks = tasks.filter(flow_task=InvoiceFlow.await_supplier, status=STATUS.NEW)
    else:
        tasks = tasks.filter(flow_task=InvoiceFlow.review)
        if queue == "mine":
            tasks = tasks.filter(owner=user, status=STATUS.ASSIGNED)
        else:
            status = Invoice.Status.ON_HOLD if queue == "exceptions" else Invoice.Status.MATCHED
            tasks = tasks.filter(status=STATUS.NEW, process__supplier_invoice__status=status)
    if text:
        tasks = tasks.filter(
            Q(process__supplier_invoice__number__icontains=text)
            | Q(process__supplier_invoice__supplier__legal_name__icontains=text)
            | Q(process__supplier_invoice__supplier__cuit__icontains=text)
            | Q(process__supplier_invoice__purchase_order__number__icontains=text)
        )
    # The queue says why each invoice is held, from its open holds.
    open_holds = Prefetch(
        "process__supplier_invoice__holds",
        queryset=InvoiceHold.objects.filter(released_at__isnull=True),
        to_attr="open_holds",
    )
    return tasks.prefetch_related(open_holds).order_by("created")


def open_review_task(invoice: Invoice) -> Task | None:
    if invoice.process_id is None:
        return None
    return (
        Task.objects.filter(process_id=invoice.process_id, flow_task=InvoiceFlow.review)
        .exclude(status__in=[STATUS.DONE, STATUS.CANCELED])
        .select_related("owner")
        .first()
    )
