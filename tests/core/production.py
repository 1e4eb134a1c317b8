"""Running the portal as production does: the environment of `.env.example`, static files
collected with the manifest storage, gunicorn behind a TLS proxy."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HOST = "tramites.municipio.gob.ar"
# What the TLS proxy in front of gunicorn adds to every request.
PROXY_HEADERS = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}

PRODUCTION_ENV = {
    "SECRET_KEY": "k" * 20 + "-Zq9!rT7#pL2@vX5$wN8%mB3^cF6&hJ1*dG4",
    "ALLOWED_HOSTS": HOST,
    "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
    "SITE_URL": f"https://{HOST}",
    "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "CACHE_URL": "redis://redis.internal:6379/1",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.internal:587",
    "AWS_STORAGE_BUCKET_NAME": "tramites-private",
    "TRUSTED_PROXY_COUNT": "1",
    "SIGNING_SEAL_BACKEND": "pkcs11",
    "SIGNING_OFFICIAL_BACKEND": "pkcs11",
    "SIGNING_PKCS11_MODULE": "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "SIGNING_SEAL_PKCS11_TOKEN": "municipalidad",
    "SIGNING_SEAL_PKCS11_KEY": "sello",
    "SIGNING_SEAL_PKCS11_PIN": "seal-pin",
    "SIGNING_CA_CHAIN": "/etc/tramites/signing/chain.pem",
    "SIGNING_TRUST_ROOTS_DIR": "/etc/tramites/signing/trust",
    "PAYABLES_DEBTOR_CBU": "2850590940090418135201",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "WHATSAPP_ACCESS_TOKEN": "EAAG-production-token",
    "WHATSAPP_APP_SECRET": "whatsapp-app-secret",
    "WHATSAPP_VERIFY_TOKEN": "whatsapp-verify-token",
    "ANYMAIL_WEBHOOK_SECRET": "postmark:inbound-secret",
    "MERCADOPAGO_ACCESS_TOKEN": "APP_USR-0000000000000000-000000-production",
    "MERCADOPAGO_WEBHOOK_SECRET": "production-webhook-secret",
    "AFIP_CERT_PATH": "/etc/tramites/afip/portal.crt",
    "AFIP_KEY_PATH": "/etc/tramites/afip/portal.key",
}
SIGNING_SETTINGS = tuple(name for name in PRODUCTION_ENV if name.startswith("SIGNING_"))
# Settings the test environment adds for itself, which production never has.
TEST_ONLY = (
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "STATIC_MANIFEST",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SIGNING_DEMO_PKI",
)


def production_env(**overrides: str) -> dict[str, str]:
    """The test process's environment (paths, services) with production's settings on top."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if name not in TEST_ONLY and name not in PRODUCTION_ENV
    }
    return {**kept, **PRODUCTION_ENV, **overrides}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """`gunicorn config.wsgi` as the README starts it; its base URL once it answers."""
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                f"--bind=127.0.0.1:{port}",
                "--workers=1",
                "--access-logfile=-",
            ],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}") from None
            time.sleep(0.2)
    return process, f"http://127.0.0.1:{port}"
