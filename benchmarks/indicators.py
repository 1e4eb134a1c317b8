"""Indicators: rebuilding the daily figures (one day, one year) and the dashboard page.

    python -m benchmarks.indicators                 # 50,000 cases over a year
    python -m benchmarks.indicators --cases 5000    # a quick check

Fills the dedicated PostgreSQL database ``tramites_bench_indicators`` (created and
migrated when missing, emptied of cases first; no other database is touched) with
N cases of 20 procedure types over the last 365 days, in every channel, a third
still open, one in ten paused for a correction, and a draft-started audit record
per case. Then times ``aggregates.aggregate_day`` for one day and ``rebuild`` for
the year, and the dashboard page (a city-wide manager, a year by month) against a
trivial view through the Django test client in this process: median of 15 requests
each, and the page's query count.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "tramites_bench_indicators"
TYPES = 20
BATCH = 5_000


def configure() -> None:
    var_dir = tempfile.mkdtemp(prefix="bench-indicators-")
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
            "EMAIL_URL": "dummymail://",
            "LOG_LEVEL": "WARNING",
            "SECURE_SSL_REDIRECT": "0",
        }
    )
    for name in ("AWS_STORAGE_BUCKET_NAME", "CELERY_BROKER_URL", "CACHE_URL"):
        os.environ.pop(name, None)


def ensure_database() -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))


def fill(cases: int):
    from accounts.models import Department, User
    from core.calendar import LOCAL_TIMEZONE, add_business_days
    from core.models import AuditEvent
    from indicators.models import AggregationState, CaseDay
    from procedures.models import Case, Category, ProcedureType, ProcedureVersion

    CaseDay.objects.all().delete()
    AggregationState.objects.all().delete()
    AuditEvent.objects.filter(action="case.draft_created").delete()
    Case.objects.all().delete()
    resident, _ = User.objects.get_or_create(email="bench-vecina@example.com")
    category, _ = Category.objects.get_or_create(code="bench", defaults={"names": {"es": "Bench"}})
    departments = [d.code for d in Department.objects.all()[:6]] or ["mesa-de-entradas"]
    versions = []
    for number in range(TYPES):
        kind, _ = ProcedureType.objects.get_or_create(
            code=f"bench-{number}", defaults={"audience": "resident", "category": category}
        )
        version = ProcedureVersion.objects.filter(procedure_type=kind).first()
        if version is None:
            version = ProcedureVersion.objects.create(
                procedure_type=kind,
                number=1,
                status="published",
                definition={
                    "review_steps": [{"department": departments[number % len(departments)]}]
                },
                content_hash="x",
                name_es=f"Trámite {number}",
                name_en=f"Procedure {number}",
                name_it=f"Pratica {number}",
                fee_kind="none",
                deadline_business_days=10 + number,
            )
        versions.append(version)
    today = datetime.now(LOCAL_TIMEZONE).date()
    channels = [c for c in Case.Channel.values]
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    rows, events = [], []
    for index in range(cases):
        version = versions[index % TYPES]
        submitted_on = today - timedelta(days=rng.randrange(365))
        submitted = datetime.combine(submitted_on, clock(rng.randrange(8, 18)), LOCAL_TIMEZONE)
        due = add_business_days(submitted_on, version.deadline_business_days)
        open_case = rng.random() < 0.33
        resolved = None if open_case else submitted + timedelta(days=rng.randrange(1, 60))
        if resolved and resolved.date() > today:
            resolved = None
        status = "submitted" if resolved is None else rng.choice(["approved", "rejected"])
        paused = None
        if status == "submitted" and rng.random() < 0.3:
            status, paused = "correction", min(today, submitted_on + timedelta(days=3))
        rows.append(
            Case(
                reference=f"B-{index:09d}",
                version=version,
                applicant=resident,
                filed_by=resident,
                channel=channels[index % len(channels)],
                status=status,
                submitted_at=submitted,
                due_date=due,
                resolved_at=resolved,
                paused_since=paused,
                current_department=departments[0] if resolved is None else "",
            )
        )
    for start in range(0, len(rows), BATCH):
        created = Case.objects.bulk_create(rows[start : start + BATCH])
        events = [
            AuditEvent(
                actor_label="bench",
                action="case.draft_created",
                object_type="procedures.case",
                object_id=str(case.pk),
                after={"procedure": case.version.procedure_type.code, "channel": case.channel},
            )
            for case in created
        ]
        AuditEvent.objects.bulk_create(events)
    # created_at/at are "now" from auto_now_add: spread them over the year like the submissions.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE procedures_case SET created_at = submitted_at - interval '1 hour'")
        cursor.execute(
            "UPDATE core_auditevent e SET at = c.created_at FROM procedures_case c "
            "WHERE e.action = 'case.draft_created' AND e.object_id = c.id::text"
        )
    return today


def median_seconds(client, url: str, runs: int = 15) -> float:
    client.get(url)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50_000)
    args = parser.parse_args()
    configure()
    ensure_database()
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpRequest
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts import mfa
    from accounts.models import User
    from indicators.services import aggregates

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.perf_counter()
    today = fill(args.cases)
    fill_seconds = time.perf_counter() - started

    started = time.perf_counter()
    aggregates.aggregate_day(today - timedelta(days=1))
    one_day = time.perf_counter() - started
    started = time.perf_counter()
    aggregates.rebuild(today - timedelta(days=364), today)
    one_year = time.perf_counter() - started
    started = time.perf_counter()
    aggregates.aggregate_day(today - timedelta(days=1))
    one_day_again = time.perf_counter() - started

    manager, _ = User.objects.get_or_create(
        email="bench-gestion@example.com", defaults={"role": "employee", "is_superuser": True}
    )
    manager.user_permissions.add(Permission.objects.get(codename="view_city_indicators"))
    authenticator, _ = Authenticator.objects.get_or_create(
        user=manager, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "A" * 32}}
    )
    client = Client()
    client.force_login(manager)
    # The staff area requires the second factor: recorded as the login stage records it.
    request = HttpRequest()
    request.session = client.session
    mfa.record_second_factor(request=request, authenticator=authenticator)
    request.session.save()
    page = f"/gestion/indicadores/?desde={today - timedelta(days=364)}&hasta={today}"
    trivial = median_seconds(client, "/bench/trivial/")
    dashboard = median_seconds(client, page)
    public = median_seconds(client, "/transparencia/")
    with CaptureQueriesContext(connection) as queries:
        client.get(page)
    print(f"cases: {args.cases:,} (fill {fill_seconds:.1f} s)")
    print(f"rebuild one day: {one_day:.2f} s (again, warm: {one_day_again:.2f} s)")
    print(f"rebuild one year (365 days): {one_year:.1f} s")
    print(f"trivial view: {trivial * 1000:.1f} ms")
    print(
        f"dashboard, a year by month, city-wide: {dashboard * 1000:.1f} ms "
        f"(x{dashboard / trivial:.1f} the trivial view), {len(queries)} queries"
    )
    print(f"public page: {public * 1000:.1f} ms (x{public / trivial:.1f})")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )


if __name__ == "__main__":
    main()
