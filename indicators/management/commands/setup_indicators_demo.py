from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand

from accounts.models import User
from indicators.services import aggregates

# The demo's Rentas employee heads that department; the administrator sees the whole city.
DEPARTMENT_HEAD = "rentas@demo.municipio.ar"


class Command(BaseCommand):
    help = "Demo: the Rentas employee sees Rentas's indicators; the figures are brought up to date."

    def handle(self, *args, **options):
        head = User.objects.filter(email=DEPARTMENT_HEAD).first()
        if head is not None:
            head.user_permissions.add(
                Permission.objects.get(
                    content_type__app_label="indicators", codename="view_department_indicators"
                )
            )
        days = aggregates.refresh()
        self.stdout.write(f"Indicators: {len(days)} day(s) of figures up to date.")
