"""`manage.py invoice inspect FILE`: read an invoice as the portal would, print it as JSON.

A UBL or CII XML, a Factur-X / ZUGFeRD PDF, or a text file with an AFIP QR link. A
refused file prints the reason on stderr and exits with status 1.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from suppliers.einvoice import InvoiceRejected, parse_invoice_file


class Command(BaseCommand):
    help = "Inspect a supplier invoice file (XML, PDF or AFIP QR link) as the portal reads it."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        inspect = commands.add_parser("inspect", help="Print the parsed invoice as JSON.")
        inspect.add_argument("file", type=Path)

    def handle(self, *args, action, file: Path, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        try:
            invoice = parse_invoice_file(data, filename=file.name)
        except InvoiceRejected as rejected:
            raise CommandError(f"rejected ({rejected.code}): {rejected.detail}") from rejected
        self.stdout.write(json.dumps(invoice.to_json_dict(), indent=2, ensure_ascii=False))
