"""The payer's pages (what I owe, an order, paying it), the providers' webhook and the
demo checkout. Thin: the work is in ``services`` and ``webhooks``."""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.views import refusal_shown

from . import cash, selectors, services, signature, webhooks
from .models import DemoCharge
from .providers import ProviderUnavailable, Urls, online_provider


@login_required
@require_GET
def what_i_owe(request):
    orders = selectors.orders_of(request.user)
    page = Paginator(orders, 20).get_page(request.GET.get("pagina"))
    return render(
        request,
        "payments/what_i_owe.html",
        {"page": page, "returned": request.GET.get("vuelta") == "1"},
    )


@login_required
@require_POST
def pay_several(request):
    """The orders ticked on "what I owe", paid in one checkout."""
    references = request.POST.getlist("orden")
    orders = selectors.open_orders_of(request.user, references)
    if not references:
        messages.error(request, _("Choose at least one order to pay."))
        return redirect("payments:what_i_owe")
    if len(orders) != len(set(references)):
        messages.error(
            request,
            _("One of the orders chosen is paid or no longer yours to pay: choose again."),
        )
        return redirect("payments:what_i_owe")
    if len(orders) == 1:
        return pay(request, orders[0].external_reference)
    combined = None
    with refusal_shown(request):
        try:
            combined = services.start_combined_checkout(
                payer=request.user,
                orders=orders,
                urls=Urls(
                    notification=request.build_absolute_uri(
                        reverse("payments:webhook_mercadopago")
                    ),
                    back=request.build_absolute_uri(reverse("payments:what_i_owe") + "?vuelta=1"),
                ),
            )
        except ProviderUnavailable:
            messages.error(request, _("The payment service does not answer. Try again later."))
    if combined is None:
        return redirect("payments:what_i_owe")
    return redirect("payments:combined", combined.external_reference)


@login_required
@require_GET
def combined_checkout(request, reference):
    """Several orders paid together: continue to the payment service, or see how they stand."""
    combined = selectors.combined_for_payer(request.user, reference)
    if combined is None:
        raise Http404
    items = list(combined.items.select_related("order"))
    return render(
        request,
        "payments/combined_checkout.html",
        {
            "combined": combined,
            "items": items,
            "total": sum((item.amount for item in items), 0),
            "payable": all(item.order.is_open for item in items),
        },
    )


def _order(request, reference):
    order = selectors.order_for_payer(request.user, reference)
    if order is None:
        raise Http404
    return order


@login_required
@require_GET
def order_detail(request, reference):
    order = _order(request, reference)
    returned = request.GET.get("vuelta") == "1"
    return render(
        request,
        "payments/order_detail.html",
        {
            "order": order,
            "payments": order.payments.prefetch_related("refunds"),
            "events": order.events.all(),
            "returned": returned,
            "slip": cash.slip_of(order),
            "slips_offered": cash.slips_offered(),
        },
    )


@login_required
@require_POST
def slip(request, reference):
    order = _order(request, reference)
    with refusal_shown(request) as attempt:
        cash.request_slip(order=order, actor=request.user)
    if attempt.ok:
        messages.success(
            request, _("Your payment slip is being prepared. It appears here in a moment.")
        )
    return redirect("payments:order", order.external_reference)


@login_required
@require_POST
def pay(request, reference):
    order = _order(request, reference)
    urls = Urls(
        notification=request.build_absolute_uri(reverse("payments:webhook_mercadopago")),
        back=request.build_absolute_uri(
            reverse("payments:order", args=[order.external_reference]) + "?vuelta=1"
        ),
    )
    with refusal_shown(request) as attempt:
        try:
            url = services.start_checkout(order=order, urls=urls)
        except ProviderUnavailable:
            messages.error(request, _("The payment service does not answer. Try again later."))
            url = ""
    if attempt.ok and url:
        # Not a redirect to the provider: the CSP's form-action allows only this site, and
        # browsers apply it to a form's redirects too.
        return redirect("payments:checkout", order.external_reference)
    return redirect("payments:order", order.external_reference)


@login_required
@require_GET
def checkout(request, reference):
    order = _order(request, reference)
    if not order.is_open or not order.checkout_url:
        return redirect("payments:order", order.external_reference)
    return render(request, "payments/checkout.html", {"order": order})


@csrf_exempt
@require_POST
def webhook_mercadopago(request):
    """Answer at once: the payment is confirmed from the API after the commit."""
    try:
        webhooks.receive(settings.PAYMENTS_ONLINE_PROVIDER, request.GET, request.headers)
    except signature.BadSignature as exc:
        return HttpResponse(str(exc), status=401, content_type="text/plain")
    return HttpResponse(status=200)


def _demo_only():
    if not settings.DEBUG or online_provider().key != "demo":
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def demo_checkout(request, reference):
    """The demo provider's checkout page: it "charges" and posts a signed notification."""
    _demo_only()
    combined = selectors.combined_for_payer(request.user, reference)
    if combined is not None:
        concept, amount = _("Several orders"), combined.total
        back = reverse("payments:combined", args=[reference])
    else:
        order = _order(request, reference)
        concept, amount = order.concept, order.balance if order.balance > 0 else order.amount
        back = reverse("payments:order", args=[reference])
    if request.method == "POST":
        approved = request.POST.get("outcome") != "rejected"
        with transaction.atomic():
            charge = DemoCharge.objects.create(
                order_reference=reference,
                amount=amount,
                status="approved" if approved else "rejected",
            )
        request_id = secrets.token_hex(16)
        ts = str(int(time.time()))
        header = signature.sign(
            online_provider().webhook_secret(), data_id=str(charge.pk), request_id=request_id, ts=ts
        )
        webhooks.receive(
            "demo",
            {"data.id": str(charge.pk), "type": "payment"},
            {"x-signature": header, "x-request-id": request_id},
        )
        return redirect(back + "?vuelta=1")
    return render(request, "payments/demo_checkout.html", {"concept": concept, "amount": amount})
