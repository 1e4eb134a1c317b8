"""Measuring pages: SQL queries per request in-process, requests per second through gunicorn."""

from __future__ import annotations

import cProfile
import http.client
import importlib
import io
import json
import os
import pstats
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection
from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.template.backends.django import Template as DjangoTemplate
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.crypto import get_random_string

from accounts import mfa
from accounts.models import User
from core import privatepages

from .fill import Cast

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL = "/bench/trivial/"
# As docs/deployment.md recommends for production: two sync workers per CPU.
WORKERS = 2 * (os.cpu_count() or 1)


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    viewer: User | None  # None: an anonymous visitor


def pages(cast: Cast) -> list[Page]:
    search = urlencode({"q": cast.search_word, "categoria": cast.category})
    return [
        Page("Employee queue", "/gestion/cola/", cast.employee),
        Page(
            "Queue, page 40",
            f"/gestion/cola/?despues={cast.deep_queue_cursor}&pagina=40",
            cast.employee,
        ),
        Page("Queue, by reference", f"/gestion/cola/?q={cast.case_reference}", cast.employee),
        Page("Employee inbox", "/gestion/", cast.employee),
        Page("Staff case page", f"/gestion/expedientes/{cast.case_reference}/", cast.employee),
        Page("Home", "/", None),
        Page("Public catalog", "/tramites/", None),
        Page("Catalog search", f"/tramites/?{search}", None),
        Page("Procedure page", f"/tramites/{cast.procedure_code}/", None),
        Page("My procedures", "/mis-tramites/", cast.resident),
        Page("Resident case page", f"/mis-tramites/{cast.resident_case_reference}/", cast.resident),
        Page("Form step", f"/mis-tramites/borradores/{form_draft(cast)}/seccion/0/", cast.resident),
    ]


def form_draft(cast: Cast) -> int:
    """The resident's draft of the cast's procedure, started the first time: the fill files
    no drafts, and a form step is a resident page of issue 11."""
    from procedures.models import Case, ProcedureVersion
    from procedures.services import cases

    draft = (
        Case.objects.filter(
            filed_by=cast.resident,
            status=Case.Status.DRAFT,
            version__procedure_type__code=cast.procedure_code,
        )
        .values_list("pk", flat=True)
        .first()
    )
    if draft is None:
        version = ProcedureVersion.objects.get(
            procedure_type__code=cast.procedure_code, status=ProcedureVersion.Status.PUBLISHED
        )
        draft = cases.start_draft(
            version=version, applicant=cast.resident, filed_by=cast.resident
        ).pk
    return draft


@dataclass(frozen=True)
class Queries:
    status: int
    count: int
    sql_ms: float
    total_ms: float  # the whole request in this process: SQL, middleware, view, template
    slowest_ms: float
    slowest_sql: str
    template_ms: float = 0.0  # rendering, without the queries run while rendering

    @property
    def other_ms(self) -> float:
        """Middleware and view code: neither SQL nor template rendering."""
        return max(0.0, self.total_ms - self.sql_ms - self.template_ms)


