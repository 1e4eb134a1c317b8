"""Matching supplier invoices against purchase orders at 10,000 and 100,000 invoices,
and the per-upload path.

    python -m benchmarks.matching                      # 10,000 and 100,000; prints the report
    python -m benchmarks.matching --sizes 2000 20000   # a quick check
    python -m benchmarks.matching --output FILE        # also writes the Markdown report

For each size N it empties the supplier tables of the dedicated PostgreSQL database
``tramites_bench_matching`` (created, and migrated, when missing; no other database
is touched) and fills N invoices waiting to be matched, each against its own order
(200 suppliers), in a mix: 6 in 10 bill one line naming their order, 2 in 10 bill three
lines, 1 in 10 names no order (the order is proposed from the totals) and 1 in 10 has
the supplier, date and amount of the one before it (the duplicate check fires). One
one-line invoice in 20 bills a higher price and one in 20 more than was received, so
price and quantity holds are written too. It times ``match_invoices`` over all of them,
counts its queries and checks the outcome.

Then it times the per-upload path through the portal (a supplier posts a UBL invoice:
read, stored, matched, workflow started) against the trivial view, both through
Django's test client in this process, as uploads per second and their ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "tramites_bench_matching"
DEFAULT_SIZES = (10_000, 100_000)
SUPPLIERS = 200
BATCH = 5_000
UPLOADS = 200
# The invoice mix, by index % 10.
ONE_LINE, THREE_LINES, NO_ORDER, DUPLICATE = range(4)
SHAPES = {**dict.fromkeys(range(6), ONE_LINE), 6: THREE_LINES, 7: THREE_LINES}
SHAPES.update({8: NO_ORDER, 9: DUPLICATE})


def configure() -> None:
    """Settings for this process only: the bench database, nothing from the caller."""
    var_dir = tempfile.mkdtemp(prefix="bench-matching-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DATABASE_URL": f"{SERVER}/{DATABASE}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "SECURE_SSL_REDIRECT": "0",
            "VAR_DIR": var_dir,
            "MEDIA_ROOT": var_dir,
            "STATIC_MANIFEST": "0",
            "EMAIL_URL": "dummymail://",
            "LOG_LEVEL": "WARNING",
        }
    )
    for name in ("AWS_STORAGE_BUCKET_NAME", "CELERY_BROKER_URL", "CACHE_URL"):
        os.environ.pop(name, None)


def ensure_database() -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            return
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))


@dataclass
class Result:
    size: int
    seconds: float
    queries: int
    matched: int
    held: int
    fill_seconds: float

    @property
    def per_invoice_ms(self) -> float:
        return self.seconds * 1000 / self.size


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE suppliers_invoicehold, suppliers_invoiceevent, suppliers_invoiceline, "
            "suppliers_invoice, suppliers_reception, suppliers_purchaseorderline, "
            "suppliers_purchaseorder, suppliers_bankaccount, suppliers_suppliertaxid, "
            "suppliers_suppliermember, suppliers_supplierinvitation, suppliers_matchingtolerance, "
            "suppliers_supplier RESTART IDENTITY CASCADE"
        )


def fill(size: int) -> list[int]:
    """N order lines and N invoices on hold, not yet matched; returns the invoice ids."""
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import ensure_department
    from core.identifiers import InvalidIdentifier, make_cbu, make_cuit
    from suppliers.models import (
        BankAccount,
        Invoice,
        InvoiceLine,
        PurchaseOrder,
        PurchaseOrderLine,
        Supplier,
        SupplierTaxId,
    )

    buyer, _ = User.objects.get_or_create(
        email="bench-buyer@example.com", defaults={"role": User.Role.EMPLOYEE}
    )
    department = ensure_department(code="bench-compras", name="Compras")
    cuits: list[str] = []
    dni = 70_000_000
    while len(cuits) < SUPPLIERS:
        dni += 1
        try:
            cuits.append(make_cuit("30", str(dni)))
        except InvalidIdentifier:
            continue  # no CUIT has this body: its check digit would be 10
    suppliers = Supplier.objects.bulk_create(
        Supplier(
            cuit=cuits[index],
            legal_name=f"Proveedor {index}",
            tax_condition=Supplier.TaxCondition.REGISTERED,
            email=f"p{index}@example.com",
            status=Supplier.Status.ACTIVE,
            afip_register=Supplier.RegisterCheck.ACTIVE,
            afip_register_checked_at=timezone.now(),
        )
        for index in range(SUPPLIERS)
    )
    SupplierTaxId.objects.bulk_create(
        SupplierTaxId(supplier=supplier, scheme=SupplierTaxId.Scheme.CUIT, value=supplier.cuit)
        for supplier in suppliers
    )
    BankAccount.objects.bulk_create(
        BankAccount(
            supplier=supplier,
            cbu=make_cbu("0110001", f"{index:013d}"),
            holder_name=supplier.legal_name,
            status=BankAccount.Status.ACTIVE,
            token=secrets.token_hex(16),
            document="bench/none",
            document_name="cbu.pdf",
            document_type="application/pdf",
            requested_by=buyer,
        )
        for index, supplier in enumerate(suppliers)
    )
    orders = PurchaseOrder.objects.bulk_create(
        (
            PurchaseOrder(
                number=f"OC-BENCH-{index:07d}",
                supplier=suppliers[index % SUPPLIERS],
                department=department,
                currency="ARS",
                issue_date=date(2025, 1, 1),
                created_by=buyer,
            )
            for index in range(size)
        ),
        batch_size=BATCH,
    )

    def order_lines(index: int) -> list[PurchaseOrderLine]:
        shape = SHAPES[index % 10]
        count = 3 if shape == THREE_LINES else 1
        # An order proposed from the totals must be the only one of its supplier with
        # that amount left: its price is its own.
        price = Decimal(3000) + Decimal(index) / 100 if shape == NO_ORDER else Decimal(1500)
        return [
            PurchaseOrderLine(
                order=orders[index],
                line_number=number,
                item_code=f"ART-{number}",
                description=f"Artículo {number}",
                kind=PurchaseOrderLine.Kind.GOODS
                if (index + number) % 2 and shape != NO_ORDER
                else PurchaseOrderLine.Kind.SERVICE,
                quantity=Decimal(10),
                unit_price=price,
                tax_rate=Decimal(21),
                received_quantity=Decimal(6),
            )
            for number in range(1, count + 1)
        ]

    lines = PurchaseOrderLine.objects.bulk_create(
        (line for index in range(size) for line in order_lines(index)), batch_size=BATCH
    )
    lines_of: dict[int, list] = {}
    for line in lines:
        lines_of.setdefault(line.order_id, []).append(line)
    invoices = []
    invoice_lines = []
    today = timezone.localdate()
    for index, order in enumerate(orders):
        shape = SHAPES[index % 10]
        billed = []
        for line in lines_of[order.pk]:
            # One-line invoices: one in 20 at a higher price, one in 20 over what was
            # received (goods only). An invoice naming no order bills all of it.
            price = Decimal("1600.00") if shape == ONE_LINE and index % 20 == 3 else line.unit_price
            quantity = (
                Decimal(10)
                if shape == NO_ORDER
                else Decimal(8)
                if shape == ONE_LINE and index % 20 == 4 and line.kind == "goods"
                else Decimal(5)
            )
            billed.append((line, quantity, price, (quantity * price).quantize(Decimal("0.01"))))
        net = sum((amount for *_rest, amount in billed), Decimal(0))
        tax = (net * Decimal("0.21")).quantize(Decimal("0.01"))
        # Unique amounts, except a duplicate's, which repeats the invoice before it.
        payable = net + tax + Decimal(index) / 100
        supplier_id, issued = order.supplier_id, today - timedelta(days=index % 28)
        if shape == DUPLICATE:
            before = invoices[-1]
            payable, issued = before.payable_total, before.issue_date
            supplier_id = before.supplier_id
            order.supplier_id = supplier_id
        invoices.append(
            Invoice(
                supplier_id=supplier_id,
                format=Invoice.Format.UBL,
                kind=Invoice.Kind.INVOICE,
                type_code="380",
                number=f"A-{index:08d}",
                voucher_key=f"invoice:A-{index:08d}",
                issue_date=issued,
                currency="ARS",
                seller_tax_ids=[],
                buyer_tax_ids=[],
                po_reference="" if shape == NO_ORDER else order.number,
                net_total=net,
                tax_exclusive_total=net,
                tax_total=tax,
                tax_inclusive_total=net + tax,
                payable_total=payable,
                token=secrets.token_hex(16),
                pdf="bench/none.pdf",
                pdf_name="factura.pdf",
                status=Invoice.Status.ON_HOLD,
                submitted_by=buyer,
            )
        )
        invoice_lines.append(billed)
    # A duplicate's order belongs to the supplier of the invoice it repeats.
    PurchaseOrder.objects.bulk_update(
        [order for index, order in enumerate(orders) if SHAPES[index % 10] == DUPLICATE],
        ["supplier"],
        batch_size=BATCH,
    )
    invoices = Invoice.objects.bulk_create(invoices, batch_size=BATCH)
    InvoiceLine.objects.bulk_create(
        (
            InvoiceLine(
                invoice=invoice,
                position=position,
                line_id=str(position),
                description=line.description,
                quantity=quantity,
                unit_code="C62",
                unit_price=price,
                net_amount=net,
                tax_rate=Decimal(21),
                po_line_reference="" if invoice.po_reference == "" else str(line.line_number),
                seller_item_id=line.item_code,
            )
            for invoice, billed in zip(invoices, invoice_lines, strict=True)
            for position, (line, quantity, price, net) in enumerate(billed, 1)
        ),
        batch_size=BATCH,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return [invoice.pk for invoice in invoices]


def expected_holds(size: int) -> dict[str, int]:
    """The holds the fill's mix must produce, by code."""
    expected = {"price": 0, "total": 0, "qty_received": 0, "duplicate": 0}
    for index in range(size):
        shape = SHAPES[index % 10]
        if shape == ONE_LINE and index % 20 == 3:
            expected["price"] += 1
            expected["total"] += 1  # the net differs from the order's prices too
        elif shape == ONE_LINE and index % 20 == 4:  # even: goods
            expected["qty_received"] += 1
        elif shape == DUPLICATE:
            expected["duplicate"] += 1
    return expected


