"""Demo accounts for the embedded portal (`make run`). Never for production data."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from core.identifiers import make_cuit

from . import services
from .models import User

# A demo password, printed by `make run`; setup_demo refuses to run unless DEBUG is on.
DEMO_PASSWORD = "demo-tramites-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: str
    departments: tuple[tuple[str, str], ...] = ()
    superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("vecina@demo.municipio.ar", "Ana María Vecina", User.Role.RESIDENT),
    DemoAccount(
        "mesa@demo.municipio.ar",
        "Carlos Mesa",
        User.Role.EMPLOYEE,
        (("mesa-de-entradas", "Mesa de Entradas"),),
    ),
    DemoAccount(
        "rentas@demo.municipio.ar",
        "Lucía Rentas",
        User.Role.EMPLOYEE,
        (("rentas", "Dirección de Rentas"),),
    ),
    DemoAccount("proveedor@demo.municipio.ar", "Pedro Proveedor", User.Role.SUPPLIER),
    DemoAccount(
        "admin@demo.municipio.ar", "Administración Demo", User.Role.EMPLOYEE, superuser=True
    ),
)


def load_demo_accounts() -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; existing ones are left as they are."""
    for index, account in enumerate(DEMO_ACCOUNTS, start=1):
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                email=account.email,
                defaults={
                    "full_name": account.full_name,
                    "role": account.role,
                    "is_superuser": account.superuser,
                    "is_staff": account.superuser,
                },
            )
            if not created:
                continue
            user.set_password(DEMO_PASSWORD)
            if account.role == User.Role.RESIDENT:
                dni = f"{30_000_000 + index}"
                user.document_type = User.DocumentType.CUIT
                user.document_number = make_cuit("27", dni)
                user.address = "Av. San Martín 1234"
                user.city = "Villa Demo"
                user.postal_code = "5000"
                user.phone = "+54 351 555-0101"
            user.save()
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            departments = [
                services.ensure_department(code=code, name=name)
                for code, name in account.departments
            ]
            if account.role == User.Role.EMPLOYEE:
                services.make_employee(user=user, departments=departments, actor=None)
    return list(DEMO_ACCOUNTS)
