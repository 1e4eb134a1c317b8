"""The contact centre: inbound WhatsApp webhooks per second, and the agent inbox with many messages.

    python -m benchmarks.contact                        # 10,000 and 1,000,000 messages
    python -m benchmarks.contact --sizes 2000 20000     # a quick check

In one process, through Django's test client (the full middleware stack, no network):

- *webhook*: signed WhatsApp webhook POSTs, each a new message id (verify the signature,
  dedupe, store, answer 200), half of them from residents with an open conversation; then
  the same bodies again (Meta's retries: verify, find the duplicate, answer 200). Given as
  requests per second and as a ratio to the trivial view (``/bench/trivial/``).
- *inbox*: the supervisor's "every queue" page and a conversation page, after filling the
  dedicated PostgreSQL database ``tramites_bench_contact`` (created and migrated when
  missing) with N messages in N/20 conversations; queries counted, time as a ratio to the
  trivial view.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import tempfile
import time
from pathlib import Path

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "tramites_bench_contact"
DEFAULT_SIZES = (10_000, 1_000_000)
WEBHOOK_REQUESTS = 2_000
APP_SECRET = secrets.token_hex(16)  # signs this run's webhook bodies
PER_CONVERSATION = 20
BATCH = 10_000


def configure() -> None:
    var_dir = tempfile.mkdtemp(prefix="bench-contact-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DATABASE_URL": f"{SERVER}/{DATABASE}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "VAR_DIR": var_dir,
            "MEDIA_ROOT": var_dir,
            "STATIC_MANIFEST": "0",
            "EMAIL_URL": "dummymail://",
            "LOG_LEVEL": "WARNING",
            "SECURE_SSL_REDIRECT": "0",
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "CONTACT_WHATSAPP_BACKEND": "demo",
        }
    )
    for name in ("AWS_STORAGE_BUCKET_NAME", "CELERY_BROKER_URL", "CACHE_URL"):
        os.environ.pop(name, None)


def ensure_database() -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            return
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))


def per_second(client, count: int, request) -> float:
    started = time.perf_counter()
    for i in range(count):
        response = request(client, i)
        assert response.status_code == 200, response.status_code
    return count / (time.perf_counter() - started)


def trivial_rate(client, count: int = 2_000) -> float:
    return per_second(client, count, lambda c, _i: c.get("/bench/trivial/"))


def webhook_bodies(count: int, run: str) -> list[tuple[bytes, str]]:
    from contact.whatsapp import sign

    bodies = []
    for i in range(count):
        sender = f"54911{(i % (count // 2)):08d}"  # two messages per sender
        payload = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "W",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "contacts": [{"profile": {"name": "Vecino"}, "wa_id": sender}],
                                "messages": [
                                    {
                                        "from": sender,
                                        "id": f"wamid.{run}.{i}",
                                        "timestamp": str(int(time.time())),
                                        "type": "text",
                                        "text": {"body": "Hola, consulta por mi trámite"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
        body = json.dumps(payload).encode()
        bodies.append((body, sign(body, APP_SECRET)))
    return bodies


def measure_webhook() -> dict[str, float]:
    from django.test import Client

    from contact.models import Team

    Team.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    client = Client()
    bodies = webhook_bodies(WEBHOOK_REQUESTS, secrets.token_hex(4))

    def post(c, i):
        body, signature = bodies[i]
        return c.post(
            "/contacto/webhooks/whatsapp/",
            data=body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=signature,
        )

    trivial = trivial_rate(client)
    new = per_second(client, len(bodies), post)
    again = per_second(client, len(bodies), post)
    return {"trivial": trivial, "new": new, "duplicate": again}


def fill(size: int) -> float:
    """N messages in N/20 conversations of 500 contacts, written in batches (not timed)."""
    from django.db import connection
    from django.utils import timezone

    from contact.models import Contact, Conversation, Message, Team

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE contact_message, contact_attachment, contact_conversation, "
            "contact_contact, contact_dailycontactfigures CASCADE"
        )
    team = Team.objects.get_or_create(code="bench", defaults={"name": "Bench"})[0]
    contacts = Contact.objects.bulk_create(
        [Contact(name=f"Vecino {i}", whatsapp_id=f"54911{i:08d}") for i in range(500)]
    )
    now = timezone.now()
    conversations = []
    for i in range(size // PER_CONVERSATION):
        conversations.append(
            Conversation(
                channel="whatsapp",
                contact=contacts[i % 500],
                team=team,
                subject=f"Consulta {i}",
                status=("open", "waiting", "resolved", "resolved")[i % 4],
                created_at=now,
                last_inbound_at=now,
                first_response_due=now,
            )
        )
        if len(conversations) == BATCH:
            Conversation.objects.bulk_create(conversations)
            conversations = []
    Conversation.objects.bulk_create(conversations)
    ids = list(Conversation.objects.values_list("pk", flat=True))
    messages = []
    for pk in ids:
        for j in range(PER_CONVERSATION):
            messages.append(
                Message(
                    conversation_id=pk,
                    direction="in" if j % 2 == 0 else "out",
                    body="Hola, consulta",
                    created_at=now,
                    delivery="sent",
                )
            )
            if len(messages) == BATCH:
                Message.objects.bulk_create(messages)
                messages = []
    Message.objects.bulk_create(messages)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contact_message; ANALYZE contact_conversation")
    return time.perf_counter() - started


def measure_pages(size: int) -> dict[str, float]:
    from allauth.mfa.models import Authenticator
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from contact.models import Conversation, Membership, Team

    fill_seconds = fill(size)
    supervisor, _ = User.objects.get_or_create(
        email="bench-supervisor@example.com", defaults={"role": User.Role.EMPLOYEE}
    )
    Authenticator.objects.get_or_create(
        user=supervisor, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "A" * 32}}
    )
    Membership.objects.get_or_create(
        team=Team.objects.get(code="bench"), user=supervisor, defaults={"supervisor": True}
    )
    client = Client()
    client.force_login(supervisor)
    session = client.session
    session["account_authentication_methods_user"] = str(supervisor.pk)
    session["account_authentication_methods"] = [{"method": "mfa", "at": time.time()}]
    session.save()
    conversation = Conversation.objects.order_by("-pk").first()
    result = {"fill": fill_seconds}
    trivial = statistics.median(_timed(client, "/bench/trivial/") for _ in range(50))
    for name, url in (
        ("inbox", "/gestion/contacto/bandeja/all/"),
        ("conversation", f"/gestion/contacto/{conversation.pk}/"),
    ):
        with CaptureQueriesContext(connection) as queries:
            _timed(client, url)
        result[f"{name}_queries"] = len(queries)
        result[f"{name}_ratio"] = (
            statistics.median(_timed(client, url) for _ in range(20)) / trivial
        )
    return result


def _timed(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    configure()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    webhook = measure_webhook()
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}.",
        "",
        "| webhook requests | req/s | ratio to trivial |",
        "| --- | ---: | ---: |",
        f"| trivial view | {webhook['trivial']:,.0f} | 1.00 |",
        f"| new message (verify, dedupe, store, 200) | {webhook['new']:,.0f} | "
        f"{webhook['new'] / webhook['trivial']:.2f} |",
        f"| the same again (retry: verify, duplicate, 200) | {webhook['duplicate']:,.0f} | "
        f"{webhook['duplicate'] / webhook['trivial']:.2f} |",
        "",
        "| messages | fill (s) | inbox queries | inbox / trivial | conversation queries "
        "| conversation / trivial |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in args.sizes:
        pages = measure_pages(size)
        lines.append(
            f"| {size:,} | {pages['fill']:.0f} | {pages['inbox_queries']:.0f} | "
            f"{pages['inbox_ratio']:.1f} | {pages['conversation_queries']:.0f} | "
            f"{pages['conversation_ratio']:.1f} |"
        )
    report = "\n".join(lines)
    print(report)
    if args.output:
        args.output.write_text(report + "\n")


if __name__ == "__main__":
    main()
