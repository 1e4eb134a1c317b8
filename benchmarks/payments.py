"""Payments: webhooks handled per second, and settlement files reconciled, at growing sizes.

    python -m benchmarks.payments                          # webhooks, then 10,000 and 100,000 rows
    python -m benchmarks.payments --rows 2000 10000        # a quick check

Uses the dedicated PostgreSQL database ``tramites_bench_payments`` (created and migrated
when missing; no other database is touched).

Webhooks: signed Mercado Pago notifications, each a new payment, posted through Django's
test client to ``/pagos/webhooks/mercadopago/`` (verify the signature, keep the
notification, enqueue its confirmation in the outbox, answer 200: what the provider
waits for; the confirmation runs later on a worker), against the same client calling a
trivial view: the ratio is the figure to compare.

Settlement: a file of N lines (one per order, each paying its order in full) imported with
``payments.cash.import_settlement``; time per line should stay flat as N grows (linear).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "tramites_bench_payments"
WEBHOOK_SECRET = secrets.token_hex(16)  # this run only


def configure() -> None:
    var_dir = tempfile.mkdtemp(prefix="bench-payments-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"{SERVER}/{DATABASE}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "VAR_DIR": var_dir,
            "MEDIA_ROOT": var_dir,
            "STATIC_MANIFEST": "0",
            "EMAIL_URL": "dummymail://",
            "LOG_LEVEL": "ERROR",
            "PAYMENTS_ONLINE_PROVIDER": "mercadopago",
            "MERCADOPAGO_ACCESS_TOKEN": "bench",
            "MERCADOPAGO_WEBHOOK_SECRET": WEBHOOK_SECRET,
            # The outbox hands confirmations to a broker that keeps them (no worker runs).
            "CELERY_BROKER_URL": "memory://",
        }
    )
    for name in ("AWS_STORAGE_BUCKET_NAME", "CACHE_URL"):
        os.environ.pop(name, None)


def ensure_database() -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE payments_settlementrow, payments_settlementfile, payments_refund, "
            "payments_payment, payments_orderevent, payments_notification, "
            "payments_paymentorder, core_outboxitem, core_auditevent RESTART IDENTITY CASCADE"
        )


def payer():
    from accounts.models import User

    user, _ = User.objects.get_or_create(email="bench-payer@example.com")
    return user


def webhooks(count: int) -> tuple[float, float]:
    """(webhooks per second, trivial requests per second)."""
    from django.test import Client
    from django.test.utils import override_settings

    from config.celery import app
    from payments.signature import sign

    app.conf.task_always_eager = False
    client = Client()
    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        started = time.perf_counter()
        for n in range(count):
            request_id = secrets.token_hex(8)
            header = sign(
                WEBHOOK_SECRET, data_id=str(n + 1), request_id=request_id, ts=str(int(time.time()))
            )
            response = client.post(
                f"/pagos/webhooks/mercadopago/?data.id={n + 1}&type=payment",
                data=b'{"type": "payment"}',
                content_type="application/json",
                headers={"x-signature": header, "x-request-id": request_id},
                secure=True,
            )
            assert response.status_code == 200, (response.status_code, response.content)
        hooks_per_second = count / (time.perf_counter() - started)
        started = time.perf_counter()
        for _n in range(count):
            assert client.get("/bench/trivial/", secure=True).status_code == 200
        trivial_per_second = count / (time.perf_counter() - started)
    return hooks_per_second, trivial_per_second


def settlement(rows: int) -> float:
    """Seconds to import a file of ``rows`` lines, each paying a fresh order in full."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from payments import cash
    from payments.models import PaymentOrder

    who = payer()
    due = timezone.localdate() + timedelta(days=10)
    orders = PaymentOrder.objects.bulk_create(
        [
            PaymentOrder(
                subject_type="accounts.user",
                subject_id=str(who.pk),
                payer=who,
                amount=Decimal("1500.00"),
                concept=f"Bench {n}",
                due_date=due,
                external_reference=f"OP-BENCH-{rows}-{n}",
            )
            for n in range(rows)
        ],
        batch_size=5000,
    )
    if connection.vendor != "postgresql":  # bulk_create leaves pks unset elsewhere
        raise SystemExit("needs PostgreSQL")
    day = date.today()
    content = "\r\n".join(
        cash.settlement_lines(
            company=settings.PAYMENTS_CASH_COMPANY_CODE,
            settled_on=day,
            details=[
                (day, cash.collection_code(order), order.amount, f"B{n:011d}", Decimal("20.00"))
                for n, order in enumerate(orders)
            ],
        )
    ).encode()
    started = time.perf_counter()
    imported = cash.import_settlement(
        network="pagofacil", name=f"bench-{rows}.txt", content=content, actor=None
    )
    seconds = time.perf_counter() - started
    assert imported.applied == rows, (imported.applied, rows)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--webhooks", type=int, default=2000)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    configure()
    ensure_database()
    import django

    django.setup()
    from django import get_version
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    empty_tables()
    hooks, trivial = webhooks(args.webhooks)
    print(
        f"webhooks: {hooks:,.0f}/s, trivial view: {trivial:,.0f}/s, ratio {hooks / trivial:.2f}",
        flush=True,
    )
    previous = None
    for rows in args.rows:
        empty_tables()
        seconds = settlement(rows)
        per_row = seconds * 1000 / rows
        growth = f", x{per_row / previous:.2f} per line vs the previous size" if previous else ""
        print(
            f"settlement {rows:>8,} lines: {seconds:7.1f} s, {per_row:.2f} ms per line{growth}",
            flush=True,
        )
        previous = per_row
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Django {get_version()}, PostgreSQL at 127.0.0.1."
    )


if __name__ == "__main__":
    main()
