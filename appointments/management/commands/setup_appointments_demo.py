from django.core.management.base import BaseCommand

from appointments import demo


class Command(BaseCommand):
    help = "Create the demo counter services and desks (idempotent)."

    def handle(self, *args, **options):
        demo.set_up()
        self.stdout.write("Appointments: demo services and desks ready.")
