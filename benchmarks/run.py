"""`make bench`: fill the `tramites_bench` PostgreSQL database and measure the busiest pages.

    python -m benchmarks.run                  # 100,000 cases; updates docs/performance.md
    python -m benchmarks.run --cases 1000     # a quick check; prints the table only
    python -m benchmarks.run --reuse          # keep the data of a completed fill of --cases

For each page: SQL queries per request (Django test client, in this process)
and requests per second through gunicorn, as a ratio to a trivial Django view
served by the same gunicorn in the same run. Only the `tramites_bench`
database is ever created or dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path

import django
import psycopg
from psycopg import sql

SERVER = "postgres://postgres@127.0.0.1:5432"
# The shared cache, Redis as in production, in a database the test suite never uses (it
# takes 1-15); each run's keys carry its database's name (benchmarks/settings.py).
CACHE = "redis://127.0.0.1:6379/0"
DATABASE = "tramites_bench"
DEFAULT_CASES = 100_000
DOC = Path(__file__).resolve().parent.parent / "docs/performance.md"
# The runs whose results the document keeps, each between its own markers.
DOC_MARKERS = {
    100_000: ("<!-- bench:start -->", "<!-- bench:end -->"),
    1_000_000: ("<!-- bench-1m:start -->", "<!-- bench-1m:end -->"),
}
CLIENTS = 4 * (os.cpu_count() or 1)  # two per gunicorn worker (measure.WORKERS)
BUSY_LIMIT = 0.1
BUSY_WARNING = " (other processes shared the CPUs: rerun on a quiet machine)"
EXPLAIN_FROM_MS = 5  # the run prints the plan of any page's slowest query at least this slow


def environment(var_dir: Path) -> dict[str, str]:
    """Every setting the portal reads, for this process and gunicorn alike.

    Built from scratch rather than inherited: a developer's DATABASE_URL,
    bucket or broker must never be reached by the benchmark.
    """
    kept = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {
        **kept,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "DATABASE_CONN_MAX_AGE": "60",  # as .env.example recommends for production
        "DATABASE_PARALLEL_WORKERS": "0",  # likewise
        "DATABASE_PREPARED_STATEMENTS": "1",  # likewise
        "CACHE_URL": CACHE,  # sessions, permissions and cached pages, shared by the workers
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),  # shared, so sessions made here are valid there
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_ROOT": str(var_dir / "static"),  # collected with the manifest, as in production
        "VAR_DIR": str(var_dir),
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
    }


def empty_cache() -> None:
    """Start from an empty cache, as after a deploy: this run's keys only, never those of
    another run (or of a Celery broker) in the same Redis database."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(CACHE)
    try:
        keys = list(client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}:*"))
    except redis.ConnectionError as error:
        raise SystemExit(f"The benchmark needs Redis at {CACHE}, as production: {error}") from None
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


def recreate_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        name = sql.Identifier(DATABASE)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))


def filled_with() -> dict | None:
    """What the last completed fill recorded in the database's comment, if it exists."""
    with psycopg.connect(f"{SERVER}/postgres") as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [DATABASE],
        ).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def record_fill(cases: int, fill_line: str) -> None:
    """Written last, so --reuse never trusts a fill that was interrupted."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(DATABASE),
                sql.Literal(json.dumps({"cases": cases, "fill": fill_line})),
            )
        )


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value < 120 else f"{value // 60:.0f} min {value % 60:.0f} s"


@dataclass
class Row:
    name: str
    path: str
    status: int
    queries: int = 0
    sql_ms: float = 0.0
    total_ms: float = 0.0
    template_ms: float = 0.0
    other_ms: float = 0.0
    cookie: str = ""
    rps: float | None = None
    kept_queries: int | None = None  # served whole from the cache (core.privatepages)
    kept_ms: float = 0.0
    rendered_rps: float | None = None  # the same load with PRIVATE_PAGE_CACHE=0

    @property
    def measured(self) -> bool:
        return self.status == 200


def _proc_field(path: str, name: str) -> str:
    for line in Path(path).read_text().splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return ""


def _cpu_times() -> tuple[int, int]:
    """All and idle (idle + iowait) jiffies of the machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values), values[3] + values[4]


def busy_cpus(seconds: float = 2) -> float:
    """Share of the CPUs busy while this benchmark idles: other work skews the figures."""
    total, idle = _cpu_times()
    time.sleep(seconds)
    total_after, idle_after = _cpu_times()
    return 1 - (idle_after - idle) / max(1, total_after - total)


