"""Matching supplier invoices against purchase order lines, at 10,000 and 100,000.

    python -m benchmarks.matching                      # 10,000 and 100,000; prints the report
    python -m benchmarks.matching --sizes 2000 20000   # a quick check
    python -m benchmarks.matching --output FILE        # also writes the Markdown report

For each size N it empties the supplier tables of the dedicated PostgreSQL database
``tramites_bench_matching`` (created, and migrated, when missing; no other database
is touched), fills N purchase order lines (N/5 orders of 5 lines, 200 suppliers) and N
one-line invoices waiting to be matched, then times ``match_invoices`` over all of
them and counts its queries. One invoice in 20 bills a higher price and one in 20
more than was received, so holds are written too; the run checks the outcome.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "tramites_bench_matching"
DEFAULT_SIZES = (10_000, 100_000)
SUPPLIERS = 200
LINES_PER_ORDER = 5
BATCH = 5_000


def configure() -> None:
    """Settings for this process only: the bench database, nothing from the caller."""
    var_dir = tempfile.mkdtemp(prefix="bench-matching-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"{SERVER}/{DATABASE}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
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
            for index in range(size // LINES_PER_ORDER)
        ),
        batch_size=BATCH,
    )
    lines = PurchaseOrderLine.objects.bulk_create(
        (
            PurchaseOrderLine(
                order=order,
                line_number=number,
                item_code=f"ART-{number}",
                description=f"Artículo {number}",
                kind=PurchaseOrderLine.Kind.GOODS if number % 2 else PurchaseOrderLine.Kind.SERVICE,
                quantity=Decimal(10),
                unit_price=Decimal("1500.00"),
                tax_rate=Decimal(21),
                received_quantity=Decimal(6),
            )
            for order in orders
            for number in range(1, LINES_PER_ORDER + 1)
        ),
        batch_size=BATCH,
    )
    invoices = []
    invoice_lines = []
    for index, line in enumerate(lines):
        order = orders[index // LINES_PER_ORDER]
        # Mostly clean; one in 20 at a higher price, one in 20 over what was received.
        price = Decimal("1600.00") if index % 20 == 7 else line.unit_price
        quantity = Decimal(8) if index % 20 == 13 and line.kind == "goods" else Decimal(5)
        net = (quantity * price).quantize(Decimal("0.01"))
        tax = (net * Decimal("0.21")).quantize(Decimal("0.01"))
        invoices.append(
            Invoice(
                supplier_id=order.supplier_id,
                format=Invoice.Format.UBL,
                kind=Invoice.Kind.INVOICE,
                type_code="380",
                number=f"A-{index:08d}",
                voucher_key=f"invoice:A-{index:08d}",
                issue_date=date(2025, 2, 1 + index % 28),
                currency="ARS",
                seller_tax_ids=[],
                buyer_tax_ids=[],
                po_reference=order.number,
                net_total=net,
                tax_exclusive_total=net,
                tax_total=tax,
                tax_inclusive_total=net + tax,
                # Unique amounts: no invoice looks like a duplicate of another.
                payable_total=net + tax + Decimal(index) / 100,
                token=secrets.token_hex(16),
                pdf="bench/none.pdf",
                pdf_name="factura.pdf",
                status=Invoice.Status.ON_HOLD,
                submitted_by=buyer,
            )
        )
        invoice_lines.append((line, quantity, price, net))
    invoices = Invoice.objects.bulk_create(invoices, batch_size=BATCH)
    InvoiceLine.objects.bulk_create(
        (
            InvoiceLine(
                invoice=invoice,
                position=1,
                line_id="1",
                description=line.description,
                quantity=quantity,
                unit_code="C62",
                unit_price=price,
                net_amount=net,
                tax_rate=Decimal(21),
                po_line_reference=str(line.line_number),
                seller_item_id=line.item_code,
            )
            for invoice, (line, quantity, price, net) in zip(invoices, invoice_lines, strict=True)
        ),
        batch_size=BATCH,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return [invoice.pk for invoice in invoices]


def measure(size: int) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from suppliers.models import Invoice, InvoiceHold, PurchaseOrderLine
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
    expected_held = sum(1 for index in range(size) if index % 20 == 7) + sum(
        1 for index in range(size) if index % 20 == 13 and (index % LINES_PER_ORDER + 1) % 2
    )
    assert len(outcomes) == size, f"{len(outcomes)} invoices matched of {size}"
    assert held == expected_held, f"{held} held, expected {expected_held}"
    assert InvoiceHold.objects.values("invoice").distinct().count() == held
    assert PurchaseOrderLine.objects.filter(invoiced_quantity=5).count() == matched
    return Result(size, seconds, len(queries), matched, held, fill_seconds)


def report(results: list[Result]) -> str:
    from django import get_version

    rows = [
        "| invoices (and order lines) | matching time | per invoice | queries | matched | held |",
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
    return (
        "## Supplier invoice matching\n\n"
        "`python -m benchmarks.matching` fills the dedicated PostgreSQL database "
        "`tramites_bench_matching` with N purchase order lines (N/5 orders of 5 lines, "
        f"{SUPPLIERS} suppliers, goods and services alternating) and N one-line invoices "
        "naming their order, then times `suppliers.services.matching.match_invoices` over "
        "all N in chunks of 1,000 (one transaction per chunk: invoices and order lines "
        "locked, holds replaced, invoiced quantities and events written). One invoice in 20 "
        "bills a higher price, one in 20 more than received (goods only), so holds are "
        "written too, and the run checks the outcome. The fill is not timed.\n\n"
        + "\n".join(rows)
        + "\n"
        + growth
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
    text = report(results)
    if args.output:
        args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
