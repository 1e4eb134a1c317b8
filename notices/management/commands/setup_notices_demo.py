"""Demo areas, a service notice and an Open311 key for the embedded portal (DEBUG only).
Safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Department, User
from core.offices import directory
from notices import services
from notices.models import Area, Notice

DEMO_NOTICE = "Corte de agua programado en el Centro"


class Command(BaseCommand):
    help = "Create demo areas and a service notice (DEBUG only). Safe to run twice."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is only created when DEBUG is on.")
        for office in directory().offices:
            if office.neighbourhood:
                Area.objects.get_or_create(
                    code=slugify(office.neighbourhood), defaults={"name": office.neighbourhood}
                )
        officer = User.objects.filter(email="mesa@demo.municipio.ar").first()
        department = Department.objects.filter(code="mesa-de-entradas").first()
        if officer and department and not Notice.objects.filter(title=DEMO_NOTICE).exists():
            with transaction.atomic():
                services.publish(
                    actor=officer,
                    department=department,
                    service=Notice.Service.WATER,
                    title=DEMO_NOTICE,
                    description="Reemplazamos un caño maestro en Av. San Martín.",
                    what_to_do="Juntá agua para el día y mantené las canillas cerradas.",
                    starts_at=timezone.now(),
                    ends_at=timezone.now() + timedelta(days=1),
                    areas=Area.objects.filter(code="centro"),
                )
        self.stdout.write(self.style.SUCCESS(f"Notices demo: {Area.objects.count()} areas."))
