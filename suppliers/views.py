"""The supplier portal (/proveedores/): a supplier's users see their orders, submit
invoices, follow them to payment and manage their organisation.

Every page refuses residents and employees (403); every object is looked up within the
user's own supplier, so another supplier's order or invoice does not exist here (404).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ActionRefused
from core.files import private_file_response

from . import selectors
from .einvoice import InvoiceRejected
from .forms import (
    BankAccountForm,
    InviteForm,
    OrderInvoiceForm,
    RegistrationForm,
    ReplyForm,
    StructuredInvoiceForm,
)
from .models import Invoice, PurchaseOrder, SupplierInvitation
from .notifications import send_invitation
from .services import intake, organisations, review
from .texts import rejection_text

PAGE_SIZE = 25


def supplier_required(view):
    """Logged in, with the supplier role and an organisation; ``request.supplier`` set."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        supplier = selectors.supplier_of(request.user)
        if supplier is None:
            if request.user.is_supplier_user:
                return redirect("suppliers:register")
            raise PermissionDenied
        request.supplier = supplier
        return view(request, *args, **kwargs)

    return wrapper


def _may_join(user) -> None:
    """Registering or joining a supplier is the way into the portal for a new account;
    employees, and residents who file procedures with this account, may not."""
    if user.is_employee or user.is_superuser or (user.is_resident and user.cases.exists()):
        raise PermissionDenied


@supplier_required
def home(request):
    supplier = request.supplier
    return render(
        request,
        "suppliers/home.html",
        {
            "supplier": supplier,
            "orders": selectors.supplier_orders(supplier).filter(status=PurchaseOrder.Status.OPEN)[
                :10
            ],
            "invoices": selectors.supplier_invoices(supplier)[:10],
            "returned": selectors.supplier_invoices(supplier).filter(
                status=Invoice.Status.RETURNED
            ),
            "account": selectors.active_account(supplier),
            "pending_account": selectors.pending_account(supplier),
        },
    )


@login_required
def register(request):
    _may_join(request.user)
    if selectors.supplier_of(request.user) is not None:
        return redirect("suppliers:home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisations.register_supplier(
                user=request.user,
                data=organisations.SupplierData(
                    cuit=data["cuit"],
                    legal_name=data["legal_name"],
                    tax_condition=data["tax_condition"],
                    email=data["email"],
                    phone=data["phone"],
                    address=data["address"],
                    foreign_tax_ids=form.tax_ids(),
                ),
            )
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Organisation registered. The municipality will verify it before issuing orders."
                ),
            )
            return redirect("suppliers:organisation")
    return render(request, "suppliers/register.html", {"form": form})


@login_required
def invitation(request, token: str):
    _may_join(request.user)
    found = get_object_or_404(SupplierInvitation.objects.select_related("supplier"), token=token)
    if request.method == "POST":
        try:
            organisations.accept_invitation(token=token, user=request.user)
        except ActionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("You now act for %(supplier)s.") % {"supplier": found.supplier}
            )
            return redirect("suppliers:home")
    return render(request, "suppliers/invitation.html", {"invitation": found})


@supplier_required
def organisation(request):
    supplier = request.supplier
    membership = request.user.supplier_membership
    return render(
        request,
        "suppliers/organisation.html",
        {
            "supplier": supplier,
            "is_admin": membership.is_admin,
            "members": supplier.memberships.select_related("user"),
            "invitations": supplier.invitations.filter(accepted_at__isnull=True),
            "invite_form": InviteForm(),
            "bank_form": BankAccountForm(),
            "accounts": supplier.bank_accounts.all()[:10],
            "tax_ids": supplier.tax_ids.all(),
        },
    )


@supplier_required
@require_POST
def invite(request):
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address."))
    else:
        try:
            sent = organisations.invite(
                supplier=request.supplier, email=form.cleaned_data["email"], actor=request.user
            )
        except ActionRefused as exc:
            messages.error(request, str(exc))
        else:
            send_invitation(sent)
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": sent.email})
    return redirect("suppliers:organisation")


@supplier_required
@require_POST
def bank_account(request):
    form = BankAccountForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            organisations.request_bank_account(
                supplier=request.supplier,
                cbu=data["cbu"],
                holder_name=data["holder_name"],
                bank_name=data["bank_name"],
                document=organisations.BankDocument(
                    data["document"].name, data["document"].content, data["document"].content_type
                ),
                actor=request.user,
            )
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Bank account change requested. Payments wait until the municipality approves it."
                ),
            )
            return redirect("suppliers:organisation")
    supplier = request.supplier
    return render(
        request,
        "suppliers/organisation.html",
        {
            "supplier": supplier,
            "is_admin": request.user.supplier_membership.is_admin,
            "members": supplier.memberships.select_related("user"),
            "invitations": supplier.invitations.filter(accepted_at__isnull=True),
            "invite_form": InviteForm(),
            "bank_form": form,
            "accounts": supplier.bank_accounts.all()[:10],
            "tax_ids": supplier.tax_ids.all(),
        },
        status=400,
    )


