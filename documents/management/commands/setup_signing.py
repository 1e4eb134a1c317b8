"""`manage.py setup_signing`: the demo PKI for the embedded portal (`make run`), created once.

It also gives every demo official a personal key file unlocked by DEMO_PIN, so
they can sign resolutions. Production keys are never made here.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Department, User
from documents import demo, keys
from documents.models import OfficialSigningKey

DEMO_PIN = "123456"


class Command(BaseCommand):
    help = "Create the demo PKI (seal, officials, TSA, trust roots) under SIGNING_DEMO_DIR."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("setup_signing makes demo keys: run it with DEBUG=1 only.")
        pki = demo.ensure_demo_pki()
        self.stdout.write(f"Demo PKI (root, intermediate, seal, TSA) in {pki.directory}")
        self.stdout.write(f"Trust roots and CRLs for verification in {demo.trust_dir()}")
        if settings.SIGNING_OFFICIAL_BACKEND == "pkcs12-pin":
            officials = User.objects.filter(role=User.Role.EMPLOYEE, is_active=True).exclude(
                pk__in=OfficialSigningKey.objects.values("user")
            )
            for official in officials:
                department = Department.objects.filter(group__user=official).first()
                role = (
                    f"Responsable de {department.name}" if department else "Funcionario municipal"
                )
                demo.enroll_demo_official(official, role=role, pin=DEMO_PIN)
                self.stdout.write(f"Signing key for {official.email} in {demo.officials_dir()}")
            self.stdout.write(f"Officials sign resolutions with the PIN {DEMO_PIN}.")
        if settings.SIGNING_TSA_URL:
            self.stdout.write(f"Timestamp authority: {settings.SIGNING_TSA_URL}")
        else:
            self.stdout.write("No SIGNING_TSA_URL: documents are signed without a timestamp (B-B).")
        if keys.uses_demo_pki():
            self.stdout.write("These keys are for development only.")
