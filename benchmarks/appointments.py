"""Free-slot search: 10 offices × 30 days with 200,000 bookings.

    python -m benchmarks.appointments                   # 200,000 bookings; prints the report
    python -m benchmarks.appointments --bookings 20000  # a quick check
    python -m benchmarks.appointments --output FILE     # also writes the Markdown report

Uses the dedicated PostgreSQL database ``tramites_bench_appointments`` (created and
migrated when missing; no other database is touched). The offices file has three offices;
the run adds seven more with the same hours (in this process only), gives each office
10 desks giving one 20-minute service, and writes the bookings (``bulk_create``) over the
past year and the next 30 days, the future ones filling about half of the places. It then
requests, through the test client and the portal's whole middleware stack, the
availability API for 1, 7 and 30 days and the resident's day and days pages, counting
queries and timing them against a trivial view served the same way.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import random
import secrets
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "tramites_bench_appointments"
OFFICES = 10
DESKS = 10
DAYS = 30
BATCH = 5_000
REPEAT = 20


def configure() -> None:
    var_dir = tempfile.mkdtemp(prefix="bench-appointments-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DATABASE_URL": f"{SERVER}/{DATABASE}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "VAR_DIR": var_dir,
            "MEDIA_ROOT": var_dir,
            "STATIC_MANIFEST": "0",
            "SECURE_SSL_REDIRECT": "0",
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


def ten_offices() -> list[str]:
    """The file's offices plus copies of cav-norte, for this process only."""
    from core import offices

    real = offices.directory()
    template = real.office("cav-norte")
    extra = tuple(
        dataclasses.replace(template, code=f"bench-{index:02d}")
        for index in range(OFFICES - len(real.offices))
    )
    directory = dataclasses.replace(real, offices=real.offices + extra)
    offices.directory.cache_clear()
    offices.directory = lambda: directory  # noqa: E731 - the bench process only
    import appointments.selectors
    import appointments.staff_views
    import appointments.views

    for module in (appointments.selectors, appointments.views, appointments.staff_views):
        module.directory = offices.directory
    return [office.code for office in directory.offices]


def fill(codes: list[str], bookings: int) -> None:
    from appointments import selectors
    from appointments.models import Booking, Desk, Service

    Booking.objects.all().delete()
    Desk.objects.all().delete()
    Service.objects.all().delete()
    service = Service.objects.create(code="bench", name="Bench", slot_minutes=20)
    desks = {}
    for code in codes:
        desks[code] = Desk.objects.bulk_create(
            Desk(office_code=code, name=f"Puesto {number}") for number in range(1, DESKS + 1)
        )
        for desk in desks[code]:
            desk.services.add(service)
    today = selectors.local_today()
    # Every place of the next 30 days, then of the past, until the total is reached.
    future = []
    past = []
    for code in codes:
        slots = selectors.slots_between(
            service, code, today - timedelta(days=365), today + timedelta(days=DAYS)
        )
        for day, day_slots in slots.items():
            for slot in day_slots:
                for desk in desks[code]:
                    (future if day >= today else past).append((code, desk.pk, slot))
    random.seed(7)
    chosen = random.sample(future, min(len(future) // 2, bookings // 10))
    chosen += random.sample(past, min(len(past), bookings - len(chosen)))
    rows = (
        Booking(
            code=f"B{index:09d}",
            service=service,
            office_code=code,
            desk_id=desk_id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            status="booked"
            if slot.starts_at > datetime.now(slot.starts_at.tzinfo)
            else "checked_in",
            dni=str(20_000_000 + index),
            full_name="Vecina de prueba",
            email="bench@example.com",
        )
        for index, (code, desk_id, slot) in enumerate(chosen)
    )
    Booking.objects.bulk_create(rows, batch_size=BATCH)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


class QueryCounter:
    """Counts the statements of the requests made inside it (survives reconnections)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def timed(client, url: str) -> tuple[float, int]:
    client.get(url)  # warm
    times = []
    with QueryCounter() as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    for _ in range(REPEAT):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return statistics.median(times), queries.count


def measure(codes: list[str]) -> list[tuple[str, float, int]]:
    from django.test import Client

    from appointments import selectors

    client = Client()
    day = selectors.local_today() + timedelta(days=7)
    while not selectors.office(codes[-1]).hours.is_open_day(day):
        day += timedelta(days=1)
    api = "/turnos/api/disponibilidad.json?servicio=bench&oficina={office}&dias={days}"
    pages = [("trivial view", "/bench/trivial/")]
    for days in (1, 7, 30):
        pages.append((f"API, {days} day(s), one office", api.format(office=codes[-1], days=days)))
    pages.append(("days page (30 days)", f"/turnos/?servicio=bench&oficina={codes[-1]}"))
    pages.append(("times page (one day)", f"/turnos/?servicio=bench&oficina={codes[-1]}&dia={day}"))
    results = [(name, *timed(client, url)) for name, url in pages]
    started = time.perf_counter()
    with QueryCounter() as queries:
        for code in codes:
            client.get(api.format(office=code, days=DAYS))
    results.append(
        (f"API, 30 days, all {len(codes)} offices", time.perf_counter() - started, queries.count)
    )
    return results


def report(bookings: int, results: list[tuple[str, float, int]], fill_seconds: float) -> str:
    from django import get_version

    trivial = results[0][1]
    rows = [
        "| request | queries | median time | ratio to trivial view |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, seconds, queries in results:
        rows.append(f"| {name} | {queries} | {seconds * 1000:.1f} ms | ×{seconds / trivial:.0f} |")
    return (
        "## Appointments: free-slot search\n\n"
        "`python -m benchmarks.appointments` fills the dedicated database "
        f"`tramites_bench_appointments` with {OFFICES} offices × {DESKS} desks giving one "
        f"20-minute service and {bookings:,} bookings (the past year, and about half of the "
        f"places of the next {DAYS} days), then requests each page through Django's test "
        "client (the whole middleware stack, no network), median of "
        f"{REPEAT}. Queries do not grow with the days searched: the desks, the bookings and "
        "the blocks of the range are read once each, and slots are computed in Python.\n\n"
        + "\n".join(rows)
        + f"\n\nFill: {fill_seconds:.0f} s. Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, Django {get_version()}, PostgreSQL at 127.0.0.1.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bookings", type=int, default=200_000)
    parser.add_argument("--output", type=Path, help="also write the Markdown report to this file")
    args = parser.parse_args()
    configure()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    codes = ten_offices()
    started = time.perf_counter()
    fill(codes, args.bookings)
    fill_seconds = time.perf_counter() - started
    text = report(args.bookings, measure(codes), fill_seconds)
    if args.output:
        args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