@supplier_required
def orders(request):
    page = Paginator(selectors.supplier_orders(request.supplier), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    return render(request, "suppliers/orders.html", {"page": page})


def _own_order(request, pk: int) -> PurchaseOrder:
    return get_object_or_404(PurchaseOrder, pk=pk, supplier=request.supplier)


@supplier_required
def order_detail(request, pk: int):
    order = _own_order(request, pk)
    return render(
        request,
        "suppliers/order.html",
        {
            "order": order,
            "lines": selectors.lines_with_progress(order),
            "invoices": order.invoices.filter(supplier=request.supplier),
        },
    )


def _received(invoice: Invoice) -> str:
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        return _("Credit note %(number)s received.") % {"number": invoice.number}
    return _("Invoice %(number)s received.") % {"number": invoice.number}


def _rejected(request, form, rejected: InvoiceRejected) -> None:
    form.add_error(None, rejection_text(rejected))


@supplier_required
def invoice_new(request):
    form = StructuredInvoiceForm(
        request.POST or None, request.FILES or None, supplier=request.supplier
    )
    if request.method == "POST" and form.is_valid():
        try:
            invoice = intake.submit_structured(
                supplier=request.supplier,
                user=request.user,
                pdf=form.cleaned_data["pdf"],
                source=form.cleaned_data["xml"],
                purchase_order=form.cleaned_data["purchase_order"],
            )
        except InvoiceRejected as rejected:
            _rejected(request, form, rejected)
        else:
            messages.success(request, _received(invoice))
            return redirect("suppliers:invoice", invoice.pk)
    return render(
        request, "suppliers/invoice_new.html", {"form": form}, status=400 if form.errors else 200
    )


@supplier_required
def order_invoice(request, pk: int):
    order = _own_order(request, pk)
    if order.status != PurchaseOrder.Status.OPEN:
        raise Http404
    form = OrderInvoiceForm(request.POST or None, request.FILES or None, order=order)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lines = [
            intake.LineEntry(po_line=line, quantity=quantity, unit_price=price)
            for line, quantity, price in form.quantities()
        ]
        try:
            if data["method"] == OrderInvoiceForm.METHOD_QR:
                invoice = intake.submit_afip_qr(
                    supplier=request.supplier,
                    user=request.user,
                    pdf=data["pdf"],
                    qr_text=data["qr_url"],
                    purchase_order=order,
                    lines=lines,
                )
            else:
                invoice = intake.submit_manual(
                    supplier=request.supplier,
                    user=request.user,
                    pdf=data["pdf"],
                    header=intake.ManualHeader(
                        kind=data["kind"],
                        number=data["number"],
                        issue_date=data["issue_date"],
                        due_date=data["due_date"],
                        net_total=data["net_total"],
                        tax_total=data["tax_total"],
                        total=data["total"],
                    ),
                    purchase_order=order,
                    lines=lines,
                )
        except InvoiceRejected as rejected:
            _rejected(request, form, rejected)
        else:
            messages.success(request, _received(invoice))
            return redirect("suppliers:invoice", invoice.pk)
    return render(
        request,
        "suppliers/order_invoice.html",
        {"order": order, "form": form},
        status=400 if form.errors else 200,
    )


@supplier_required
def invoices(request):
    status = request.GET.get("estado", "")
    found = selectors.supplier_invoices(request.supplier)
    if status in Invoice.Status.values:
        found = found.filter(status=status)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "suppliers/invoices.html",
        {"page": page, "status": status, "statuses": Invoice.Status.choices},
    )


def _own_invoice(request, pk: int) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related("purchase_order"), pk=pk, supplier=request.supplier
    )


@supplier_required
def invoice_detail(request, pk: int):
    invoice = _own_invoice(request, pk)
    return render(
        request,
        "suppliers/invoice.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.select_related("po_line"),
            "holds": invoice.holds.filter(released_at__isnull=True),
            "events": invoice.events.filter(public=True),
            "reply_form": ReplyForm(),
        },
    )


@supplier_required
def invoice_pdf(request, pk: int):
    invoice = _own_invoice(request, pk)
    return private_file_response(
        invoice.pdf, filename=invoice.pdf_name, content_type="application/pdf"
    )


@supplier_required
@require_POST
def invoice_reply(request, pk: int):
    invoice = _own_invoice(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your answer."))
    else:
        try:
            review.supplier_reply(
                invoice=invoice, user=request.user, message=form.cleaned_data["message"]
            )
        except ActionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Answer sent: the invoice is being reviewed again."))
    return redirect("suppliers:invoice", pk)


@supplier_required
@require_POST
def invoice_withdraw(request, pk: int):
    invoice = _own_invoice(request, pk)
    try:
        review.withdraw(invoice=invoice, user=request.user)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Invoice withdrawn. You may submit a corrected one."))
    return redirect("suppliers:invoice", pk)
