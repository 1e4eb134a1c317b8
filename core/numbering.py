"""Handing out "next numbers" (LP-000042, OC-2026-000007) that two people never both get.

Reading the highest number and writing the next one races: two transactions read the same
highest number, and the second insert breaks the unique constraint (a 500). ``hold`` takes
a lock named after the series, kept until the transaction ends, so the read-and-write of
one transaction finishes (commits) before the next one reads. On PostgreSQL it is a
transaction-level advisory lock: no table, no row to create first. SQLite (the embedded
mode) lets one writer at a time anyway.
"""

from __future__ import annotations

from django.db import connections, transaction


def hold(series: str, *, using: str = "default") -> None:
    """Block until no other transaction holds ``series``; keep it until this one ends."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        raise RuntimeError("numbering.hold must run inside the transaction that uses the number")
    if connections[using].vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [series])
