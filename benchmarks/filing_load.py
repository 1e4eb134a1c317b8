"""Filing under load: many residents at once open a form, fill its steps, upload a
document and submit, against gunicorn with a real Celery worker on Redis.

    python -m benchmarks.filing_load                    # 20 residents for 60 s
    python -m benchmarks.filing_load --users 40 --seconds 120

The run (re)creates its own PostgreSQL database (`tramites_bench_filing`, or
`--database`, which must start with `tramites_bench`), syncs the engine's test type
(`tests/engine/fixtures/habilitacion-de-prueba.yaml`: two form steps and one
document), creates the residents with complete profiles and a session each, starts
gunicorn (2 sync workers, production settings as `benchmarks.run` gives them, the
cache and the broker on Redis database 0, which the test suite never uses) and one
`celery worker` on the default and signing queues, then drives Locust headless.

It reports submissions per second, p50/p95/p99 of every step, errors (any is a
failure of the run), the trivial view's rate under the same Locust load, and
whether the worker caught up: every outbox item of the submissions done.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

from . import run as bench

BROKER = "redis://127.0.0.1:6379/0"
CODE = "habilitacion-de-prueba"
# The answers of the type's two form steps (field names as the form posts them).
STEPS = [
    {"nombre_fantasia": "Kiosco La Esquina", "superficie": "24", "tiene_cartel": "no"},
    {"cuit_titular": "20123456786"},
]
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=20, help="residents filing at once")
    parser.add_argument("--seconds", type=int, default=60, help="length of the load")
    parser.add_argument("--database", default="tramites_bench_filing")
    args = parser.parse_args()
    if not args.database.startswith("tramites_bench"):
        parser.error("--database must start with tramites_bench: the run drops it")
    bench.DATABASE = args.database
    var_dir = Path(tempfile.mkdtemp(prefix="tramites-filing-"))
    env = {
        **bench.environment(var_dir),
        "CACHE_URL": BROKER,
        "CELERY_BROKER_URL": BROKER,
        # The fee would hold the case for payment; the load measures filing up to review.
        "PAYMENTS_COLLECT_FEES": "0",
    }
    os.environ.clear()
    os.environ.update(env)
    (var_dir / "static").mkdir()
    try:
        measure_filing(args, env, var_dir)
    finally:
        shutil.rmtree(var_dir)


def prepare(users: int) -> list[list[str]]:
    """The catalog, the reviewers and one logged-in resident per Locust user."""
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from procedures.catalog import load_catalog
    from procedures.services.catalog import sync_catalog

    from . import fill, measure

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    directory = Path(tempfile.mkdtemp(prefix="tramites-filing-catalog-"))
    try:
        (directory / "types").mkdir()
        for name in ("categories.yaml", "departments.yaml"):
            shutil.copy(fill.CATALOG_DIR / name, directory)
        shutil.copy(fill.FIXTURE, directory / "types")
        sync_catalog(load_catalog(directory))
    finally:
        shutil.rmtree(directory)
    fill.create_staff(t.definition for t in fill.published_types())
    ids = fill.create_residents(users, timezone.now())
    sessions = []
    for user in User.objects.filter(pk__in=ids):
        name, _, value = measure.session_cookie(user).partition("=")
        sessions.append([name, value])
    return sessions


def celery_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "default,signing",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"filing-load-{os.getpid()}@%h",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def locust(
    env: dict[str, str], port: int, users: int, seconds: int, prefix: Path, locustfile: str
) -> list[dict[str, str]]:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "benchmarks" / locustfile),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 2)),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        check=False,  # Locust exits 1 when a request failed: the figures say which
        capture_output=True,
    )
    with open(f"{prefix}_stats.csv", newline="") as stats:
        return list(csv.DictReader(stats))


def outbox_pending() -> int:
    from core.models import OutboxItem

    return OutboxItem.objects.filter(done_at__isnull=True).count()


def measure_filing(args: argparse.Namespace, env: dict[str, str], var_dir: Path) -> None:
    bench.recreate_database()
    django.setup()
    from django.db import connections

    from procedures.models import Case

    from . import measure

    sessions = prepare(args.users)
    connections.close_all()
    env = {
        **env,
        "FILING_SESSIONS": json.dumps(sessions),
        "FILING_PROCEDURE": CODE,
        "FILING_STEPS": json.dumps(STEPS),
    }
    worker = celery_worker(env, var_dir / "celery.log")
    try:
        with measure.gunicorn(env, var_dir / "gunicorn.log") as port:
            trivial = locust(
                env, port, args.users, 10, var_dir / "trivial", "trivial_locustfile.py"
            )
            started = time.monotonic()
            rows = locust(
                env, port, args.users, args.seconds, var_dir / "filing", "filing_locustfile.py"
            )
            elapsed = time.monotonic() - started
        submitted = Case.objects.exclude(status=Case.Status.DRAFT).count()
        deadline = time.monotonic() + 120
        while (pending := outbox_pending()) and time.monotonic() < deadline:
            time.sleep(1)
        caught_up = time.monotonic() - started - elapsed
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    report(args, rows, trivial, submitted, elapsed, pending, caught_up)


def report(args, rows, trivial, submitted, elapsed, pending, caught_up) -> None:
    steps = [r for r in rows if r["Name"] != "Aggregated"]
    total = next(r for r in rows if r["Name"] == "Aggregated")
    trivial_rps = float(next(r for r in trivial if r["Name"] == "Aggregated")["Requests/s"])
    errors = int(total["Failure Count"])
    print(f"\nFiling under load: {args.users} residents for {args.seconds} s on {bench.machine()}.")
    print(
        f"Submissions: {submitted:,} in {elapsed:.0f} s = {submitted / elapsed:.2f} per second; "
        f"requests {float(total['Requests/s']):.1f}/s in all; trivial view under the same "
        f"load {trivial_rps:,.1f}/s; errors {errors}."
    )
    print(
        "Worker: "
        + (
            f"every outbox item done {caught_up:.0f} s after the load ended."
            if not pending
            else f"{pending} outbox items still pending 120 s after the load."
        )
    )
    print("\n| Step | Requests | p50 ms | p95 ms | p99 ms | Errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in sorted(steps, key=lambda r: r["Name"]):
        print(
            f"| {row['Name']} | {row['Request Count']} | {row['50%']} | {row['95%']} "
            f"| {row['99%']} | {row['Failure Count']} |"
        )
    if errors:
        raise SystemExit(f"{errors} requests failed")


if __name__ == "__main__":
    main()
