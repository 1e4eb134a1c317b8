"""Employee pages for supplier payments (/gestion/proveedores/pagos/)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, Sum, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.files import private_file_response
from core.views import refusal_shown
from suppliers.models import Invoice
from suppliers.selectors import can_approve_batches, is_accounts_payable
from suppliers.staff_views import supplier_staff_required

from . import certificates, services
from .exporters import BANK_FILES
from .forms import BatchForm, CancelForm, NotPaidForm, PaidForm, StatementForm
from .models import PaymentBatch, PaymentOrder
from .services import bank_statement, withholding

PAGE_SIZE = 25


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
            # Credit notes are stated positive and count against the invoices.
            "approved": approved.values("currency").annotate(
                count=Count("id"),
                total=Sum(
                    Case(
                        When(kind=Invoice.Kind.CREDIT_NOTE, then=-F("payable_total")),
                        default=F("payable_total"),
                    )
                ),
            ),
            "open_orders": PaymentOrder.objects.filter(
                status=PaymentOrder.Status.OPEN
            ).select_related("supplier"),
            "unconfirmed": PaymentOrder.objects.filter(
                status=PaymentOrder.Status.UNCONFIRMED
            ).select_related("supplier", "batch", "not_paid_requested_by"),
            "not_paid_form": NotPaidForm(),
            "batch_form": BatchForm(),
            "page": Paginator(batches, PAGE_SIZE).get_page(request.GET.get("pagina")),
            "is_ap": is_accounts_payable(request.user),
        },
    )


@supplier_staff_required
@require_POST
def prepare(request):
    with refusal_shown(request) as attempt:
        done = services.prepare_orders(actor=request.user)
    if attempt.ok:
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
    with refusal_shown(request) as attempt:
        services.cancel_order(order=order, actor=request.user)
    if attempt.ok:
        messages.success(request, _("Payment order cancelled; its invoices are approved again."))
    return redirect("payables:index")


@supplier_staff_required
@require_POST
def order_not_paid(request, pk: int):
    order = get_object_or_404(PaymentOrder, pk=pk)
    form = NotPaidForm(request.POST)
    form.is_valid()
    with refusal_shown(request) as attempt:
        order = services.record_not_paid(
            order=order, reason=form.cleaned_data.get("reason", ""), actor=request.user
        )
    if attempt.ok:
        messages.success(
            request,
            _("Recorded: the order waits for a new batch.")
            if order.status == PaymentOrder.Status.OPEN
            else _("Recorded: another employee must confirm it."),
        )
    return redirect("payables:index")


@supplier_staff_required
@require_POST
def batch_new(request):
    form = BatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the payment orders and a payment date."))
        return redirect("payables:index")
    with refusal_shown(request) as attempt:
        batch = services.create_batch(
            order_ids=[order.pk for order in form.cleaned_data["orders"]],
            execution_date=form.cleaned_data["execution_date"],
            actor=request.user,
        )
    if attempt.ok:
        messages.success(request, _("Batch %(reference)s created.") % {"reference": batch})
        return redirect("payables:batch", batch.pk)
    return redirect("payables:index")


def _batch(pk: int) -> PaymentBatch:
    return get_object_or_404(
        PaymentBatch.objects.select_related("created_by", "exported_by"), pk=pk
    )


@supplier_staff_required
def batch_detail(request, pk: int):
    batch = _batch(pk)
    approvals = list(batch.approvals.select_related("user"))
    orders = list(
        batch.orders.select_related("supplier").prefetch_related("items__invoice", "withholdings")
    )
    certificates.attach([row for order in orders for row in order.withholdings.all()])
    return render(
        request,
        "payables/batch.html",
        {
            "batch": batch,
            "orders": orders,
            "approvals": approvals,
            "total": batch.orders.aggregate(total=Sum("amount"))["total"],
            "can_approve": batch.status == PaymentBatch.Status.DRAFT
            and can_approve_batches(request.user)
            and request.user.pk not in {approval.user_id for approval in approvals}
            and (batch.created_by_id != request.user.pk or settings.PAYABLES_CREATOR_MAY_APPROVE),
            "is_ap": is_accounts_payable(request.user),
            "exporters": BANK_FILES.usable(),
            "default_exporter": settings.PAYABLES_EXPORTER,
            "paid_form": PaidForm(),
            "cancel_form": CancelForm(),
        },
    )


@supplier_staff_required
@require_POST
def batch_approve(request, pk: int):
    batch = _batch(pk)
    with refusal_shown(request) as attempt:
        services.approve_batch(batch=batch, actor=request.user)
    if attempt.ok:
        messages.success(request, _("Your approval was recorded."))
    return redirect("payables:batch", pk)


@supplier_staff_required
@require_POST
def batch_export(request, pk: int):
    batch = _batch(pk)
    with refusal_shown(request) as attempt:
        services.export_batch(
            batch=batch, actor=request.user, exporter_code=request.POST.get("exporter") or None
        )
    if attempt.ok:
        messages.success(request, _("Bank file produced: download it and send it to the bank."))
    return redirect("payables:batch", pk)


@supplier_staff_required
def batch_file(request, pk: int):
    batch = _batch(pk)
    if not batch.file or not is_accounts_payable(request.user):
        raise Http404
    content_type = "text/csv" if batch.file_name.endswith(".csv") else "application/xml"
    return private_file_response(batch.file, filename=batch.file_name, content_type=content_type)


@supplier_staff_required
@require_POST
def batch_paid(request, pk: int):
    batch = _batch(pk)
    form = PaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the payment date."))
        return redirect("payables:batch", pk)
    with refusal_shown(request) as attempt:
        services.confirm_paid(
            batch=batch,
            paid_on=form.cleaned_data["paid_on"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
    if attempt.ok:
        messages.success(request, _("Batch confirmed as paid; the suppliers can see it."))
    return redirect("payables:batch", pk)


@supplier_staff_required
@require_POST
def batch_cancel(request, pk: int):
    batch = _batch(pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write why the batch is cancelled."))
        return redirect("payables:batch", pk)
    with refusal_shown(request) as attempt:
        services.cancel_batch(batch=batch, actor=request.user, reason=form.cleaned_data["reason"])
    if attempt.ok:
        messages.success(request, _("Batch cancelled; its orders wait for a new batch."))
    return redirect("payables:batch", pk)


@supplier_staff_required
def statement(request):
    form = StatementForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"]
        with refusal_shown(request):
            if content.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
                report = _bank_message_as_statement(content, request.user)
            else:
                report = services.import_statement(content=content, actor=request.user)
    return render(request, "payables/statement.html", {"form": form, "report": report})


def _month(request) -> date | None:
    """The month the page asks for (``mes=yyyy-mm``), this month when none, None when unreadable."""
    text = request.GET.get("mes", "").strip()
    if not text:
        return timezone.localdate().replace(day=1)
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


@supplier_staff_required
def withholdings(request):
    """The tax office's monthly files (SICORE and SIRE), to download by month."""
    if not is_accounts_payable(request.user):
        raise Http404
    month = _month(request)
    if month is None:
        messages.error(request, _("Write the month as year and month, e.g. 2026-03."))
        month = timezone.localdate().replace(day=1)
    return render(
        request,
        "payables/withholdings.html",
        {
            "month": month,
            "sicore_count": len(withholding.sicore_lines(month)),
            "sire_f2004_count": len(withholding.sire_lines(month, "2004")),
            "sire_f2005_count": len(withholding.sire_lines(month, "2005")),
        },
    )


