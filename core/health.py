"""Reachability checks for /healthz: database, broker and file storage."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection


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


CHECKS = {"database": check_database, "broker": check_broker, "storage": check_storage}


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