def _pass_second_factor(session: SessionBase, user: User) -> None:
    """Staff pages want a session that passed TOTP, as allauth's login stage records it."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None or not mfa.needs_second_factor(user):
        return
    request = HttpRequest()
    request.session = session
    mfa.record_second_factor(request=request, authenticator=authenticator)
    session.save()


REPEATS = 7  # timed requests per page; each figure is their median


def warmup_requests() -> int:
    """Untimed requests before the timed ones: the first fills per-process caches (content
    types...). With prepared statements (DATABASE_PREPARED_STATEMENTS) a connection kept as
    production keeps it (DATABASE_CONN_MAX_AGE) reaches its steady state later: psycopg
    prepares a query at its run after `prepare_threshold` runs, and PostgreSQL plans it for
    its values 5 times more before it decides whether one plan for all values will do."""
    threshold = settings.DATABASES["default"].get("OPTIONS", {}).get("prepare_threshold")
    return 1 if threshold is None else threshold + 6


def count_queries(page: Page, kept: bool = False) -> Queries:
    """Queries of one request, and the median split of its time over REPEATS requests:
    rendered each time, or (``kept``) a logged-in page served whole from the cache
    (core.privatepages) after the first visits kept it."""
    client = Client(SERVER_NAME="127.0.0.1")
    if page.viewer:
        client.force_login(page.viewer)
        _pass_second_factor(client.session, page.viewer)
    with override_settings(PRIVATE_PAGE_CACHE=kept):
        # The first requests fill per-process caches (content types...), get the CSRF cookie
        # and let prepared statements settle; a page is kept by a visit once logging in (a
        # change of the user) is older than the clocks' margin.
        for _ in range(warmup_requests()):
            client.get(page.path)
        if kept:
            time.sleep(privatepages.CLOCK_MARGIN_SECONDS + 0.1)
            client.get(page.path)
        runs = [_one_request(client, page.path) for _ in range(REPEATS)]
    median = sorted(runs, key=lambda r: r.total_ms)[REPEATS // 2]
    return Queries(
        median.status,
        median.count,
        statistics.median(r.sql_ms for r in runs),
        median.total_ms,
        median.slowest_ms,
        median.slowest_sql,
        statistics.median(r.template_ms for r in runs),
    )


def _one_request(client: Client, path: str) -> Queries:
    durations: list[float] = []
    rendering: list[float] = []  # per outermost render: time without its SQL
    depth = [0]  # forms and widgets render templates from inside a template

    def timed(execute: Any, *args: Any) -> Any:
        # Django logs query times rounded to the millisecond; most of these take less.
        started = time.perf_counter()
        try:
            return execute(*args)
        finally:
            durations.append((time.perf_counter() - started) * 1000)

    render = DjangoTemplate.render

    def timed_render(template: DjangoTemplate, *args: Any, **kwargs: Any) -> Any:
        if depth[0]:  # counted by the outer one
            return render(template, *args, **kwargs)
        depth[0] += 1
        queries_before, started = len(durations), time.perf_counter()
        try:
            return render(template, *args, **kwargs)
        finally:
            depth[0] -= 1
            sql = sum(durations[queries_before:])
            rendering.append((time.perf_counter() - started) * 1000 - sql)

    with (
        CaptureQueriesContext(connection) as captured,
        connection.execute_wrapper(timed),
        mock.patch.object(DjangoTemplate, "render", timed_render),
    ):
        started = time.perf_counter()
        response = client.get(path)
        total_ms = (time.perf_counter() - started) * 1000
    times = list(zip(durations, (q["sql"] for q in captured.captured_queries), strict=True))
    slowest = max(times, default=(0.0, ""))
    template_ms = sum(rendering)
    return Queries(
        response.status_code, len(times), sum(t for t, _ in times), total_ms, *slowest, template_ms
    )


def profile(page: Page, top: int = 25) -> str:
    """cProfile of REPEATS requests to the page: where its Python time goes."""
    client = Client(SERVER_NAME="127.0.0.1")
    if page.viewer:
        client.force_login(page.viewer)
        _pass_second_factor(client.session, page.viewer)
    for _ in range(warmup_requests()):
        client.get(page.path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(REPEATS):
        client.get(page.path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def explain(statement: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
        return "\n".join(row[0] for row in cursor.fetchall())


def session_cookie(user: User | None) -> str:
    """A logged-in session written as django.contrib.auth.login writes it: through the
    configured engine (database and cache)."""
    if user is None:
        return ""
    store = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    _pass_second_factor(store, user)
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def browser_cookie(user: User | None) -> str:
    """The cookies of a browser logged in as ``user``: the session's, and the CSRF one the
    login form set (every logged-in page has a form: logging out)."""
    if user is None:
        return ""
    csrf_secret = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    return f"{session_cookie(user)}; {settings.CSRF_COOKIE_NAME}={csrf_secret}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", TRIVIAL)
        return connection.getresponse().status == 200
    except OSError:
        return False


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[int]:
    """The portal as production serves it (sync workers), with the benchmark URLconf."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--error-logfile",
            str(log),
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"},
    )
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def hammer(
    env: dict[str, str], port: int, path: str, cookie: str, seconds: float, concurrency: int
) -> dict[str, float]:
    """Requests per second on one path, from a separate load-generator process."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.load",
            str(port),
            path,
            "--cookie",
            cookie,
            "--seconds",
            str(seconds),
            "--concurrency",
            str(concurrency),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)
