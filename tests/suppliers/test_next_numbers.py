"""Next numbers (payment batches, payment orders, purchase orders) handed out at the same
instant on PostgreSQL, with real concurrent connections: each gets its own, nobody a 500.
(Case references are random: tests/engine/test_resident_filing.py covers a repeat.)"""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from payables import services as payments
from payables.models import PaymentBatch, PaymentOrder
from suppliers.models import BankAccount

from . import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        raise RuntimeError("REQUIRE_SERVICES=1 but the suite is not on PostgreSQL")
    pytestmark.append(pytest.mark.skip(reason="concurrent transactions need PostgreSQL"))


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def second_while_first_is_uncommitted(first, second) -> tuple[object, object]:
    """``first`` runs in a transaction kept open until ``second`` (another connection) has
    read what it needs and is waiting on a lock; then both finish. Results or errors."""
    created, release = threading.Event(), threading.Event()
    results: list[object] = [None, None]

    def run_first():
        try:
            with transaction.atomic():
                results[0] = first()
                created.set()
                release.wait(timeout=60)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[0] = exc
        finally:
            created.set()
            connection.close()

    def run_second():
        try:
            results[1] = second()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[1] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    threads[0].start()
    created.wait(timeout=60)
    threads[1].start()
    deadline = time.monotonic() + 60
    while not waiting_on_a_lock() and threads[1].is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    return results[0], results[1]


def open_orders(clerk, count: int) -> list[PaymentOrder]:
    supplier, _user = factories.supplier("71234567")
    account = BankAccount.objects.get(supplier=supplier)
    return [
        PaymentOrder.objects.create(
            reference=f"OP-{number:06d}",
            supplier=supplier,
            bank_account=account,
            cbu=account.cbu,
            holder_name=account.holder_name,
            currency="ARS",
            amount=Decimal("1000.00"),
            created_by=clerk,
        )
        for number in range(1, count + 1)
    ]


def test_two_batches_created_at_once_get_consecutive_references(clerk):
    first_order, second_order = open_orders(clerk, 2)
    tomorrow = timezone.localdate() + timedelta(days=1)
    first, second = second_while_first_is_uncommitted(
        lambda: payments.create_batch(
            order_ids=[first_order.pk], execution_date=tomorrow, actor=clerk
        ),
        lambda: payments.create_batch(
            order_ids=[second_order.pk], execution_date=tomorrow, actor=clerk
        ),
    )
    assert isinstance(first, PaymentBatch) and isinstance(second, PaymentBatch), (first, second)
    assert (first.reference, second.reference) == ("LP-000001", "LP-000002")


def test_two_purchase_orders_of_two_departments_at_once_get_consecutive_numbers(buyer):
    supplier, _user = factories.supplier("71234567")
    other = factories.employee("obras@example.com", "purchasing", code="obras")

    def create(employee):
        return factories.order(supplier, employee, [factories.line("Resmas", 10, 5000)])

    first, second = second_while_first_is_uncommitted(lambda: create(buyer), lambda: create(other))
    assert not isinstance(second, Exception), second
    assert (first.number, second.number) == ("OC-2025-000001", "OC-2025-000002")
    assert first.department != second.department
