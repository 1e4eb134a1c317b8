"""Pytest plugin (loaded with ``-p tests.services``) choosing the services the suite runs on.

It runs before Django reads its settings. PostgreSQL and Redis are used when
they answer on their usual local ports; otherwise the suite falls back to
SQLite and eager Celery and says so. With REQUIRE_SERVICES=1 (CI) a missing
service is an error instead of a fallback.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"


def _answers(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def _configure() -> dict[str, str]:
    chosen: dict[str, str] = {}
    if "DATABASE_URL" not in os.environ:
        if _answers(POSTGRES):
            # One database per run: concurrent runs on one machine must not drop each other's.
            os.environ["DATABASE_URL"] = (
                f"postgres://postgres@127.0.0.1:5432/tramites_{os.getpid()}"
            )
        elif REQUIRED:
            raise pytest.UsageError("REQUIRE_SERVICES=1 but PostgreSQL does not answer on 5432")
    chosen["database"] = os.environ.get("DATABASE_URL", "sqlite (in memory)")
    if "CELERY_BROKER_URL" not in os.environ:
        if _answers(REDIS):
            # Likewise a Redis database per run, so a worker never takes another run's tasks.
            redis_db = 1 + os.getpid() % 15
            os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:6379/{redis_db}"
            os.environ.setdefault("CELERY_RESULT_BACKEND", f"redis://127.0.0.1:6379/{redis_db}")
        elif REQUIRED:
            raise pytest.UsageError("REQUIRE_SERVICES=1 but Redis does not answer on 6379")
    chosen["celery"] = (
        f"real worker on {os.environ['CELERY_BROKER_URL']}"
        if os.environ.get("CELERY_BROKER_URL")
        else "eager (no broker)"
    )
    chosen["storage"] = _start_s3()
    os.environ.setdefault("SECRET_KEY", "test-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="tramites-test-var-"))
    # Tests speak plain HTTP to the test client and the live server.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
    os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
    os.environ.setdefault("STATIC_MANIFEST", "0")
    # Documents are signed with the demo PKI, as in `make run` (DEBUG is off in tests).
    os.environ.setdefault("SIGNING_DEMO_PKI", "1")
    os.environ.setdefault("STATIC_ROOT", os.path.join(os.environ["VAR_DIR"], "static"))
    os.makedirs(os.environ["STATIC_ROOT"], exist_ok=True)
    # Sync Playwright runs an event loop in the test thread; Django must still allow ORM calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    for name in ("DEBUG", "EMAIL_URL", "CACHE_URL"):
        os.environ.pop(name, None)
    return chosen


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_s3() -> str:
    """A local S3 server (moto) so that files go through django-storages as in production."""
    if "AWS_STORAGE_BUCKET_NAME" in os.environ:
        return f"S3 bucket {os.environ['AWS_STORAGE_BUCKET_NAME']} (given)"
    server = shutil.which("moto_server") or shutil.which(
        "moto_server", path=os.path.dirname(sys.executable)
    )
    if not server:
        if REQUIRED:
            raise pytest.UsageError("REQUIRE_SERVICES=1 but moto_server is not installed")
        return "local files (no moto_server)"
    port = _free_port()
    process = subprocess.Popen(
        [server, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    atexit.register(process.terminate)
    deadline = time.monotonic() + 30
    while not _answers(("127.0.0.1", port)):
        if process.poll() is not None or time.monotonic() > deadline:
            raise pytest.UsageError("moto_server did not start")
        time.sleep(0.1)
    os.environ.update(
        AWS_STORAGE_BUCKET_NAME="tramites-test",
        AWS_S3_ENDPOINT_URL=f"http://127.0.0.1:{port}",
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S105 - moto accepts any key
    )
    import boto3

    boto3.client(
        "s3",
        endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106
    ).create_bucket(Bucket="tramites-test")
    return f"S3 on a local moto server, {os.environ['AWS_S3_ENDPOINT_URL']}"


SERVICES = _configure()


def pytest_report_header(config):
    return [f"{name}: {value}" for name, value in SERVICES.items()]