def machine() -> str:
    from django.db import connection

    cpu = _proc_field("/proc/cpuinfo", "model name") or platform.processor()
    memory_kb = int(_proc_field("/proc/meminfo", "MemTotal").split()[0])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return (
        f"{len(os.sched_getaffinity(0))} CPUs ({cpu}), {memory_kb / 2**20:.0f} GiB RAM, "
        f"PostgreSQL {postgres}, Python {platform.python_version()}, "
        f"Django {version('django')}, django-viewflow {version('django-viewflow')}, "
        f"gunicorn {version('gunicorn')}"
    )


def volumes() -> str:
    from viewflow.workflow.models import Task

    from accounts.models import User
    from procedures.models import Case, CaseDocument, CaseEvent

    counts = [
        ("cases", Case),
        ("workflow tasks", Task),
        ("case events", CaseEvent),
        ("case documents", CaseDocument),
        ("users", User),
    ]
    return ", ".join(f"{model.objects.count():,} {name}" for name, model in counts)


def markdown(
    cases: int,
    fill_line: str,
    rows: list[Row],
    trivial: list[float],
    busy: list[float],
    concurrency: int,
) -> str:
    from .measure import WORKERS

    baseline = sum(trivial) / len(trivial)
    lines = [
        f"Run of {date.today().isoformat()}, {cases:,} cases.",
        "",
        f"- Machine: {machine()}.",
        f"- Data: {volumes()}.",
        f"- {fill_line}",
        f"- Served by gunicorn, {WORKERS} sync workers, to {concurrency} load clients; cache "
        "and sessions in Redis, as in production.",
        f"- Trivial view: {' and '.join(f'{r:,.0f}' for r in trivial)} req/s "
        "(measured first and last; the ratio uses their mean).",
        f"- Other activity on the machine: {busy[0]:.0%} of the CPUs busy just before the "
        f"load, {busy[1]:.0%} just after{BUSY_WARNING if max(busy) > BUSY_LIMIT else ''}.",
        "",
        "Rendered: the page rendered in the benchmark's process (queries, SQL, template, "
        "other). Kept: served whole from the cache (core.privatepages; logged-in pages), "
        "queries and ms in process. Load: req/s through gunicorn as served (kept pages from "
        "the cache), and with `PRIVATE_PAGE_CACHE=0` (every page rendered).",
        "",
        "| Page | Path | Queries | SQL ms | Template ms | Other ms | Kept: queries | Kept ms "
        "| req/s | × trivial | Rendered req/s | × trivial |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row.rps is not None:
            kept = (
                f"{row.kept_queries} | {row.kept_ms:.1f}"
                if row.kept_queries is not None
                else "— | —"
            )
            rendered = (
                f"{row.rendered_rps:,.1f} | {row.rendered_rps / baseline:.3f}"
                if row.rendered_rps is not None
                else "— | —"
            )
            lines.append(
                f"| {row.name} | `{row.path}` | {row.queries} | {row.sql_ms:.1f} "
                f"| {row.template_ms:.1f} | {row.other_ms:.1f} | {kept} | {row.rps:,.1f} "
                f"| {row.rps / baseline:.3f} | {rendered} |"
            )
        else:
            note = "pending: page not built yet" if row.status == 404 else f"HTTP {row.status}"
            lines.append(f"| {row.name} | `{row.path}` |" + " — |" * 9 + f" {note} |")
    return "\n".join(lines)


def write_doc(block: str, cases: int) -> None:
    start, end = DOC_MARKERS[cases]
    head, _, rest = DOC.read_text().partition(start)
    if end not in rest:
        raise RuntimeError(f"{DOC} lacks the {start} ... {end} markers")
    tail = rest.partition(end)[2]
    DOC.write_text(f"{head}{start}\n{block}\n{end}{tail}")


def main() -> None:
    global DATABASE
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data of a completed fill of --cases cases"
    )
    parser.add_argument("--seconds", type=float, default=10, help="load per page (default 10)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=CLIENTS,
        help=f"clients (default {CLIENTS}: two per gunicorn worker, so none waits for work)",
    )
    parser.add_argument(
        "--no-load",
        action="store_true",
        help="in-process figures only (queries, SQL, template, other): no gunicorn load, "
        "nothing written",
    )
    parser.add_argument(
        "--profile", action="store_true", help="print each page's cProfile (cumulative)"
    )
    parser.add_argument(
        "--database",
        default=DATABASE,
        help=f"a database of one's own, so parallel runs never meet (default {DATABASE})",
    )
    args = parser.parse_args()
    if not args.database.startswith(DATABASE):
        parser.error(f"--database must start with {DATABASE}: the run drops it")
    DATABASE = args.database

    var_dir = Path(tempfile.mkdtemp(prefix="tramites-bench-"))
    env = environment(var_dir)
    os.environ.clear()
    os.environ.update(env)
    (var_dir / "static").mkdir()
    try:
        run(args, env, var_dir)
    finally:
        shutil.rmtree(var_dir)


