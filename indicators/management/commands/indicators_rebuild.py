from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators.services import aggregates


class Command(BaseCommand):
    help = (
        "Recompute the daily indicator figures of a date range, then the monthly figures of "
        "the months it touches (safe while the periodic task runs: each day and each month "
        "is rewritten whole, one run at a time)."
    )

    def add_arguments(self, parser):
        parser.add_argument("first", help="first day, YYYY-MM-DD")
        parser.add_argument("last", nargs="?", help="last day, YYYY-MM-DD (default: first)")

    def handle(self, *args, first: str, last: str | None, **options):
        try:
            start = date.fromisoformat(first)
            end = date.fromisoformat(last) if last else start
        except ValueError as exc:
            raise CommandError(f"not a date (YYYY-MM-DD): {exc}") from None
        if end < start:
            raise CommandError("the last day is before the first one")
        if end > timezone.localdate():
            raise CommandError("the range reaches into the future")
        days = aggregates.rebuild(start, end)
        self.stdout.write(f"{days} day(s) recomputed, {start} to {end}, and their months.")
