"""Write the month's withholdings in the tax office's import formats (SICORE and SIRE)."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from payables.services.withholding import SIRE_FORMS, sicore_file, sire_file


class Command(BaseCommand):
    help = (
        "Write sicore-YYYY-MM.txt, sire-f2004-YYYY-MM.txt and sire-f2005-YYYY-MM.txt with the "
        "month's paid withholdings."
    )

    def add_arguments(self, parser):
        parser.add_argument("month", help="the month, as YYYY-MM")
        parser.add_argument("--dir", default=".", help="where to write the files")

    def handle(self, *args, month: str, dir: str, **options):
        try:
            year, number = (int(part) for part in month.split("-"))
            first = date(year, number, 1)
        except ValueError:
            raise CommandError(
                f"Write the month as YYYY-MM, e.g. 2026-03 (got {month!r})."
            ) from None
        folder = Path(dir)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        files = [("sicore", sicore_file(first))] + [
            (f"sire-f{form}", sire_file(first, form)) for form in sorted(SIRE_FORMS)
        ]
        for name, content in files:
            path = folder / f"{name}-{first:%Y-%m}.txt"
            path.write_bytes(content)
            lines = content.count(b"\r\n")
            self.stdout.write(f"{path}: {lines} withholding{'s' if lines != 1 else ''}")
