"""``manage.py ivr check`` validates the phone menu file; ``ivr walk`` prints every path."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ivr.menu import MENU_FILE, MenuInvalid, load_menu, walk
from ivr.services import known_names


class Command(BaseCommand):
    help = "Check the phone menu file, or print every path through it."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "walk"])
        parser.add_argument("--file", default=str(MENU_FILE), help="menu file (default: ours)")

    def handle(self, *args, action: str, file: str, **options):
        from pathlib import Path

        try:
            menu = load_menu(Path(file), known_names())
        except MenuInvalid as invalid:
            for error in invalid.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(invalid.errors)} error(s) in the phone menu") from None
        paths = walk(menu)
        if action == "check":
            self.stdout.write(f"Phone menu OK: {len(menu.nodes)} nodes, {len(paths)} paths.")
            return
        for keys, leaf in paths:
            node = menu.nodes[leaf]
            self.stdout.write(f"{' '.join(keys) or '-':<8} {leaf} ({node.kind})")
        self.stdout.write(f"{len(paths)} paths.")
