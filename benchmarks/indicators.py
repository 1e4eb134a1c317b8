"""Indicators: rebuilding the daily figures (one day, one year) and the pages that read them.

    python -m benchmarks.indicators                    # 1,000,000 cases over a year
    python -m benchmarks.indicators --cases 5000       # a quick check
    python -m benchmarks.indicators --reuse            # keep the cases of a previous fill

Fills the dedicated PostgreSQL database ``tramites_bench_indicators`` (created and
migrated when missing, emptied of cases and figures first; no other database is touched)
with N cases of 20 procedure types over the last 365 days, in every channel (counter
cases at one of the offices that take assisted filings), a third still open, three in ten
of those paused for a correction, and a draft-started audit record per case. The cases
and audit records are written by two set-based ``INSERT ... SELECT`` statements over
``generate_series`` (due dates from ``core.calendar.add_business_days``, computed once per
day and type and joined in), so a million cases take minutes, not hours.
Then times ``aggregates.aggregate_day`` for one day (with its month's roll-up) and
``rebuild`` for the year, and, through the Django test client in this process (median of
15 requests each), the manager dashboard (a city-wide manager, a year by month) and
``/transparencia/`` (cached, and just after the aggregates were written) against a
trivial view, with each page's query count. ``--reuse`` skips the fill when the database
already holds exactly that many cases (the fill takes minutes at a million).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import tempfile
import time
from datetime import datetime, timedelta

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "tramites_bench_indicators"
TYPES = 20


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


def _truncate_cases(cursor) -> None:
    # A dedicated database: whatever refers to the cases (events, answers...) goes with them.
    cursor.execute(
        "TRUNCATE procedures_case, indicators_caseday, indicators_aggregationstate CASCADE"
    )
    cursor.execute("DELETE FROM core_auditevent WHERE action = 'case.draft_created'")


def fill(cases: int):
    from django.db import connection, transaction

    from accounts.models import Department, User
    from core.calendar import LOCAL_TIMEZONE, add_business_days
    from core.offices import directory
    from procedures.models import Case, Category, ProcedureType, ProcedureVersion

    with connection.cursor() as cursor:
        _truncate_cases(cursor)
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
    offices = [office.code for office in directory().offices if office.assisted_filing]
    due_dates = [
        (
            index,
            today - timedelta(days=age),
            add_business_days(today - timedelta(days=age), version.deadline_business_days),
        )
        for index, version in enumerate(versions)
        for age in range(366)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_type (type_index int, version_id int, code text) "
            "ON COMMIT DROP"
        )
        cursor.executemany(
            "INSERT INTO bench_type VALUES (%s, %s, %s)",
            [(i, v.pk, v.procedure_type.code) for i, v in enumerate(versions)],
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_due (type_index int, submitted_on date, due date) "
            "ON COMMIT DROP"
        )
        cursor.executemany("INSERT INTO bench_due VALUES (%s, %s, %s)", due_dates)
        cursor.execute("SELECT setseed(0.7)")
        cursor.execute(
            FILL_CASES,
            {
                "cases": cases,
                "types": TYPES,
                "today": today,
                "now": datetime.now(LOCAL_TIMEZONE),
                "zone": str(LOCAL_TIMEZONE),
                "applicant": resident.pk,
                "channels": list(Case.Channel.values),
                "offices": offices,
                "department": departments[0],
            },
        )
        cursor.execute(FILL_DRAFT_EVENTS)
        cursor.execute("ANALYZE procedures_case")
        cursor.execute("ANALYZE core_auditevent")
    return today


# One row per case: channel and type cycle, the rest drawn at random (seeded above).
FILL_CASES = """
WITH drawn AS (
    SELECT g,
           g %% %(types)s AS type_index,
           (%(channels)s::text[])[1 + g %% cardinality(%(channels)s::text[])] AS channel,
           %(today)s::date - floor(random() * 365)::int AS submitted_on,
           8 + floor(random() * 10)::int AS hour,
           random() < 0.33 AS stays_open,
           1 + floor(random() * 60)::int AS takes,
           random() < 0.5 AS approved,
           random() < 0.3 AS paused,
           floor(random() * 1000)::int AS office_draw
    FROM generate_series(0, %(cases)s - 1) AS g
), timed AS (
    SELECT d.*,
           (d.submitted_on + make_interval(hours => d.hour)) AT TIME ZONE %(zone)s AS submitted
    FROM drawn d
), settled AS (
    SELECT t.*,
           CASE WHEN NOT t.stays_open AND t.submitted + make_interval(days => t.takes) <= %(now)s
                THEN t.submitted + make_interval(days => t.takes) END AS resolved
    FROM timed t
)
INSERT INTO procedures_case (
    reference, version_id, applicant_id, filed_by_id, channel, office_code, status, answers,
    form_section, current_step, current_department, fee_amount, correction_message,
    correction_fields, paused_since, decision_reason, submitted_at, due_date, resolved_at,
    created_at, updated_at
)
SELECT 'B-' || lpad(s.g::text, 9, '0'), t.version_id, %(applicant)s, %(applicant)s, s.channel,
       CASE WHEN s.channel = 'counter'
            THEN (%(offices)s::text[])[1 + s.office_draw %% cardinality(%(offices)s::text[])]
            ELSE '' END,
       CASE WHEN s.resolved IS NOT NULL THEN (CASE WHEN s.approved THEN 'approved' ELSE 'rejected' END)
            WHEN s.paused THEN 'correction' ELSE 'submitted' END,
       '{}'::jsonb, 0, 0,
       CASE WHEN s.resolved IS NULL THEN %(department)s ELSE '' END,
       0, '', '[]'::jsonb,
       CASE WHEN s.resolved IS NULL AND s.paused
            THEN least(%(today)s::date, s.submitted_on + 3) END,
       '', s.submitted, due.due, s.resolved, s.submitted - interval '1 hour', %(now)s
