"""Import the province's gross-income withholding list (e.g. ARBA PadronRGSRet<MMYYYY>.txt)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from payables.services.withholding import import_provincial_padron


class Command(BaseCommand):
    help = "Import the province's gross-income withholding list (padrón), all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the unzipped text file as the province publishes it")
        parser.add_argument("--by", required=True, help="e-mail of the employee importing it")

    def handle(self, *args, path: str, by: str, **options):
        actor = User.objects.filter(email=by).first()
        if actor is None:
            raise CommandError(f"No user has the e-mail {by}.")
        with open(path, "rb") as handle:
            report = import_provincial_padron(content=handle.read(), actor=actor)
        for row, message in report.errors:
            self.stderr.write(f"line {row}: {message}")
        if report.errors:
            raise CommandError("Nothing imported.")
        self.stdout.write(f"{report.imported} rates imported.")
