"""Purchase orders from CSV (all or nothing, with a per-row report), orders and
receptions through the staff pages, and `manage.py invoice inspect`."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.identifiers import make_cuit
from suppliers.models import PurchaseOrder, PurchaseOrderLine
from suppliers.services import purchasing

from . import factories

pytestmark = pytest.mark.django_db


def test_csv_import_creates_orders_with_their_lines(buyer) -> None:
    sup, _user = factories.supplier("71234567")
    content = (
        "order;supplier_cuit;currency;item_code;description;kind;quantity;unit;unit_price;tax_rate\n"
        f"OC-9;{sup.cuit};ARS;RES;Resmas;goods;100;C62;5000,00;21\n"
        f"OC-9;{sup.cuit};ARS;;Mantenimiento;servicio;1;C62;90000;21\n"
        f"OC-10;{sup.cuit};EUR;;Licencia;service;2;C62;100;0\n"
    ).encode()
    department = buyer.groups.first().department
    report = purchasing.import_orders_csv(
        content=content, departments=[department], actor=buyer, default_department=department
    )

    assert report.errors == []
    assert [order.number for order in report.orders] == ["OC-9", "OC-10"]
    lines = PurchaseOrderLine.objects.filter(order__number="OC-9").order_by("line_number")
    assert [(line.description, line.kind, line.unit_price) for line in lines] == [
        ("Resmas", "goods", 5000),
        ("Mantenimiento", "service", 90000),
    ]
    assert PurchaseOrder.objects.get(number="OC-10").currency == "EUR"


def test_csv_import_reports_every_bad_row_and_imports_nothing(buyer) -> None:
    sup, _user = factories.supplier("71234567")
    content = (
        "order,supplier_cuit,description,quantity,unit_price,kind\n"
        f"OC-1,{sup.cuit},Resmas,100,5000,goods\n"
        f"OC-1,20-12345678-0,Toner,4,80000,goods\n"
        f"OC-2,{make_cuit('30', '11111111')},Toner,4,80000,goods\n"
        f"OC-3,{sup.cuit},Toner,cuatro,80000,goods\n"
        f"OC-4,{sup.cuit},Toner,4,80000,software\n"
    ).encode()
    department = buyer.groups.first().department
    report = purchasing.import_orders_csv(
        content=content, departments=[department], actor=buyer, default_department=department
    )

    assert [row for row, _message in report.errors] == [3, 4, 5, 6]
    messages = dict(report.errors)
    assert "check digit" in messages[3]
    assert "No active supplier has CUIT" in messages[4]
    assert "is not a number" in messages[5]
    assert "goods or service" in messages[6]
    assert PurchaseOrder.objects.count() == 0


def test_csv_import_page_shows_the_report(client, buyer) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(buyer)
    response = client.post(
        reverse("suppliers_staff:order_import"),
        {"file": SimpleUploadedFile("ordenes.csv", b"order,description\nOC-1,X\n", "text/csv")},
    )
    assert response.status_code == 400
    assert "Faltan columnas: supplier_cuit, quantity, unit_price." in response.content.decode()


def test_csv_values_beyond_the_columns_limits_are_row_errors(client, buyer) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    sup, _user = factories.supplier("71234567")
    long_number = "OC-" + "9" * 38  # 41 characters; the column holds 40
    content = (
        "order,supplier_cuit,description,quantity,unit_price\n"
        f"OC-1,{sup.cuit},Resmas,100,5000,sobra,otra\n"
        f"OC-2,{sup.cuit},Toner,4,NaN\n"
        f"{long_number},{sup.cuit},Toner,4,80000\n"
        f"OC-4,{sup.cuit},Toner,{'9' * 26},80000\n"
        f"OC-5,{sup.cuit},Toner,4,80000.123456\n"
        f"OC-6,{sup.cuit},Toner,4,80000\n"
    ).encode()
    client.force_login(buyer)
    response = client.post(
        reverse("suppliers_staff:order_import"),
        {"file": SimpleUploadedFile("ordenes.csv", content, "text/csv")},
    )
    assert response.status_code == 400
    page = " ".join(response.content.decode().split())
    assert "La fila tiene 2 valores más que las columnas del encabezado." in page
    assert "Precio unitario «NaN» no es un número (escribilo como 1234,50 o 1.234,50)." in page
    assert "Número: Puede tener como máximo 40 caracteres (tiene 41)." in page
    assert "Cantidad pedida: Puede tener como máximo 14 dígitos en total." in page
    assert "Precio unitario (neto): Puede tener como máximo 4 decimales." in page
    assert PurchaseOrder.objects.count() == 0
    assert client.get(reverse("suppliers_staff:orders")).status_code == 200

    department = buyer.groups.first().department
    report = purchasing.import_orders_csv(
        content=content, departments=[department], actor=buyer, default_department=department
    )
    assert [row for row, _message in report.errors] == [2, 3, 4, 5, 6]


def test_order_and_reception_through_the_pages(client, buyer) -> None:
    sup, _user = factories.supplier("71234567")
    client.force_login(buyer)
    department = buyer.groups.first().department
    # Numbers as Argentines write them; a US-style amount is refused with the format to use.
    refused = client.post(
        reverse("suppliers_staff:order_new"),
        {
            "supplier": sup.pk,
            "department": department.pk,
            "currency": "ARS",
            "issue_date": "2025-03-01",
            "lineas-TOTAL_FORMS": "1",
            "lineas-INITIAL_FORMS": "0",
            "lineas-MIN_NUM_FORMS": "1",
            "lineas-MAX_NUM_FORMS": "1000",
            "lineas-0-description": "Resmas A4",
            "lineas-0-kind": "goods",
            "lineas-0-quantity": "1.000",
            "lineas-0-unit": "C62",
            "lineas-0-unit_price": "5,000.50",
            "lineas-0-tax_rate": "10,5",
        },
    )
    assert refused.status_code == 400
    assert "1.234,50 (" in refused.content.decode()  # the message with the example
    assert 'value="5,000.50"' in refused.content.decode()
    assert not PurchaseOrder.objects.exists()
    response = client.post(
        reverse("suppliers_staff:order_new"),
        {
            "supplier": sup.pk,
            "department": department.pk,
            "currency": "ars",
            "issue_date": "2025-03-01",
            "description": "Útiles",
            "lineas-TOTAL_FORMS": "2",
            "lineas-INITIAL_FORMS": "0",
            "lineas-MIN_NUM_FORMS": "1",
            "lineas-MAX_NUM_FORMS": "1000",
            "lineas-0-description": "Resmas A4",
            "lineas-0-kind": "goods",
            "lineas-0-quantity": "1.000",
            "lineas-0-unit": "C62",
            "lineas-0-unit_price": "5.000,50",
            "lineas-0-tax_rate": "10,5",
            # The blank second line, as a browser sends it.
            "lineas-1-kind": "goods",
            "lineas-1-unit": "C62",
            "lineas-1-tax_rate": "21,00",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "suppliers_staff:order", args=[order.pk]
    )
    assert (order.number, order.currency, order.lines.count()) == ("OC-2025-000001", "ARS", 1)

    line = order.lines.get()
    assert (line.quantity, line.unit_price, line.tax_rate) == (1000, Decimal("5000.50"), 10.5)
    response = client.post(
        reverse("suppliers_staff:order_receive", args=[order.pk]),
        {
            "received_on": date.today().isoformat(),
            "note": "Remito 0001-123",
            f"rec_{line.pk}": "400,5",
        },
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.received_quantity == Decimal("400.5")
    page = client.get(reverse("suppliers_staff:order", args=[order.pk])).content.decode()
    assert "Resmas A4" in page


def test_inspect_prints_the_invoice_as_json(capsys) -> None:
    call_command(
        "invoice", "inspect", str(factories.SAMPLES / "UBL" / "EN16931_1_Teilrechnung.ubl.xml")
    )
    output = json.loads(capsys.readouterr().out)

    assert output["number"] == "471102"
    assert output["po_reference"] == "2018-471331"
    assert output["totals"]["payable"] == "147.65"
    assert output["seller"]["ids"] == ["201/113/40209", "DE123456789"]
    assert len(output["lines"]) == 4


def test_inspect_reports_a_rejection(tmp_path) -> None:
    broken = tmp_path / "factura.xml"
    broken.write_bytes((factories.SAMPLES / "CII" / "EN16931_Einfach.cii.xml").read_bytes()[:500])
    with pytest.raises(CommandError, match=r"rejected \(malformed-xml\)"):
        call_command("invoice", "inspect", str(broken))


def test_accounts_payable_set_tolerances_as_argentines_write_them(client) -> None:
    from django.contrib.auth.models import Permission

    from suppliers.models import MatchingTolerance

    user = factories.employee("cuentas@example.com", "accounts_payable", code="tesoreria")
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_matchingtolerance", "view_matchingtolerance"])
    )
    client.force_login(user)
    response = client.post(
        "/admin/suppliers/matchingtolerance/add/",
        {"price_percent": "2,5", "quantity_percent": "0,75", "total_percent": "1"},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    row = MatchingTolerance.objects.get()
    assert (row.price_percent, row.quantity_percent, row.total_percent) == (
        Decimal("2.5"),
        Decimal("0.75"),
        Decimal("1"),
    )