def run(args: argparse.Namespace, env: dict[str, str], var_dir: Path) -> None:
    record = filled_with() if args.reuse else None
    reuse = record is not None and record["cases"] == args.cases
    if not reuse:
        recreate_database()
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from . import fill, measure

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    empty_cache()
    if record and reuse:
        fill_line = f"{record['fill']} Data reused (--reuse)."
    else:
        print(f"Filling {DATABASE} with {args.cases:,} cases...", flush=True)
        started = time.monotonic()
        report = fill.fill(args.cases, lambda done: print(f"  {done:,} cases", flush=True))
        total = time.monotonic() - started
        fill_line = (
            f"Fill: {_seconds(total)} in all, including migrations (setup, catalog and "
            f"staff {_seconds(report.setup_seconds)}; cases {_seconds(report.cases_seconds)}; "
            f"VACUUM ANALYZE {_seconds(report.analyze_seconds)}). Catalog: {report.catalog}."
        )
        record_fill(args.cases, fill_line)
    print(fill_line, flush=True)

    cast = fill.pick_cast()
    rows = []
    for page in measure.pages(cast):
        queries = measure.count_queries(page)
        row = Row(
            page.name,
            page.path,
            queries.status,
            queries.count,
            queries.sql_ms,
            queries.total_ms,
            queries.template_ms,
            queries.other_ms,
            measure.browser_cookie(page.viewer),
        )
        print(
            f"\n{page.name} ({page.path}): HTTP {queries.status}, {queries.count} queries, "
            f"{queries.sql_ms:.1f} ms of SQL, {queries.template_ms:.1f} ms of template, "
            f"{queries.other_ms:.1f} ms other, {queries.total_ms:.1f} ms in all",
            flush=True,
        )
        if row.measured and queries.slowest_ms >= EXPLAIN_FROM_MS:
            print(
                f"slowest ({queries.slowest_ms:.1f} ms): {queries.slowest_sql}\n"
                f"{measure.explain(queries.slowest_sql)}",
                flush=True,
            )
        if page.viewer:
            kept = measure.count_queries(page, kept=True)
            row.kept_queries, row.kept_ms = kept.count, kept.total_ms
            print(
                f"  kept in the cache: {kept.count} queries, {kept.total_ms:.1f} ms in all",
                flush=True,
            )
        if args.profile:
            print(measure.profile(page), flush=True)
        rows.append(row)
    if args.no_load:
        return
    connections.close_all()  # no idle connection of this process during the load

    trivial, busy = [], [busy_cpus()]
    log = var_dir / "gunicorn.log"
    with measure.gunicorn(env, log) as port:

        def load(path: str, cookie: str = "") -> float:
            result = measure.hammer(env, port, path, cookie, args.seconds, args.concurrency)
            print(
                f"  {path}: {result['rps']:,.1f} req/s, p50 {result['p50_ms']:.1f} ms, "
                f"p95 {result['p95_ms']:.1f} ms, {result['errors']} errors",
                flush=True,
            )
            if result["errors"]:
                raise RuntimeError(f"{path} answered errors under load:\n{log.read_text()}")
            return result["rps"]

        print("\nRequests per second:", flush=True)
        trivial.append(load(measure.TRIVIAL))
        for row in rows:
            if row.measured:
                row.rps = load(row.path, row.cookie)
        trivial.append(load(measure.TRIVIAL))
    print("\nLogged-in pages rendered every time (PRIVATE_PAGE_CACHE=0):", flush=True)
    with measure.gunicorn({**env, "PRIVATE_PAGE_CACHE": "0"}, log) as port:
        for row in rows:
            if row.measured and row.cookie:
                row.rendered_rps = load(row.path, row.cookie)
    busy.append(busy_cpus())
    if max(busy) > BUSY_LIMIT:
        print(f"\nWARNING: {max(busy):.0%} of the CPUs busy outside the benchmark.", flush=True)

    block = markdown(args.cases, fill_line, rows, trivial, busy, args.concurrency)
    print(f"\n{block}")
    if args.cases in DOC_MARKERS:
        write_doc(block, args.cases)
        print(f"\nWritten to {DOC}.")
    else:
        print(f"\n{DOC} not updated: it records runs of {', '.join(map(str, DOC_MARKERS))} cases.")


if __name__ == "__main__":
    main()
