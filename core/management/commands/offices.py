from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.offices import OFFICES_FILE, OfficesFileError, read_directory


class Command(BaseCommand):
    help = "The offices file: `check` validates it (file, key and reason per problem)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        check = commands.add_parser("check", help="Validate the offices file; exit 1 on errors.")
        check.add_argument("--file", type=Path, default=OFFICES_FILE, dest="path")

    def handle(self, *args, action, path: Path, **options):
        try:
            directory = read_directory(path)
        except OfficesFileError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(f"{len(exc.problems)} problem(s) in {path.name}.") from None
        self.stdout.write(
            self.style.SUCCESS(f"{path.name} is valid: {len(directory.offices)} offices.")
        )
