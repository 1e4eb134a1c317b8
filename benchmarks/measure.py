"""Measuring pages: SQL queries per request in-process, requests per second through gunicorn."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import mfa
from accounts.models import User

from .fill import Cast

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL = "/bench/trivial/"
WORKERS = 2


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    viewer: User | None  # None: an anonymous visitor


def pages(cast: Cast) -> list[Page]:
    search = urlencode({"q": cast.search_word, "categoria": cast.category})
    return [
        Page("Employee queue", "/gestion/cola/", cast.employee),
        Page("Queue, page 40", "/gestion/cola/?pagina=40", cast.employee),
        Page("Queue, by reference", f"/gestion/cola/?q={cast.case_reference}", cast.employee),
        Page("Employee inbox", "/gestion/", cast.employee),
        Page("Staff case page", f"/gestion/expedientes/{cast.case_reference}/", cast.employee),
        Page("Home", "/", None),
        Page("Public catalog", "/tramites/", None),
        Page("Catalog search", f"/tramites/?{search}", None),
        Page("Procedure page", f"/tramites/{cast.procedure_code}/", None),
        Page("My procedures", "/mis-tramites/", cast.resident),
        Page("Resident case page", f"/mis-tramites/{cast.resident_case_reference}/", cast.resident),
    ]


@dataclass(frozen=True)
class Queries:
    status: int
    count: int
    sql_ms: float
    total_ms: float  # the whole request in this process: SQL, middleware, view, template
    slowest_ms: float
    slowest_sql: str


def _pass_second_factor(session: SessionBase, user: User) -> None:
    """Staff pages want a session that passed TOTP, as allauth's login stage records it."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None or not mfa.needs_second_factor(user):
        return
    request = HttpRequest()
    request.session = session
    mfa.record_second_factor(request=request, authenticator=authenticator)
    session.save()


def count_queries(page: Page) -> Queries:
    client = Client(SERVER_NAME="127.0.0.1")
    if page.viewer:
        client.force_login(page.viewer)
        _pass_second_factor(client.session, page.viewer)
    client.get(page.path)  # the first request fills per-process caches (content types...)
    durations: list[float] = []

    def timed(execute: Any, *args: Any) -> Any:
        # Django logs query times rounded to the millisecond; most of these take less.
        started = time.perf_counter()
        try:
            return execute(*args)
        finally:
            durations.append((time.perf_counter() - started) * 1000)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        started = time.perf_counter()
        response = client.get(page.path)
        total_ms = (time.perf_counter() - started) * 1000
    times = list(zip(durations, (q["sql"] for q in captured.captured_queries), strict=True))
    slowest = max(times, default=(0.0, ""))
    return Queries(response.status_code, len(times), sum(t for t, _ in times), total_ms, *slowest)


def explain(statement: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
        return "\n".join(row[0] for row in cursor.fetchall())


def session_cookie(user: User | None) -> str:
    """A logged-in session written as django.contrib.auth.login writes it."""
    if user is None:
        return ""
    store = SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    _pass_second_factor(store, user)
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


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
