"""Demo rate bills for the demo resident (``make run``); idempotent."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import User
from rates import services


class Command(BaseCommand):
    help = "Import a few rate bills owed by the demo resident (vecina@demo.municipio.ar)."

    def handle(self, *args, **options):
        resident = User.objects.filter(email="vecina@demo.municipio.ar").first()
        if resident is None or not resident.document_number:
            self.stderr.write("Run setup_demo first.")
            return
        due = timezone.localdate() + timedelta(days=15)
        rows = [
            "tipo;cuenta;periodo;documento;titular;importe;vencimiento",
            f"inmueble;12-345-6;cuota 11/{due.year};{resident.document_number};{resident.full_name};"
            f"18.450,00;{due:%d/%m/%Y}",
            f"automotor;AB123CD;{due:%Y-%m};{resident.document_number};{resident.full_name};"
            f"9.800,50;{due:%d/%m/%Y}",
        ]
        report = services.import_bills(content="\n".join(rows).encode(), actor=None)
        self.stdout.write(f"Rate bills: {report.created} new, {report.unchanged} already there.")
