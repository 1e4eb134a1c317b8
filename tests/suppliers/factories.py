"""Suppliers, orders, employees and invoices for the supplier portal tests."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Department, User
from core.identifiers import make_cbu, make_cuit
from core.models import OutboxItem
from suppliers.einvoice import ParsedInvoice
from suppliers.models import BankAccount, MatchingTolerance, PurchaseOrderLine, Supplier
from suppliers.services import afip_register, organisations, purchasing
from suppliers.services.intake import IncomingFile

PASSWORD = "una-clave-larga-123"
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "einvoices"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(name: str = "factura.pdf", content: bytes = PDF_BYTES) -> IncomingFile:
    return IncomingFile(name, content, "application/pdf")


def xml(name: str, content: bytes) -> IncomingFile:
    return IncomingFile(name, content, "text/xml")


def verified_user(email: str, **fields) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, full_name=email, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def department(code: str = "compras", *permissions: str) -> Department:
    found = Permission.objects.filter(content_type__app_label="suppliers", codename__in=permissions)
    return account_services.ensure_department(code=code, name=code.title(), permissions=found)


def employee(email: str, *permissions: str, code: str | None = None) -> User:
    """An employee with TOTP, in a department whose group has the given permissions."""
    user = verified_user(email)
    dept = department(code or f"dept-{'-'.join(sorted(permissions)) or 'none'}", *permissions)
    account_services.make_employee(user=user, departments=[dept], actor=None)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "A" * 32})
    return User.objects.get(pk=user.pk)


def supplier(
    cuit_dni: str = "71234567",
    *,
    email: str | None = None,
    name: str = "Lieferant GmbH",
    foreign_ids: tuple[str, ...] = (),
    bank: bool = True,
) -> tuple[Supplier, User]:
    """An active supplier with its admin user and (by default) an approved bank account."""
    user = verified_user(email or f"proveedor{cuit_dni}@example.com")
    found = organisations.register_supplier(
        user=user,
        data=organisations.SupplierData(
            cuit=make_cuit("30", cuit_dni),
            legal_name=name,
            tax_condition=Supplier.TaxCondition.REGISTERED,
            email=user.email,
            foreign_tax_ids=foreign_ids,
        ),
    )
    # Verified: AFIP's register found it active just now, and an employee activated it.
    Supplier.objects.filter(pk=found.pk).update(
        status=Supplier.Status.ACTIVE,
        afip_register=Supplier.RegisterCheck.ACTIVE,
        afip_register_checked_at=timezone.now(),
        afip_tax_condition=Supplier.TaxCondition.REGISTERED,
    )
    # That lookup is the one registration queued: it is done.
    OutboxItem.objects.filter(kind=afip_register.KIND, subject_id=str(found.pk)).update(
        done_at=timezone.now()
    )
    found.refresh_from_db()
    if bank:
        account = BankAccount(
            supplier=found,
            cbu=make_cbu("0170001", cuit_dni.rjust(13, "0")),
            holder_name=name,
            status=BankAccount.Status.ACTIVE,
            token=secrets.token_hex(16),
            document_name="cbu.pdf",
            document_type="application/pdf",
            requested_by=user,
        )
        account.document.save(account.token, ContentFile(PDF_BYTES), save=False)
        account.save()
    return found, User.objects.get(pk=user.pk)


def tolerance(price=Decimal(0), quantity=Decimal(0), total=Decimal(0)) -> MatchingTolerance:
    row, _ = MatchingTolerance.objects.update_or_create(
        supplier=None,
        defaults={"price_percent": price, "quantity_percent": quantity, "total_percent": total},
    )
    return row


def order(
    supplier: Supplier,
    buyer: User,
    lines: list[purchasing.LineData],
    *,
    number: str = "",
    currency: str = "ARS",
    dept: Department | None = None,
):
    return purchasing.create_order(
        data=purchasing.OrderData(
            supplier=supplier,
            department=dept or buyer.groups.first().department,
            issue_date=date(2025, 1, 10),
            lines=lines,
            currency=currency,
            number=number,
        ),
        actor=buyer,
    )


def order_for(parsed: ParsedInvoice, supplier: Supplier, buyer: User, *, receive: bool = True):
    """A purchase order with one line per invoice line, as ordered, fully received."""
    lines = [
        purchasing.LineData(
            description=line.description,
            quantity=max(abs(line.quantity), Decimal(1)),
            unit_price=line.unit_price.quantize(Decimal("0.0001")),
            tax_rate=line.tax_rate or Decimal(0),
            unit=line.unit_code or "C62",
            item_code=line.seller_item_id or "",
        )
        for line in parsed.lines
    ]
    po = order(supplier, buyer, lines, number=parsed.po_reference or "", currency=parsed.currency)
    if receive:
        purchasing.record_receptions(
            order=po,
            quantities={line.pk: line.quantity for line in po.lines.all()},
            received_on=date(2025, 1, 20),
            note="",
            actor=buyer,
        )
    return po


def line(description: str, quantity, price, *, kind=PurchaseOrderLine.Kind.GOODS, code="", rate=21):
    return purchasing.LineData(
        description=description,
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        tax_rate=Decimal(rate),
        kind=kind,
        item_code=code,
    )


def batch_creator() -> User:
    """The accounts payable employee who puts orders in batches (others approve them)."""
    found = User.objects.filter(email="lotes@example.com").first()
    return found or employee("lotes@example.com", "accounts_payable", code="lotes")


def voucher_pdf(qr_url: str | None, *, qr_size_cm: float = 3) -> IncomingFile:
    """A printed Argentine voucher as AFIP's systems lay it out: text, and the QR of
    ``qr_url`` at the bottom (RG 4291); ``None`` prints none."""
    import base64
    import io

    import qrcode
    from weasyprint import HTML

    qr_image = ""
    if qr_url is not None:
        png = io.BytesIO()
        qrcode.make(qr_url, border=4).save(png)
        qr_image = (
            f'<img style="width:{qr_size_cm}cm" alt="QR" '
            f'src="data:image/png;base64,{base64.b64encode(png.getvalue()).decode()}">'
        )
    html = (
        "<html><body style='font-family:sans-serif'><h1>FACTURA B</h1>"
        "<p>Punto de venta 00003 · Comp. Nro 00001234 · CAE 75123456789012</p>"
        "<table><tr><td>Resmas A4</td><td>50</td></tr><tr><td>Toner</td><td>2</td></tr></table>"
        f"<div style='position:absolute;bottom:1cm;left:1cm'>{qr_image}</div></body></html>"
    )
    return IncomingFile("factura.pdf", HTML(string=html).write_pdf(), "application/pdf")
