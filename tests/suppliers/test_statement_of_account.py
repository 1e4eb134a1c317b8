"""The statement of account: invoices, credit notes, transfers and withholdings with the
running balance and the ageing of what is unpaid, for the supplier and for accounts payable."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from payables import account_views, selectors
from payables import services as payments
from suppliers.models import Invoice, SupplierMember

from . import factories
from .test_money_safety import exported  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
D = Decimal


def copy_of(invoice, number, *, kind="invoice", days_ago, due_days_ago=None, total, status):
    today = timezone.localdate()
    row = Invoice.objects.get(pk=invoice.pk)
    row.pk = None
    row.number, row.kind, row.status = number, kind, status
    row.voucher_key, row.token = f"copy:{number}", number.ljust(32, "x")[:32]
    row.issue_date = today - timedelta(days=days_ago)
    row.due_date = today - timedelta(days=due_days_ago) if due_days_ago is not None else None
    row.payable_total = D(total)
    row.process = None
    row.save()
    return row


@pytest.fixture
def account(exported, clerk, django_capture_on_commit_callbacks):  # noqa: F811
    order, batch = exported
    with django_capture_on_commit_callbacks(execute=True):
        payments.confirm_paid(batch=batch, paid_on=timezone.localdate(), note="", actor=clerk)
    paid = order.items.get().invoice
    approved = Invoice.Status.APPROVED
    copy_of(paid, "B-3", days_ago=100, due_days_ago=95, total="30000.00", status=approved)
    copy_of(paid, "B-2", days_ago=45, total="50000.00", status=approved)
    copy_of(paid, "NC-1", kind="credit_note", days_ago=10, total="5000.00", status=approved)
    copy_of(paid, "B-4", days_ago=5, total="99999.00", status=Invoice.Status.RETURNED)
    return order.supplier


def test_worked_statement(account) -> None:
    statement = selectors.statement_of_account(account, currency="ARS", today=timezone.localdate())
    assert [(e.kind, e.reference, e.amount, e.balance) for e in statement.entries] == [
        ("invoice", "A-1", D("121000.00"), D("121000.00")),
        ("invoice", "B-3", D("30000.00"), D("151000.00")),
        ("invoice", "B-2", D("50000.00"), D("201000.00")),
        ("credit_note", "NC-1", D("-5000.00"), D("196000.00")),
        # Paid today: 121,000 = 119,343.40 transferred + 656.60 income tax + 1,000 SUSS.
        ("payment", "OP-000001", D("-119343.40"), D("76656.60")),
        ("withholding", f"RET-{timezone.localdate().year}-000001", D("-656.60"), D("76000.00")),
        ("withholding", f"RET-{timezone.localdate().year}-000002", D("-1000.00"), D("75000.00")),
    ]  # the returned B-4 is not owed
    assert statement.balance == D("75000.00")
    assert (statement.invoiced, statement.credited, statement.paid, statement.withheld) == (
        D("201000.00"),
        D("5000.00"),
        D("119343.40"),
        D("1656.60"),
    )
    # Unpaid by days since due (issue when no due date): NC-1 10 days, B-2 45, B-3 95.
    assert statement.ageing == {
        "0-30": D("-5000.00"),
        "31-60": D("50000.00"),
        "61-90": D("0"),
        ">90": D("30000.00"),
    }


def test_supplier_sees_own_statement_paginated_and_downloads_csv(
    client, account, monkeypatch
) -> None:
    member = SupplierMember.objects.filter(supplier=account).first().user
    client.force_login(member)
    url = reverse("payables_portal:statement")
    home = client.get(reverse("suppliers:home")).content.decode()
    assert url in home  # a tab of the portal
    monkeypatch.setattr(account_views, "PAGE_SIZE", 5)
    first = " ".join(client.get(url).content.decode().split())
    assert "$ 75.000,00" in first and "NC-1" in first and "RET-" not in first
    second = " ".join(client.get(url, {"pagina": 2}).content.decode().split())
    assert "RET-" in second and "Certificado RET-" in second  # linked to the PDF
    csv = client.get(url, {"formato": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    rows = csv.content.decode("utf-8-sig").splitlines()
    assert rows[0] == "Fecha;Tipo;Documento;Detalle;Importe;Saldo"
    assert len(rows) == 8 and rows[-1].endswith(";-1000,00;75000,00")

    _other, stranger = factories.supplier("72345678", name="Otra SA")
    client.force_login(stranger)
    page = client.get(url).content.decode()
    assert "A-1" not in page and "Todavía no hay movimientos." in page


def test_accounts_payable_sees_it_from_the_supplier_page(client, account, clerk, buyer) -> None:
    url = reverse("payables:supplier_statement", args=[account.pk])
    client.force_login(clerk)
    supplier_page = client.get(reverse("suppliers_staff:supplier", args=[account.pk]))
    assert url in supplier_page.content.decode()
    page = " ".join(client.get(url).content.decode().split())
    assert "$ 75.000,00" in page and "B-3" in page
    client.force_login(buyer)  # purchasing, not accounts payable
    assert client.get(url).status_code in (403, 404)
