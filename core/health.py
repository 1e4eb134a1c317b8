"""Reachability checks for /healthz: database, broker, file storage and static files."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection

# The static files every page links to (templates/base.html and the forms' script).
PAGE_STATIC_FILES = ("favicon.svg", "css/portal.css", "js/show-if.js")


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def check_storage() -> str:
    if isinstance(default_storage, FileSystemStorage):
        # The folder appears with the first upload; until then its parent must be writable.
        location = Path(default_storage.location)
        if not os.access(location if location.exists() else location.parent, os.W_OK):
            raise PermissionError(location)
        return "ok"
    # A listing proves credentials and reachability without writing anything.
    default_storage.listdir("")
    return "ok"


def missing_static_files() -> list[str]:
    """Static files pages link to that would not be served, each with the reason."""
    missing = []
    for name in PAGE_STATIC_FILES:
        if not isinstance(staticfiles_storage, ManifestFilesMixin):
            if finders.find(name) is None:
                missing.append(f"{name}: not found")
            continue
        try:
            stored = staticfiles_storage.stored_name(name)
        except ValueError as exc:  # no manifest, or no entry in it: every page would be a 500
            missing.append(f"{name}: {exc}")
            continue
        if not staticfiles_storage.exists(stored):
            missing.append(f"{name}: {stored} is not in {settings.STATIC_ROOT}")
    return missing


def check_static() -> str:
    missing = missing_static_files()
    if missing:
        raise FileNotFoundError("; ".join(missing))
    return "ok"


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
    "static": check_static,
}


def static_files_deploy_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy`: pages cannot render while their static files are not collected."""
    return [
        checks.Error(
            f"Static file {problem}",
            hint="Run `python manage.py collectstatic --no-input` with the production "
            "settings before starting the web processes.",
            id="core.E001",
        )
        for problem in missing_static_files()
    ]


def run_checks() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
            healthy = False
            results[name] = f"error: {type(exc).__name__}"
    return healthy, results
