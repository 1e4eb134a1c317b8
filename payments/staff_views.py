"""Treasury's pages (/gestion/pagos/): orders, recording and refunding payments, settlement
files, and the daily reconciliation. Thin: the work is in ``services`` and ``cash``."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.money import format_money
from core.views import refusal_shown

from . import cash, selectors, services
from .forms import (
    DayForm,
    ManualPaymentForm,
    OrderFilterForm,
    RefundForm,
    SettlementForm,
)
from .models import Payment, PaymentOrder, Refund, SettlementFile

PAGE_SIZE = 25


def treasury(view):
    return login_required(
        permission_required("payments.manage_payments", raise_exception=True)(view)
    )


@treasury
def orders(request):
    form = OrderFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data if form.is_bound else {}
    found = selectors.staff_orders(status=data.get("estado", ""), search=data.get("q", ""))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "payments/staff/orders.html", {"form": form, "page": page})


@treasury
def order(request, reference):
    order = get_object_or_404(PaymentOrder, external_reference=reference)
    payments = order.payments.prefetch_related("refunds")
    return render(
        request,
        "payments/staff/order.html",
        {
            "order": order,
            "payments": payments,
            "events": order.events.all(),
            "manual_form": ManualPaymentForm(initial={"amount": order.balance}),
            "refund_form": RefundForm(),
        },
    )


@treasury
@require_POST
def record(request, reference):
    order = get_object_or_404(PaymentOrder, external_reference=reference)
    form = ManualPaymentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("payments_staff:order", reference)
    with refusal_shown(request) as attempt:
        services.record_manual_payment(order=order, actor=request.user, **form.cleaned_data)
    if attempt.ok:
        messages.success(request, _("The payment was recorded."))
    return redirect("payments_staff:order", reference)


@treasury
@require_POST
def refund(request, payment_id):
    payment = get_object_or_404(Payment, pk=payment_id)
    form = RefundForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("payments_staff:order", payment.order.external_reference)
    with refusal_shown(request) as attempt:
        refund = services.refund_payment(
            payment=payment, actor=request.user, **form.refund_arguments()
        )
    if attempt.ok:
        if refund.method == Refund.Method.CREDIT:
            done = _("%(amount)s kept as a credit for the payer's next orders.")
        elif refund.method == Refund.Method.TRANSFER:
            done = _(
                "Transfer order %(reference)s made for %(amount)s: it is paid with the next bank batch."
            )
        else:
            done = _("%(amount)s refunded.")
        messages.success(
            request,
            done
            % {
                "amount": format_money(form.cleaned_data["amount"]),
                "reference": refund.transfer_reference,
            },
        )
    return redirect("payments_staff:order", payment.order.external_reference)


@treasury
def settlements(request):
    form = SettlementForm()
    if request.method == "POST":
        form = SettlementForm(request.POST, request.FILES)
        network = request.POST.get("network", "")
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            with refusal_shown(request) as attempt:
                imported = cash.import_settlement(
                    network=network, name=uploaded.name, content=uploaded.read(), actor=request.user
                )
            if attempt.ok:
                messages.success(
                    request,
                    _("%(applied)s of %(rows)s payments applied.")
                    % {"applied": imported.applied, "rows": imported.rows},
                )
                return redirect("payments_staff:settlement", imported.pk)
    files = Paginator(SettlementFile.objects.all(), PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "payments/staff/settlements.html",
        {"form": form, "page": files, "networks": SettlementFile.Network.choices},
    )


@treasury
def settlement(request, pk):
    settlement = get_object_or_404(SettlementFile, pk=pk)
    lines = Paginator(settlement.lines.select_related("payment__order"), 100).get_page(
        request.GET.get("pagina")
    )
    return render(
        request, "payments/staff/settlement.html", {"settlement": settlement, "page": lines}
    )


@treasury
def reconciliation(request):
    form = DayForm(request.GET or None)
    day = (form.cleaned_data.get("dia") if form.is_valid() else None) or timezone.localdate()
    rows = selectors.reconciliation(day)
    differences = selectors.differences(day)
    if request.GET.get("formato") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["day", "channel", "count", "gross", "fees", "net"])
        for row in rows:
            writer.writerow([day.isoformat(), row.channel, row.count, row.gross, row.fees, row.net])
        for line in differences["unmatched"]:
            writer.writerow(
                [
                    day.isoformat(),
                    f"difference:{line.outcome}",
                    1,
                    line.amount or "",
                    "",
                    line.message,
                ]
            )
        for payment in differences["duplicates"]:
            writer.writerow(
                [
                    day.isoformat(),
                    "difference:duplicate",
                    1,
                    payment.amount,
                    payment.fee,
                    payment.order.external_reference,
                ]
            )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="conciliacion-{day.isoformat()}.csv"'
        )
        return response
    return render(
        request,
        "payments/staff/reconciliation.html",
        {"form": form, "day": day, "rows": rows, **differences},
    )


@treasury
def duplicates(request):
    page = Paginator(selectors.duplicate_payments(), PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "payments/staff/duplicates.html", {"page": page})