def _tax_office_file(request, name: str, content_of) -> HttpResponse:
    if not is_accounts_payable(request.user):
        raise Http404
    month = _month(request)
    if month is None:
        messages.error(request, _("Write the month as year and month, e.g. 2026-03."))
        return redirect("payables:withholdings")
    response = HttpResponse(content_of(month), content_type="text/plain; charset=ascii")
    response["Content-Disposition"] = f'attachment; filename="{name}-{month:%Y-%m}.txt"'
    return response


@supplier_staff_required
def sicore(request):
    """The month's income tax withholdings in SICORE's import format."""
    return _tax_office_file(request, "sicore", withholding.sicore_file)


@supplier_staff_required
def sire(request, form: str):
    """The month's withholdings of one SIRE form: F.2004 social security, F.2005 VAT."""
    if form not in withholding.SIRE_FORMS:
        raise Http404
    return _tax_office_file(
        request, f"sire-f{form}", lambda month: withholding.sire_file(month, form)
    )


def _bank_message_as_statement(content: bytes, user) -> services.StatementReport:
    """A pain.002 or camt.053/054 shown like a statement: what it confirmed, and why the
    rest did not."""
    found = bank_statement.import_bank_message(content=content, actor=user)
    return services.StatementReport(
        paid=found.paid,
        unmatched=[
            (
                order.end_to_end_id or order.reference,
                _("Rejected by the bank: it waits for a new batch."),
            )
            for order in found.rejected
        ]
        + found.ignored,
    )