FROM settled s
JOIN bench_type t ON t.type_index = s.type_index
JOIN bench_due due ON due.type_index = s.type_index AND due.submitted_on = s.submitted_on
"""

FILL_DRAFT_EVENTS = """
INSERT INTO core_auditevent (at, actor_label, action, object_type, object_id, summary, after)
SELECT c.created_at, 'bench', 'case.draft_created', 'procedures.case', c.id::text, '',
       jsonb_build_object('procedure', t.code, 'channel', c.channel, 'office', c.office_code)
FROM procedures_case c JOIN bench_type t ON t.version_id = c.version_id
"""


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
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the cases already filled")
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
    from django.utils import timezone

    from accounts import mfa
    from accounts.models import User
    from indicators import opendata
    from indicators.models import CaseDay, CaseMonth
    from indicators.services import aggregates
    from procedures.models import Case

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.perf_counter()
    reused = args.reuse and Case.objects.filter(reference__startswith="B-").count() == args.cases
    today = timezone.localdate() if reused else fill(args.cases)
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
    public_cold = []
    for _ in range(7):
        opendata.forget_cached_figures()
        started = time.perf_counter()
        client.get("/transparencia/")
        public_cold.append(time.perf_counter() - started)
    public_cold = statistics.median(public_cold)
    counts = {}
    for name, url in (
        ("trivial", "/bench/trivial/"),
        ("dashboard", page),
        ("public", "/transparencia/"),
    ):
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts[name] = len(queries)
    opendata.forget_cached_figures()
    with CaptureQueriesContext(connection) as queries:
        client.get("/transparencia/")
    counts["public_cold"] = len(queries)
    rows = CaseDay.objects.count()
    fill_text = "reused" if reused else f"fill {fill_seconds:.1f} s"
    print(
        f"cases: {args.cases:,} ({fill_text}); daily figure rows: {rows:,}; "
        f"monthly rows: {CaseMonth.objects.count():,}"
    )
    print(f"rebuild one day: {one_day:.2f} s (again, warm: {one_day_again:.2f} s)")
    print(f"rebuild one year (365 days): {one_year:.1f} s")
    print(f"trivial view: {trivial * 1000:.1f} ms, {counts['trivial']} queries")
    print(
        f"dashboard, a year by month, city-wide: {dashboard * 1000:.1f} ms "
        f"(x{dashboard / trivial:.1f} the trivial view), {counts['dashboard']} queries"
    )
    print(
        f"public page: {public * 1000:.1f} ms (x{public / trivial:.1f}), {counts['public']} queries; "
        f"just after the aggregates were written: {public_cold * 1000:.1f} ms "
        f"(x{public_cold / trivial:.1f}), {counts['public_cold']} queries"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )


if __name__ == "__main__":
    main()
