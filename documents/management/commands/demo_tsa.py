"""`manage.py demo_tsa`: serve the demo PKI's timestamp authority (for `make run`)."""

import contextlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents import demo
from documents.signing.timestamping import TsaServer, load_tsa_stamper


class Command(BaseCommand):
    help = "Serve the demo RFC 3161 timestamp authority on 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8318)

    def handle(self, *args, port: int, **options):
        if not settings.DEBUG:
            raise CommandError("demo_tsa serves demo keys: run it with DEBUG=1 only.")
        pki = demo.ensure_demo_pki()
        server = TsaServer(load_tsa_stamper(pki.tsa.pkcs12, pki.password), "127.0.0.1", port)
        self.stdout.write(f"Demo TSA listening on {server.url}")
        self.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
