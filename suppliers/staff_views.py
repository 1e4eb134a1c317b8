"""Employee pages for suppliers (/gestion/proveedores/): the accounts payable queue and
invoice tasks, purchase orders and receptions, supplier verification and bank changes.

accounts.middleware already requires an employee with two-factor authentication under
/gestion/; here each page also needs one of the supplier permissions, and purchase
orders are scoped to the employee's departments unless they work in accounts payable.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from core.errors import ActionRefused
from core.files import private_file_response
from core.views import refusal_shown

from . import selectors
from .flows import InvoiceFlow
from .forms import (
    BankDecisionForm,
    CsvForm,
    DecisionForm,
    NoteForm,
    OrderForm,
    OrderLineFormSet,
    ReceptionForm,
)
from .models import BankAccount, Invoice, PurchaseOrder, Supplier
from .services import organisations, purchasing, review

PAGE_SIZE = 25
QUEUE_TITLES = {
    "exceptions": gettext_lazy("Exceptions (on hold)"),
    "to_approve": gettext_lazy("Ready to approve"),
    "mine": gettext_lazy("My tasks"),
    "waiting": gettext_lazy("Waiting for the supplier"),
}


def _staff(check):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


accounts_payable_required = _staff(selectors.is_accounts_payable)
purchasing_required = _staff(
    lambda user: selectors.can_purchase(user) or selectors.is_accounts_payable(user)
)
supplier_staff_required = _staff(selectors.works_on_suppliers)


@supplier_staff_required
def index(request):
    if selectors.is_accounts_payable(request.user):
        return redirect("suppliers_staff:queue", "exceptions")
    if selectors.can_purchase(request.user):
        return redirect("suppliers_staff:orders")
    return redirect("suppliers_staff:suppliers")


# --- accounts payable queue and invoice tasks ------------------------------------------


@accounts_payable_required
def queue(request, queue: str):
    if queue not in QUEUE_TITLES:
        queue = "exceptions"
    text = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.review_tasks(request.user, queue, text), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    return render(
        request,
        "suppliers/staff/queue.html",
        {"page": page, "queue": queue, "queues": QUEUE_TITLES, "q": text},
    )


def _invoice_context(request, invoice: Invoice) -> dict:
    return {
        "invoice": invoice,
        "lines": invoice.lines.select_related("po_line"),
        "holds": invoice.holds.select_related("line", "released_by"),
        "events": invoice.events.select_related("actor"),
        "note_form": NoteForm(),
    }


def _task(request, task_id: int) -> tuple[Task, Invoice]:
    task = get_object_or_404(
        Task.objects.select_related("owner", "process"), pk=task_id, flow_task=InvoiceFlow.review
    )
    invoice = get_object_or_404(
        Invoice.objects.select_related("supplier", "purchase_order"), process_id=task.process_id
    )
    return task, invoice


@accounts_payable_required
def invoice_task(request, task_id: int, form: DecisionForm | None = None):
    task, invoice = _task(request, task_id)
    context = _invoice_context(request, invoice)
    context.update(
        task=task,
        is_mine=task.owner_id == request.user.pk and task.status == STATUS.ASSIGNED,
        can_claim=task.status == STATUS.NEW,
        decision_form=form or DecisionForm(invoice=invoice),
    )
    return render(request, "suppliers/staff/task.html", context, status=400 if form else 200)


@accounts_payable_required
@require_POST
def task_claim(request, task_id: int):
    _task(request, task_id)
    with refusal_shown(request) as attempt:
        review.claim(task_id=task_id, user=request.user)
    if attempt.ok:
        messages.success(request, _("The task is yours."))
    return redirect("suppliers_staff:task", task_id)


@accounts_payable_required
@require_POST
def task_release(request, task_id: int):
    _task(request, task_id)
    with refusal_shown(request) as attempt:
        review.release_task(task_id=task_id, user=request.user)
    if attempt.ok:
        messages.success(request, _("The task is back in the queue."))
    return redirect("suppliers_staff:queue", "exceptions")


DONE_MESSAGES = {
    review.Action.APPROVE: gettext_lazy("Invoice %(number)s approved for payment."),
    review.Action.RELEASE: gettext_lazy("Invoice %(number)s released for payment."),
    review.Action.RETURN: gettext_lazy("Invoice %(number)s returned to the supplier."),
}
CREDIT_NOTE_DONE = {
    review.Action.APPROVE: gettext_lazy("Credit note %(number)s approved."),
    review.Action.RELEASE: gettext_lazy("Credit note %(number)s released."),
    review.Action.RETURN: gettext_lazy("Credit note %(number)s returned to the supplier."),
}


@accounts_payable_required
@require_POST
def task_decide(request, task_id: int):
    task, invoice = _task(request, task_id)
    form = DecisionForm(request.POST, invoice=invoice)
    if not form.is_valid():
        return invoice_task(request, task_id, form=form)
    action = form.cleaned_data["action"]
    with refusal_shown(request) as attempt:
        decided = review.decide(
            task_id=task_id,
            user=request.user,
            action=action,
            message=form.cleaned_data["message"],
            purchase_order=form.cleaned_data["purchase_order"],
        )
    if not attempt.ok:
        return redirect("suppliers_staff:task", task_id)
    if action == review.Action.REMATCH:
        status = decided.get_status_display()
        messages.success(request, _("Checked again: %(status)s.") % {"status": status})
        return redirect("suppliers_staff:task", task_id)
    done = CREDIT_NOTE_DONE if invoice.kind == Invoice.Kind.CREDIT_NOTE else DONE_MESSAGES
    messages.success(request, done[action] % {"number": invoice.number})
    return redirect("suppliers_staff:queue", "exceptions")


def _visible_invoice(request, pk: int) -> Invoice:
    invoice = get_object_or_404(Invoice.objects.select_related("supplier", "purchase_order"), pk=pk)
    if not selectors.can_see_invoice(request.user, invoice):
        raise PermissionDenied
    return invoice


@supplier_staff_required
def invoice_detail(request, pk: int):
    invoice = _visible_invoice(request, pk)
    context = _invoice_context(request, invoice)
    context["task"] = selectors.open_review_task(invoice)
    return render(request, "suppliers/staff/invoice.html", context)


@supplier_staff_required
def invoice_file(request, pk: int, kind: str):
    invoice = _visible_invoice(request, pk)
    if kind == "xml" and invoice.source:
        return private_file_response(
            invoice.source, filename=invoice.source_name, content_type="application/xml"
        )
    return private_file_response(
        invoice.pdf, filename=invoice.pdf_name, content_type="application/pdf", inline=True
    )


@accounts_payable_required
@require_POST
def invoice_note(request, pk: int):
    invoice = _visible_invoice(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return redirect("suppliers_staff:invoice", pk)
    with refusal_shown(request) as attempt:
        review.add_note(invoice=invoice, user=request.user, text=form.cleaned_data["text"])
    if attempt.ok:
        messages.success(request, _("Note added."))
    return redirect("suppliers_staff:invoice", pk)


# --- purchase orders -------------------------------------------------------------------


@purchasing_required
def orders(request):
    found = selectors.staff_orders(request.user)
    text = request.GET.get("q", "").strip()[:100]
    if text:
        found = found.filter(number__icontains=text) | found.filter(
            supplier__legal_name__icontains=text
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "suppliers/staff/orders.html",
        {
            "page": page,
            "q": text,
            "can_create": selectors.purchasing_departments(request.user).exists(),
        },
    )


@purchasing_required
def order_new(request):
    departments = selectors.purchasing_departments(request.user)
    if not departments.exists():
        raise PermissionDenied
    form = OrderForm(request.POST or None, departments=departments)
    lines = OrderLineFormSet(request.POST or None, prefix="lineas")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        line_data = [
            purchasing.LineData(**line.cleaned_data)
            for line in lines
            if line.cleaned_data and not line.cleaned_data.get("DELETE")
        ]
        try:
            order = purchasing.create_order(
                data=purchasing.OrderData(
                    supplier=data["supplier"],
                    department=data["department"],
                    issue_date=data["issue_date"],
                    lines=line_data,
                    currency=data["currency"],
                    description=data["description"],
                ),
                actor=request.user,
            )
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Purchase order %(number)s created.") % {"number": order.number}
            )
            return redirect("suppliers_staff:order", order.pk)
    return render(
        request,
        "suppliers/staff/order_new.html",
        {"form": form, "lines": lines},
        status=400 if request.method == "POST" else 200,
    )


@purchasing_required
def order_import(request):
    departments = list(selectors.purchasing_departments(request.user))
    if not departments:
        raise PermissionDenied
    form = CsvForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = purchasing.import_orders_csv(
            content=form.cleaned_data["file"],
            departments=departments,
            actor=request.user,
            default_department=departments[0] if len(departments) == 1 else None,
        )
        if not report.errors:
            messages.success(
                request,
                ngettext(
                    "%(count)s purchase order imported.",
                    "%(count)s purchase orders imported.",
                    len(report.orders),
                )
                % {"count": len(report.orders)},
            )
            return redirect("suppliers_staff:orders")
    return render(
        request,
        "suppliers/staff/order_import.html",
        {"form": form, "report": report, "columns": purchasing.CSV_COLUMNS},
        status=400 if report and report.errors else 200,
    )


def _visible_order(request, pk: int) -> PurchaseOrder:
    order = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "department"), pk=pk)
    if not selectors.can_see_order(request.user, order):
        raise PermissionDenied
    return order


@purchasing_required
def order_detail(request, pk: int, reception_form: ReceptionForm | None = None):
    order = _visible_order(request, pk)
    lines = selectors.lines_with_progress(order)
    return render(
        request,
        "suppliers/staff/order.html",
        {
            "order": order,
            "lines": lines,
            "invoices": order.invoices.all(),
            "reception_form": reception_form or ReceptionForm(lines=lines),
            "can_receive": order.status == PurchaseOrder.Status.OPEN
            and selectors.purchasing_departments(request.user)
            .filter(pk=order.department_id)
            .exists(),
        },
        status=400 if reception_form else 200,
    )


@purchasing_required
@require_POST
def order_receive(request, pk: int):
    order = _visible_order(request, pk)
    if not selectors.purchasing_departments(request.user).filter(pk=order.department_id).exists():
        raise PermissionDenied
    form = ReceptionForm(request.POST, lines=order.lines.order_by("line_number"))
    if not form.is_valid():
        return order_detail(request, pk, reception_form=form)
    with refusal_shown(request) as attempt:
        purchasing.record_receptions(
            order=order,
            quantities=form.quantities(),
            received_on=form.cleaned_data["received_on"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
    if attempt.ok:
        messages.success(request, _("Reception recorded."))
    return redirect("suppliers_staff:order", pk)


@purchasing_required
@require_POST
def order_status(request, pk: int):
    order = _visible_order(request, pk)
    status = request.POST.get("status")
    if status not in PurchaseOrder.Status.values:
        raise PermissionDenied
    with refusal_shown(request) as attempt:
        purchasing.set_order_status(order=order, status=status, actor=request.user)
    if attempt.ok:
        messages.success(request, _("Order status changed."))
    return redirect("suppliers_staff:order", pk)


# --- suppliers and bank accounts -------------------------------------------------------


@supplier_staff_required
def suppliers(request):
    found = Supplier.objects.all()
    text = request.GET.get("q", "").strip()[:100]
    if text:
        found = found.filter(legal_name__icontains=text) | found.filter(cuit__contains=text)
    page = Paginator(found.order_by("legal_name"), PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "suppliers/staff/suppliers.html",
        {
            "page": page,
            "q": text,
            "pending_accounts": BankAccount.objects.filter(status=BankAccount.Status.PENDING)
            .select_related("supplier")
            .order_by("requested_at")
            if selectors.is_accounts_payable(request.user)
            else [],
        },
    )


@supplier_staff_required
def supplier_detail(request, pk: int):
    supplier = get_object_or_404(Supplier, pk=pk)
    return render(
        request,
        "suppliers/staff/supplier.html",
        {
            "supplier": supplier,
            "is_ap": selectors.is_accounts_payable(request.user),
            "accounts": supplier.bank_accounts.select_related(
                "requested_by", "decided_by", "first_approved_by"
            ),
            "members": supplier.memberships.select_related("user"),
            "tax_ids": supplier.tax_ids.all(),
            "bank_form": BankDecisionForm(),
            "statuses": [
                (value, label)
                for value, label in Supplier.Status.choices
                if value == supplier.status or Supplier.STATES.allows(supplier.status, value)
            ],
        },
    )


@accounts_payable_required
@require_POST
def supplier_status(request, pk: int):
    supplier = get_object_or_404(Supplier, pk=pk)
    status = request.POST.get("status")
    if status not in Supplier.Status.values:
        raise PermissionDenied
    with refusal_shown(request) as attempt:
        organisations.set_supplier_status(supplier=supplier, status=status, actor=request.user)
    if attempt.ok:
        messages.success(request, _("Supplier status changed."))
    return redirect("suppliers_staff:supplier", pk)


@accounts_payable_required
@require_POST
def bank_decide(request, pk: int):
    account = get_object_or_404(BankAccount, pk=pk)
    form = BankDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("suppliers_staff:supplier", account.supplier_id)
    with refusal_shown(request) as attempt:
        organisations.decide_bank_account(
            account=account,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
    if attempt.ok:
        account.refresh_from_db()
        if account.status == BankAccount.Status.PENDING:
            messages.success(
                request, _("Approval recorded: another employee must approve the change too.")
            )
        else:
            messages.success(request, _("Bank account request decided."))
    return redirect("suppliers_staff:supplier", account.supplier_id)


@accounts_payable_required
def bank_document(request, pk: int) -> HttpResponse:
    account = get_object_or_404(BankAccount, pk=pk)
    return private_file_response(
        account.document, filename=account.document_name, content_type=account.document_type
    )