def measure(size: int) -> Result:
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from suppliers.models import Invoice, InvoiceHold
    from suppliers.services.matching import match_invoices

    empty_tables()
    started = time.perf_counter()
    ids = fill(size)
    fill_seconds = time.perf_counter() - started
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        outcomes = match_invoices(ids)
        seconds = time.perf_counter() - started
    matched = sum(1 for outcome in outcomes.values() if outcome.status == Invoice.Status.MATCHED)
    held = len(outcomes) - matched
    assert len(outcomes) == size, f"{len(outcomes)} invoices matched of {size}"
    by_code = dict(
        InvoiceHold.objects.values_list("code").annotate(count=Count("invoice", distinct=True))
    )
    # Invoices naming no order had it proposed from their totals: none lacks one.
    assert "no_po" not in by_code, by_code
    assert by_code == expected_holds(size), by_code
    proposed = Invoice.objects.filter(po_proposed_from="totals").count()
    assert proposed == sum(1 for index in range(size) if SHAPES[index % 10] == NO_ORDER)
    return Result(size, seconds, len(queries), matched, held, fill_seconds)


def measure_uploads(count: int = UPLOADS) -> tuple[float, float, int]:
    """Uploads per second through the supplier portal, trivial views per second, and the
    queries of one upload."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from suppliers.models import PurchaseOrder, Supplier, SupplierMember
    from tests.suppliers.ubl_builder import Line, ubl_invoice

    supplier = Supplier.objects.order_by("pk").first()
    user, _ = User.objects.get_or_create(
        email="bench-supplier@example.com", defaults={"role": User.Role.SUPPLIER}
    )
    SupplierMember.objects.get_or_create(supplier=supplier, user=user, defaults={"is_admin": True})
    buyer = User.objects.get(email="bench-buyer@example.com")
    orders = []
    for index in range(count + 1):
        order = PurchaseOrder.objects.create(
            number=f"OC-UP-{index:05d}",
            supplier=supplier,
            department=PurchaseOrder.objects.first().department,
            currency="ARS",
            issue_date=date(2025, 1, 1),
            created_by=buyer,
        )
        order.lines.create(
            line_number=1,
            description="Toner",
            kind="service",
            quantity=Decimal(10),
            unit_price=Decimal("1500.00"),
            tax_rate=Decimal(21),
        )
        orders.append(order)
    client = Client()
    client.force_login(user)
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

    def upload(index: int) -> None:
        xml = ubl_invoice(
            seller_cuit=supplier.cuit,
            number=f"UP-{index:05d}",
            po_reference=orders[index].number,
            lines=[Line("Toner", "5", "1500")],
        )
        response = client.post(
            "/proveedores/facturas/nueva/",
            {
                "pdf": SimpleUploadedFile("f.pdf", pdf, "application/pdf"),
                "xml": SimpleUploadedFile("f.xml", xml, "text/xml"),
            },
        )
        assert response.status_code == 302, response.content[:2000]

    # Django empties the query log at each request's start: count at the cursor instead.
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, params, many, context: (
            queries.append(sql) or execute(sql, params, many, context)
        )
    ):
        upload(count)
    started = time.perf_counter()
    for index in range(count):
        upload(index)
    uploads = count / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(count * 5):
        assert client.get("/bench/trivial/").status_code == 200
    trivial = count * 5 / (time.perf_counter() - started)
    return uploads, trivial, len(queries)


def report(results: list[Result], uploads: tuple[float, float, int] | None = None) -> str:
    from django import get_version

    rows = [
        "| invoices | matching time | per invoice | queries | matched | held |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        rows.append(
            f"| {result.size:,} | {result.seconds:.1f} s | {result.per_invoice_ms:.2f} ms "
            f"| {result.queries:,} | {result.matched:,} | {result.held:,} |"
        )
    growth = ""
    if len(results) >= 2:
        first, last = results[0], results[-1]
        factor = (last.seconds / first.seconds) / (last.size / first.size)
        growth = (
            f"\nGrowth factor {first.size:,} → {last.size:,}: time ×{last.seconds / first.seconds:.1f} "
            f"for ×{last.size / first.size:.0f} invoices, i.e. {factor:.2f} of linear "
            f"(1.00 = linear); queries ×{last.queries / first.queries:.1f}.\n"
        )
    upload_text = ""
    if uploads:
        per_second, trivial, queries = uploads
        upload_text = (
            "\n### Per upload\n\n"
            "| path | per second | ratio to the trivial view | queries |\n"
            "| --- | ---: | ---: | ---: |\n"
            f"| trivial view | {trivial:.0f} | 1 | 0 |\n"
            f"| a supplier uploads a UBL invoice (read, stored, matched, workflow started) "
            f"| {per_second:.1f} | {per_second / trivial:.3f} | {queries} |\n"
        )
    return (
        "## Supplier invoice matching\n\n"
        "`python -m benchmarks.matching` fills the dedicated PostgreSQL database "
        "`tramites_bench_matching` with N invoices waiting to be matched, each against its "
        f"own order ({SUPPLIERS} suppliers, goods and services alternating): 6 in 10 bill "
        "one line naming their order, 2 in 10 bill three lines, 1 in 10 names no order (it "
        "is proposed from the totals, set-based: one query per chunk) and 1 in 10 repeats "
        "the supplier, date and amount of the one before (held as a possible "
        "duplicate). One one-line invoice in 20 bills a higher price, one in 20 more than "
        "received, so holds are written too, and the run checks every hold by code. It "
        "times `suppliers.services.matching.match_invoices` over all N in chunks of 1,000 "
        "(one transaction per chunk: invoices and order lines locked, holds replaced, "
        "invoiced quantities and events written). The fill is not timed.\n\n"
        + "\n".join(rows)
        + "\n"
        + growth
        + upload_text
        + f"\nMachine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, Django {get_version()}, PostgreSQL at 127.0.0.1. "
        "Goal: linear, 100,000 in at most 60 s.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--output", type=Path, help="also write the Markdown report to this file")
    args = parser.parse_args()
    configure()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    results = []
    for size in args.sizes:
        result = measure(size)
        print(
            f"{size:>8,} invoices: {result.seconds:6.1f} s, {result.queries:,} queries, "
            f"{result.held:,} held (fill {result.fill_seconds:.0f} s)",
            flush=True,
        )
        results.append(result)
    uploads = measure_uploads()
    print(f"uploads: {uploads[0]:.1f}/s, trivial {uploads[1]:.0f}/s, {uploads[2]} queries")
    text = report(results, uploads)
    if args.output:
        args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
