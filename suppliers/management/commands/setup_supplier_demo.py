from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from suppliers.demo import DEMO_SUPPLIER_EMAIL, load_supplier_demo


class Command(BaseCommand):
    help = "Create the supplier portal's demo data (DEBUG only). Safe to run twice."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is only created when DEBUG is on.")
        supplier = load_supplier_demo()
        if supplier is None:
            raise CommandError("Run `manage.py setup_demo` first: the demo accounts are missing.")
        self.stdout.write(
            self.style.SUCCESS(f"Supplier demo: {supplier} for {DEMO_SUPPLIER_EMAIL}")
        )
        self.stdout.write(
            "  Purchasing: mesa@demo.municipio.ar; accounts payable: rentas@ and admin@ approve "
            "batches that tesoreria@demo.municipio.ar makes."
        )
