"""The statement of account of a supplier: on the supplier portal (/proveedores/cuenta/)
and for accounts payable (/gestion/proveedores/pagos/proveedores/<id>/cuenta/)."""

from __future__ import annotations

import csv

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from suppliers.models import Supplier
from suppliers.selectors import is_accounts_payable
from suppliers.staff_views import supplier_staff_required
from suppliers.views import supplier_required

from . import certificates, selectors

PAGE_SIZE = 50


def _kind_labels() -> dict[str, str]:
    return {
        "invoice": _("Invoice"),
        "credit_note": _("Credit note"),
        "payment": pgettext("statement of account line", "Transfer"),
        "withholding": _("Withholding"),
    }


def _statement(request, supplier: Supplier) -> selectors.Statement:
    currencies = selectors.statement_currencies(supplier) or [settings.PAYABLES_CURRENCIES[0]]
    currency = request.GET.get("moneda", "")
    if currency not in currencies:
        currency = currencies[0]
    statement = selectors.statement_of_account(
        supplier, currency=currency, today=timezone.localdate()
    )
    statement.currencies = currencies
    return statement


def _decimal(value) -> str:
    return f"{value:.2f}".replace(".", ",")


def _csv(statement: selectors.Statement) -> HttpResponse:
    labels = _kind_labels()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"cuenta-{statement.supplier.cuit}-{statement.currency}-{statement.today:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # spreadsheets read UTF-8 with the mark
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Date"), _("Kind"), _("Document"), _("Detail"), _("Amount"), _("Balance")])
    for entry in statement.entries:
        writer.writerow(
            [
                entry.on.isoformat(),
                labels[entry.kind],
                entry.reference,
                entry.description,
                _decimal(entry.amount),
                _decimal(entry.balance),
            ]
        )
    return response


def _page(request, supplier: Supplier, *, staff: bool):
    statement = _statement(request, supplier)
    if request.GET.get("formato") == "csv":
        return _csv(statement)
    page = Paginator(statement.entries, PAGE_SIZE).get_page(request.GET.get("pagina"))
    certificates.attach([e.withholding for e in page.object_list if e.withholding])
    return render(
        request,
        "payables/account_statement.html",
        {
            "supplier": supplier,
            "statement": statement,
            "page": page,
            "labels": _kind_labels(),
            "staff": staff,
        },
    )


@supplier_required
def supplier_statement(request):
    return _page(request, request.supplier, staff=False)


@supplier_staff_required
def staff_statement(request, pk: int):
    if not is_accounts_payable(request.user):
        raise Http404
    return _page(request, get_object_or_404(Supplier, pk=pk), staff=True)
