from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from config.celery import app as celery_app

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"

# Tests create many users: a fast hasher (production keeps the default). A TOTP code of the
# neighbouring 30-second period is accepted, so no test races the boundary or waits for it.
settings.PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # for users a production process reads
]
settings.MFA_TOTP_TOLERANCE = 1
# Tests of review, documents and the engine file cases with fees without paying them; the
# payments tests and the every-procedure walk switch collection on (``collect_fees``).
settings.PAYMENTS_COLLECT_FEES = False


@pytest.fixture
def collect_fees(settings):
    settings.PAYMENTS_COLLECT_FEES = True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With REQUIRE_SERVICES=1 (CI) a skipped test is a failed one: nothing may be left out."""
    outcome = yield
    report = outcome.get_result()
    if REQUIRED and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under REQUIRE_SERVICES=1: {report.longrepr}"


# --- Celery -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tasks run eagerly, unless the test is marked to go through the real worker."""
    uses_worker = request.node.get_closest_marker("celery_worker") is not None
    celery_app.conf.task_always_eager = not uses_worker
    yield
    celery_app.conf.task_always_eager = True


def database_url_for_processes() -> str:
    """The database of this test run, for the processes a test starts (worker, gunicorn)."""
    db = settings.DATABASES["default"]
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on Redis, using the test database."""
    if (
        not os.environ.get("CELERY_BROKER_URL")
        or "postgresql" not in settings.DATABASES["default"]["ENGINE"]
    ):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but Redis/PostgreSQL are not configured")
        pytest.skip("needs Redis and PostgreSQL (run `make test` where they answer)")
    celery_app.control.purge()
    env = {**os.environ, "DATABASE_URL": database_url_for_processes()}
    log = open(Path(os.environ["VAR_DIR"]) / "celery-worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--queues=default,signing",
            "--concurrency=1",
            "--hostname=test-worker@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(timeout=1):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.fail(f"the Celery worker did not start; see {log.name}")
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
    log.close()


@pytest.fixture(autouse=True)
def _spanish_first():
    """Each test starts in the portal's language: a request in English (the locale middleware
    activates it for the thread and leaves it so) must not change the next test's messages."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: no test inherits another's."""
    yield
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _private_pages_kept(settings, monkeypatch):
    """Logged-in pages are kept in the cache (core.privatepages) as in production, here in
    the test process's own cache, which serves every page; and with no margin for other
    machines' clocks, so even right after a change. Every test that looks at a page again
    after changing something so checks that the change shows at once."""
    from core import privatepages

    settings.PRIVATE_PAGE_CACHE = True
    monkeypatch.setattr(privatepages, "CLOCK_MARGIN_SECONDS", 0.0)


# --- Browser ------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "es-AR", "timezone_id": settings.TIME_ZONE}


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations(request):
    """A browser test fails on any Content-Security-Policy violation: a page that needs an
    inline script or style, or something from elsewhere, is broken under the portal's policy.

    The contexts a test opens are closed when it ends: a page left open (a calling screen that
    polls every second) would keep hitting the live server during the next tests."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    browser = request.getfixturevalue("browser")
    violations: list[str] = []
    opened = []
    original = browser.new_context

    def new_context(*args, **kwargs):
        context = original(*args, **kwargs)
        opened.append(context)
        # Those closed already (pytest-playwright's own `context` fixture) are not closed again.
        context.on("close", lambda closed: opened.remove(closed))
        context.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return context

    browser.new_context = new_context
    yield
    browser.new_context = original
    for context in list(opened):
        context.close()
    assert not violations, violations


# --- People -------------------------------------------------------------------


force_login_password_only = Client.force_login
"""A session as the admin's old password-only login made it: no second factor."""


@pytest.fixture(autouse=True, scope="session")
def _force_login_passes_the_second_factor():
    """``client.force_login`` gives a fully authenticated session: for staff, one that passed
    the second factor too, as allauth's login stage records it. Tests of the second factor
    itself log in through the real pages (``log_in``) or use ``force_login_password_only``."""

    def force_login(self, user, backend=None):
        force_login_password_only(self, user, backend)
        _record_second_factor(self, user)

    Client.force_login = force_login
    yield
    Client.force_login = force_login_password_only


def _record_second_factor(client, user) -> None:
    from allauth.mfa.models import Authenticator
    from django.http import HttpRequest

    from accounts import mfa

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None or not mfa.needs_second_factor(user):
        return
    request = HttpRequest()
    request.session = client.session
    mfa.record_second_factor(request=request, authenticator=authenticator)
    request.session.save()


PASSWORD = "correct-horse-battery-42"


def _verified_user(email: str, **fields):
    from allauth.account.models import EmailAddress

    from accounts.models import User

    user = User.objects.create_user(email=email, password=PASSWORD, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def resident(db):
    return _verified_user("vecino@example.com", full_name="Juan Vecino")


@pytest.fixture
def employee(db):
    from accounts import services

    user = _verified_user("agente@example.com", full_name="Agente Municipal")
    department = services.ensure_department(code="rentas", name="Dirección de Rentas")
    return services.make_employee(user=user, departments=[department], actor=None)


def log_in(client, email: str, password: str = PASSWORD):
    """Log in through allauth's real login form (MFA and reauthentication depend on it)."""
    response = client.post("/cuenta/login/", {"login": email, "password": password}, follow=False)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response
