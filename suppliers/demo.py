"""Demo data for the embedded portal (`make run`): a verified supplier for
proveedor@demo.municipio.ar, purchasing and treasury departments (with a third treasury
employee, tesoreria@, who makes payment batches), and two orders.

The EUR order is the one the public sample invoices EN16931_1_Teilrechnung and
EN16931_2_Teilrechnung bill, so those Factur-X files can be uploaded as they are.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from accounts.services import ensure_department, make_employee
from core.identifiers import make_cbu, make_cuit

from .models import (
    BankAccount,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierMember,
    SupplierTaxId,
)
from .services import purchasing

DEMO_SUPPLIER_EMAIL = "proveedor@demo.municipio.ar"
# The smallest PDF libmagic recognises, standing in for the bank's certificate.
PLACEHOLDER_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _permissions(*codenames: str):
    return Permission.objects.filter(content_type__app_label="suppliers", codename__in=codenames)


TREASURY_CLERK_EMAIL = "tesoreria@demo.municipio.ar"


def _treasury_clerk(treasury) -> User:
    """A third treasury employee: with separation of duties, who makes a payment batch
    does not approve it, so a batch needs its maker (this one) and two approvers (rentas@
    and admin@) before the demo exports its pain.001."""
    user, created = User.objects.get_or_create(
        email=TREASURY_CLERK_EMAIL, defaults={"full_name": "Tomás Tesorería"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        make_employee(user=user, departments=[treasury], actor=None)
    return user


def load_supplier_demo() -> Supplier | None:
    """Idempotent; returns None when the demo accounts (setup_demo) are missing."""
    user = User.objects.filter(email=DEMO_SUPPLIER_EMAIL).first()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if user is None or admin is None:
        return None
    with transaction.atomic():
        buying = ensure_department(
            code="compras", name="Dirección de Compras", permissions=_permissions("purchasing")
        )
        treasury = ensure_department(
            code="tesoreria",
            name="Tesorería",
            permissions=_permissions("accounts_payable", "approve_payment_batches"),
        )
        for email, department in (
            ("mesa@demo.municipio.ar", buying),
            ("rentas@demo.municipio.ar", treasury),
        ):
            employee = User.objects.filter(email=email).first()
            if employee:
                employee.groups.add(department.group)
        _treasury_clerk(treasury)
        supplier, _created = Supplier.objects.get_or_create(
            cuit=make_cuit("30", "71234567"),
            defaults={
                "legal_name": "Lieferant GmbH (demo)",
                "tax_condition": Supplier.TaxCondition.FOREIGN,
                "email": DEMO_SUPPLIER_EMAIL,
                "status": Supplier.Status.ACTIVE,
                "afip_register": Supplier.RegisterCheck.NOT_APPLICABLE,
            },
        )
        for scheme, value in (
            (SupplierTaxId.Scheme.CUIT, supplier.cuit),
            (SupplierTaxId.Scheme.VAT, "DE123456789"),
            (SupplierTaxId.Scheme.OTHER, "201/113/40209"),
        ):
            SupplierTaxId.objects.get_or_create(
                scheme=scheme, value=value, defaults={"supplier": supplier}
            )
        SupplierMember.objects.get_or_create(
            user=user, defaults={"supplier": supplier, "is_admin": True}
        )
        if not supplier.bank_accounts.exists():
            account = BankAccount(
                supplier=supplier,
                cbu=make_cbu("0110599", "0000012345678"),
                holder_name=supplier.legal_name,
                bank_name="Banco de la Nación Argentina",
                status=BankAccount.Status.ACTIVE,
                token=secrets.token_hex(16),
                document_name="certificado-cbu.pdf",
                document_type="application/pdf",
                requested_by=user,
                decided_by=admin,
                decided_at=timezone.now(),
            )
            account.document.save(account.token, ContentFile(PLACEHOLDER_PDF), save=False)
            account.save()
    orders = (
        (
            "2018-471331",
            "EUR",
            [
                ("KR3M", "Kunstrasen grün 3m breit", "3", "3.3333", "19", "MTK"),
                ("SFK5", "Schweinesteak", "5", "5.50", "7", "KGM"),
                ("GTRWA5", "Mineralwasser Medium 12 x 1,0l PET", "20", "5.49", "7", "H87"),
                ("PFA5", "Pfand", "20", "2.77", "19", "C62"),
            ],
        ),
        (
            "",
            "ARS",
            [
                ("RES-A4", "Resmas de papel A4", "100", "5000", "21", "C62"),
                ("TONER", "Tóner para impresora", "4", "80000", "21", "C62"),
            ],
        ),
    )
    for number, currency, lines in orders:
        if PurchaseOrder.objects.filter(supplier=supplier, currency=currency).exists():
            continue
        order = purchasing.create_order(
            data=purchasing.OrderData(
                supplier=supplier,
                department=buying,
                issue_date=date(2018, 6, 1) if currency == "EUR" else timezone.localdate(),
                currency=currency,
                number=number,
                description="Demo",
                lines=[
                    purchasing.LineData(
                        item_code=code,
                        description=description,
                        quantity=Decimal(quantity),
                        unit_price=Decimal(price),
                        tax_rate=Decimal(rate),
                        unit=unit,
                        kind=PurchaseOrderLine.Kind.GOODS,
                    )
                    for code, description, quantity, price, rate, unit in lines
                ],
            ),
            actor=admin,
        )
        purchasing.record_receptions(
            order=order,
            quantities={line.pk: line.quantity for line in order.lines.all()},
            received_on=timezone.localdate(),
            note="Demo",
            actor=admin,
        )
    return supplier
