from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, load_demo_accounts


class Command(BaseCommand):
    help = "Create the demo accounts of the embedded portal (DEBUG only). Safe to run twice."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo accounts are only created when DEBUG is on.")
        accounts = load_demo_accounts()
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
        for account in accounts:
            self.stdout.write(f"  {account.role:<9} {account.email}")
        self.stdout.write(
            "Employees are asked to set up an authenticator app (TOTP) at their first login."
        )
