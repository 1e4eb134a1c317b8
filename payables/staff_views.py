"""Employee pages for supplier payments (/gestion/proveedores/pagos/)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from procedures.views import file_response
from suppliers.models import Invoice
from suppliers.selectors import can_approve_batches, is_accounts_payable
from suppliers.staff_views import supplier_staff_required

from . import services
from .exporters import registry as exporters
from .forms import BatchForm, CancelForm, PaidForm, StatementForm
from .models import PaymentBatch, PaymentOrder

PAGE_SIZE = 25


def _run(request, action) -> bool:
    try:
        action()
    except services.PaymentActionError as exc:
        messages.error(request, str(exc))
        return False
    return True


@supplier_staff_required
def index(request):
    approved = Invoice.objects.filter(status=Invoice.Status.APPROVED)
    batches = (
        PaymentBatch.objects.annotate(total=Sum("orders__amount"), count=Count("orders"))
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "payables/index.html",
        {
            "approved": approved.values("currency").annotate(
                count=Count("id"), total=Sum("payable_total")
            ),
            "open_orders": PaymentOrder.objects.filter(
                status=PaymentOrder.Status.OPEN
            ).select_related("supplier"),
            "batch_form": BatchForm(),
            "page": Paginator(batches, PAGE_SIZE).get_page(request.GET.get("pagina")),
            "is_ap": is_accounts_payable(request.user),
        },
    )


@supplier_staff_required
@require_POST
def prepare(request):
    result: dict = {}

    def act():
        result["done"] = services.prepare_orders(actor=request.user)

    if _run(request, act):
        done = result["done"]
        messages.success(
            request,
            ngettext(
                "%(count)s payment order prepared.",
                "%(count)s payment orders prepared.",
                len(done.orders),
            )
            % {"count": len(done.orders)},
        )
        for supplier, why in done.waiting:
            messages.warning(
                request,
                _("%(supplier)s is not paid now: %(why)s.") % {"supplier": supplier, "why": why},
            )
    return redirect("payables:index")


@supplier_staff_required
@require_POST
def order_cancel(request, pk: int):
    order = get_object_or_404(PaymentOrder, pk=pk)
    if _run(request, lambda: services.cancel_order(order=order, actor=request.user)):
        messages.success(request, _("Payment order cancelled; its invoices are approved again."))
    return redirect("payables:index")


@supplier_staff_required
@require_POST
def batch_new(request):
    form = BatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the payment orders and a payment date."))
        return redirect("payables:index")
    result: dict = {}

    def act():
        result["batch"] = services.create_batch(
            order_ids=[order.pk for order in form.cleaned_data["orders"]],
            execution_date=form.cleaned_data["execution_date"],
            actor=request.user,
        )

    if _run(request, act):
        messages.success(
            request, _("Batch %(reference)s created.") % {"reference": result["batch"]}
        )
        return redirect("payables:batch", result["batch"].pk)
    return redirect("payables:index")


def _batch(pk: int) -> PaymentBatch:
    return get_object_or_404(
        PaymentBatch.objects.select_related("created_by", "exported_by"), pk=pk
    )


@supplier_staff_required
def batch_detail(request, pk: int):
    batch = _batch(pk)
    approvals = list(batch.approvals.select_related("user"))
    return render(
        request,
        "payables/batch.html",
        {
            "batch": batch,
            "orders": batch.orders.select_related("supplier").prefetch_related("items__invoice"),
            "approvals": approvals,
            "total": batch.orders.aggregate(total=Sum("amount"))["total"],
            "can_approve": batch.status == PaymentBatch.Status.DRAFT
            and can_approve_batches(request.user)
            and request.user.pk not in {approval.user_id for approval in approvals},
            "is_ap": is_accounts_payable(request.user),
            "exporters": exporters().values(),
            "paid_form": PaidForm(),
            "cancel_form": CancelForm(),
        },
    )


@supplier_staff_required
@require_POST
def batch_approve(request, pk: int):
    batch = _batch(pk)
    if _run(request, lambda: services.approve_batch(batch=batch, actor=request.user)):
        messages.success(request, _("Your approval was recorded."))
    return redirect("payables:batch", pk)


@supplier_staff_required
@require_POST
def batch_export(request, pk: int):
    batch = _batch(pk)
    if _run(
        request,
        lambda: services.export_batch(
            batch=batch, actor=request.user, exporter_code=request.POST.get("exporter") or None
        ),
    ):
        messages.success(request, _("Bank file produced: download it and send it to the bank."))
    return redirect("payables:batch", pk)


@supplier_staff_required
def batch_file(request, pk: int):
    batch = _batch(pk)
    if not batch.file or not is_accounts_payable(request.user):
        raise Http404
    content_type = "text/csv" if batch.file_name.endswith(".csv") else "application/xml"
    return file_response(batch.file, batch.file_name, content_type)


@supplier_staff_required
@require_POST
def batch_paid(request, pk: int):
    batch = _batch(pk)
    form = PaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the payment date."))
    elif _run(
        request,
        lambda: services.confirm_paid(
            batch=batch,
            paid_on=form.cleaned_data["paid_on"],
            note=form.cleaned_data["note"],
            actor=request.user,
        ),
    ):
        messages.success(request, _("Batch confirmed as paid; the suppliers can see it."))
    return redirect("payables:batch", pk)


@supplier_staff_required
@require_POST
def batch_cancel(request, pk: int):
    batch = _batch(pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write why the batch is cancelled."))
    elif _run(
        request,
        lambda: services.cancel_batch(
            batch=batch, actor=request.user, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, _("Batch cancelled; its orders wait for a new batch."))
    return redirect("payables:batch", pk)


@supplier_staff_required
def statement(request):
    form = StatementForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        result: dict = {}

        def act():
            result["report"] = services.import_statement(
                content=form.cleaned_data["file"], actor=request.user
            )

        if _run(request, act):
            report = result["report"]
    return render(request, "payables/statement.html", {"form": form, "report": report})
