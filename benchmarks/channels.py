"""Phone menu and Open311: TwiML requests per second and `GET requests` over many claims.

    python -m benchmarks.channels                     # 1,000,000 claims
    python -m benchmarks.channels --claims 10000      # a quick check

* TwiML: signed POSTs to /telefono/voz/ (the main menu, one call record
  written per request) against the trivial view, both through Django's test
  client in this process (middleware and views, no gunicorn): the ratio is the
  figure to watch.
* Open311: claims of the catalog's claim types written with COPY, then
  `GET /open311/v2/requests.json` with the default 90-day window (1,000 rows
  returned), a service filter and an id list: SQL queries per request (must not
  grow with the claims) and time per request.

Only the `tramites_bench_channels` PostgreSQL database is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import django
import psycopg
from psycopg import sql

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "tramites_bench_channels"
TOKEN = "bench-token"  # noqa: S105 - signs requests to this process only
BATCH = 50_000


def environment(var_dir: Path) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {
        **kept,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "VAR_DIR": str(var_dir),
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        "TWILIO_AUTH_TOKEN": TOKEN,
    }


def recreate_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        name = sql.Identifier(DATABASE)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))


def fill_claims(count: int) -> None:
    from django.utils import timezone

    from accounts.models import User
    from open311.catalog import services
    from procedures.models import Case

    from .fill import copy_rows, with_ids

    applicant = User.objects.create_user(email="bench@example.com", full_name="Bench")
    offered = services()
    now = timezone.now()
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    for start in range(0, count, BATCH):
        rows = []
        for i in range(start, min(count, start + BATCH)):
            body = "".join(alphabet[(i >> (5 * k)) & 31] for k in range(8))
            submitted = now - timedelta(minutes=i % (365 * 24 * 60))
            service = offered[i % len(offered)]
            rows.append(
                Case(
                    version=service.version,
                    applicant=applicant,
                    filed_by=applicant,
                    channel=Case.Channel.OPEN311 if i % 3 == 0 else Case.Channel.ONLINE,
                    status=Case.Status.SUBMITTED if i % 4 else Case.Status.APPROVED,
                    reference=f"EXP-2026-{body[:4]}-{body[4:]}",
                    submitted_at=submitted,
                    due_date=(submitted + timedelta(days=14)).date(),
                    current_department="alumbrado",
                    created_at=submitted,
                    updated_at=submitted,
                )
            )
        copy_rows(with_ids(rows))
        print(f"  {min(count, start + BATCH):,} claims", flush=True)


def per_second(client, send, seconds: float) -> float:
    done, started = 0, time.monotonic()
    while time.monotonic() - started < seconds:
        send(client, done)
        done += 1
    return done / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="tramites-bench-channels-"))
    os.environ.clear()
    os.environ.update(environment(var_dir))
    try:
        recreate_database()
        django.setup()
        run(args)
    finally:
        shutil.rmtree(var_dir)


def run(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from twilio.request_validator import RequestValidator

    from procedures.catalog import load_catalog
    from procedures.services.catalog import sync_catalog

    call_command("migrate", interactive=False, verbosity=0)
    sync_catalog(load_catalog())
    print(f"Filling {DATABASE} with {args.claims:,} claims...", flush=True)
    started = time.monotonic()
    fill_claims(args.claims)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Fill: {time.monotonic() - started:.0f} s", flush=True)
    client = Client()

    validator = RequestValidator(TOKEN)

    def twiml(client, n):
        data = {"CallSid": f"CA{n}", "From": "+5491155550000", "To": "147"}
        signature = validator.compute_signature("http://testserver/telefono/voz/", data)
        assert (
            client.post("/telefono/voz/", data, HTTP_X_TWILIO_SIGNATURE=signature).status_code
            == 200
        )

    def trivial(client, n):
        assert client.get("/bench/trivial/").status_code == 200

    twiml_rate = per_second(client, twiml, args.seconds)
    trivial_rate = per_second(client, trivial, args.seconds)
    print("\n| what | requests/s | ratio to trivial |\n|---|---|---|")
    print(f"| trivial view | {trivial_rate:.0f} | 1.00 |")
    print(
        f"| TwiML main menu (signed, call recorded) | {twiml_rate:.0f} | {twiml_rate / trivial_rate:.2f} |"
    )

    sample = ",".join(
        client.get("/open311/v2/requests.json").json()[i]["service_request_id"]
        for i in range(0, 50, 5)
    )
    print(
        f"\n| GET /open311/v2/requests.json ({args.claims:,} claims) | rows | queries | ms |\n|---|---|---|---|"
    )
    for label, query in (
        ("default (last 90 days, first 1,000)", {}),
        (
            "service_code=reclamo-alumbrado&status=open",
            {"service_code": "reclamo-alumbrado", "status": "open"},
        ),
        ("10 service_request_id", {"service_request_id": sample}),
    ):
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as captured:
                began = time.monotonic()
                response = client.get("/open311/v2/requests.json", query)
                times.append((time.monotonic() - began) * 1000)
            assert response.status_code == 200
        rows = len(response.json())
        print(f"| {label} | {rows} | {len(captured)} | {sorted(times)[2]:.0f} |")


if __name__ == "__main__":
    main()
