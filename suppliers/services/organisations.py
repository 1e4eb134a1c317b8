"""Supplier organisations: registration, verification, users and invitations, bank accounts."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import audit, storage
from core.errors import ActionRefused
from core.identifiers import InvalidIdentifier, normalize_cbu, normalize_cuit

from ..models import (
    BankAccount,
    Invoice,
    Supplier,
    SupplierInvitation,
    SupplierMember,
    SupplierTaxId,
)
from ..selectors import is_accounts_payable
from . import afip_register

_TAX_ID_NOISE = re.compile(r"[\s.]")
_CUIT_SHAPE = re.compile(r"[0-9]{2}-?[0-9]{8}-?[0-9]")


def normalize_tax_id(value: str) -> str:
    """How tax ids are compared: upper case without spaces or dots; a CUIT without dashes."""
    text = _TAX_ID_NOISE.sub("", value.upper())
    return text.replace("-", "") if _CUIT_SHAPE.fullmatch(text) else text


@dataclass(frozen=True)
class SupplierData:
    cuit: str
    legal_name: str
    tax_condition: str
    email: str
    phone: str = ""
    address: str = ""
    foreign_tax_ids: tuple[str, ...] = ()


def _add_tax_ids(supplier: Supplier, cuit: str, foreign: tuple[str, ...]) -> None:
    values = [(SupplierTaxId.Scheme.CUIT, cuit)] + [
        (SupplierTaxId.Scheme.VAT if re.match(r"^[A-Z]{2}", v) else SupplierTaxId.Scheme.OTHER, v)
        for v in dict.fromkeys(normalize_tax_id(value) for value in foreign if value.strip())
    ]
    taken = SupplierTaxId.objects.filter(value__in=[value for _scheme, value in values]).exclude(
        supplier=supplier
    )
    if taken.exists():
        raise ActionRefused(
            _("The tax id %(value)s belongs to another supplier.") % {"value": taken.first().value}
        )
    for scheme, value in values:
        SupplierTaxId.objects.get_or_create(supplier=supplier, scheme=scheme, value=value)


def register_supplier(*, user: User, data: SupplierData) -> Supplier:
    """A user registers their organisation and becomes its first (admin) user.

    The organisation waits for an employee to verify it before orders can be issued.
    """
    try:
        cuit = normalize_cuit(data.cuit)
    except InvalidIdentifier as exc:
        raise ActionRefused(str(exc)) from exc
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_employee or user.is_superuser:
            raise ActionRefused(_("Municipal staff cannot register a supplier."))
        if SupplierMember.objects.filter(user=user).exists():
            raise ActionRefused(_("You already act for a supplier."))
        if user.is_resident and user.cases.exists():
            raise ActionRefused(
                _(
                    "This account has procedures as a resident. Create a separate account "
                    "with your work e-mail to register a supplier."
                )
            )
        if Supplier.objects.filter(cuit=cuit).exists():
            raise ActionRefused(
                _(
                    "A supplier with CUIT %(cuit)s is already registered: ask its users for an "
                    "invitation."
                )
                % {"cuit": cuit}
            )
        supplier = Supplier.objects.create(
            cuit=cuit,
            legal_name=data.legal_name.strip(),
            tax_condition=data.tax_condition,
            email=data.email,
            phone=data.phone,
            address=data.address,
            afip_register=Supplier.RegisterCheck.PENDING
            if data.tax_condition != Supplier.TaxCondition.FOREIGN
            else Supplier.RegisterCheck.NOT_APPLICABLE,
        )
        afip_register.request_lookup(supplier)
        _add_tax_ids(supplier, cuit, data.foreign_tax_ids)
        SupplierMember.objects.create(supplier=supplier, user=user, is_admin=True)
        before_role = user.role
        user.role = User.Role.SUPPLIER
        user.save(update_fields=["role"])
        audit.record(
            actor=user,
            action="supplier.registered",
            obj=supplier,
            after={"cuit": cuit, "legal_name": supplier.legal_name, "user": user.email},
        )
        if before_role != user.role:
            audit.record(
                actor=user,
                action="user.role_changed",
                obj=user,
                before={"role": before_role},
                after={"role": user.role},
            )
    return supplier


def set_supplier_status(*, supplier: Supplier, status: str, actor: User) -> Supplier:
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        if supplier.status == status:
            raise ActionRefused(_("The supplier already has that status."))
        if (
            status == Supplier.Status.ACTIVE
            and afip_register.applies_to(supplier)
            and supplier.afip_register != Supplier.RegisterCheck.ACTIVE
        ):
            raise ActionRefused(
                _(
                    "AFIP's taxpayer register has not confirmed this supplier "
                    "(%(state)s): it can be activated once it has."
                )
                % {"state": supplier.get_afip_register_display()}
            )
        before = Supplier.STATES.move(supplier, status)
        supplier.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="supplier.status_changed",
            obj=supplier,
            before={"status": before},
            after={"status": status},
        )
    return supplier


def update_tax_ids(*, supplier: Supplier, foreign_tax_ids: tuple[str, ...], actor: User) -> None:
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        before = sorted(supplier.tax_ids.values_list("value", flat=True))
        supplier.tax_ids.exclude(scheme=SupplierTaxId.Scheme.CUIT).delete()
        _add_tax_ids(supplier, supplier.cuit, foreign_tax_ids)
        after = sorted(supplier.tax_ids.values_list("value", flat=True))
        audit.record(
            actor=actor,
            action="supplier.tax_ids_changed",
            obj=supplier,
            before={"tax_ids": before},
            after={"tax_ids": after},
        )


# --- users and invitations -------------------------------------------------------------


def invite(*, supplier: Supplier, email: str, actor: User) -> SupplierInvitation:
    email = email.strip().lower()
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        if not SupplierMember.objects.filter(supplier=supplier, user=actor, is_admin=True).exists():
            raise ActionRefused(_("Only the organisation's administrators can invite."))
        if SupplierMember.objects.filter(supplier=supplier, user__email=email).exists():
            raise ActionRefused(
                _("%(email)s already acts for your organisation.") % {"email": email}
            )
        invitation = SupplierInvitation.objects.create(
            supplier=supplier,
            email=email,
            token=secrets.token_urlsafe(32),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.SUPPLIER_INVITATION_DAYS),
        )
        audit.record(
            actor=actor, action="supplier.user_invited", obj=supplier, after={"email": email}
        )
    return invitation


def accept_invitation(*, token: str, user: User) -> Supplier:
    with transaction.atomic():
        invitation = (
            SupplierInvitation.objects.select_for_update()
            .select_related("supplier")
            .filter(token=token)
            .first()
        )
        if invitation is None or invitation.accepted_at or invitation.expires_at < timezone.now():
            raise ActionRefused(_("This invitation is not valid any more: ask for a new one."))
        if invitation.email != user.email.lower():
            raise ActionRefused(
                _("This invitation was sent to another e-mail address. Log in with that address.")
            )
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_employee or user.is_superuser:
            raise ActionRefused(_("Municipal staff cannot act for a supplier."))
        if SupplierMember.objects.filter(user=user).exists():
            raise ActionRefused(_("You already act for a supplier."))
        if user.is_resident and user.cases.exists():
            raise ActionRefused(
                _(
                    "This account has procedures as a resident. Create a separate account "
                    "with your work e-mail to act for a supplier."
                )
            )
        SupplierMember.objects.create(supplier=invitation.supplier, user=user)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        before_role = user.role
        user.role = User.Role.SUPPLIER
        user.save(update_fields=["role"])
        audit.record(
            actor=user,
            action="supplier.user_joined",
            obj=invitation.supplier,
            before={"role": before_role},
            after={"email": user.email},
        )
    return invitation.supplier


# --- bank accounts -----------------------------------------------------------------------


@dataclass(frozen=True)
class BankDocument:
    name: str
    content: bytes
    content_type: str


def request_bank_account(
    *,
    supplier: Supplier,
    cbu: str,
    holder_name: str,
    bank_name: str,
    document: BankDocument,
    actor: User,
) -> BankAccount:
    """Ask for payments to go to a new account. Payments wait until an employee approves."""
    try:
        cbu = normalize_cbu(cbu)
    except InvalidIdentifier as exc:
        raise ActionRefused(str(exc)) from exc
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        if not SupplierMember.objects.filter(supplier=supplier, user=actor, is_admin=True).exists():
            raise ActionRefused(
                _("Only the organisation's administrators can change the bank account.")
            )
        if supplier.bank_accounts.filter(status=BankAccount.Status.PENDING).exists():
            raise ActionRefused(_("A bank account change is already waiting for approval."))
        active = supplier.bank_accounts.filter(status=BankAccount.Status.ACTIVE).first()
        if active and active.cbu == cbu:
            raise ActionRefused(_("That is already your active account."))
        account = BankAccount(
            supplier=supplier,
            cbu=cbu,
            holder_name=holder_name.strip(),
            bank_name=bank_name.strip(),
            token=secrets.token_hex(16),
            document_name=document.name[:200],
            document_type=document.content_type,
            requested_by=actor,
        )
        storage.save(account.document, account.token, ContentFile(document.content))
        account.save()
        audit.record(
            actor=actor,
            action="supplier.bank_change_requested",
            obj=supplier,
            before={"cbu": active.cbu if active else None},
            after={"cbu": cbu, "holder": account.holder_name, "request": account.pk},
        )
        _rematch_supplier_holds(supplier)
    return account


def decide_bank_account(
    *, account: BankAccount, approve: bool, note: str, actor: User
) -> BankAccount:
    """Reject a change, or approve it: the first approval is recorded and the change takes
    effect with the second one, by another employee (it stays pending in between). Only
    accounts payable decides, never the one who entered the change; one approval is enough
    only where ``SUPPLIERS_BANK_CHANGE_TWO_APPROVERS`` is off."""
    with transaction.atomic():
        account = (
            BankAccount.objects.select_for_update().select_related("supplier").get(pk=account.pk)
        )
        if account.status != BankAccount.Status.PENDING:
            raise ActionRefused(_("This request was already decided."))
        if account.requested_by_id == actor.pk:
            raise ActionRefused(_("You cannot decide on your own request."))
        if not is_accounts_payable(actor):
            raise ActionRefused(_("Only accounts payable decides on bank account changes."))
        if not approve and not note.strip():
            raise ActionRefused(_("Write the reason for the rejection for the supplier."))
        if approve and account.first_approved_by_id == actor.pk:
            raise ActionRefused(
                _("You already approved this change: another employee must approve it too.")
            )
        if (
            approve
            and account.first_approved_by_id is None
            and settings.SUPPLIERS_BANK_CHANGE_TWO_APPROVERS
        ):
            account.first_approved_by = actor
            account.first_approved_at = timezone.now()
            account.save(update_fields=["first_approved_by", "first_approved_at"])
            audit.record(
                actor=actor,
                action="supplier.bank_change_first_approval",
                obj=account.supplier,
                after={"cbu": account.cbu, "request": account.pk},
            )
            return account
        previous = None
        if approve:
            previous = account.supplier.bank_accounts.filter(
                status=BankAccount.Status.ACTIVE
            ).first()
            if previous:
                BankAccount.STATES.move(previous, BankAccount.Status.REPLACED)
                previous.save(update_fields=["status"])
        BankAccount.STATES.move(
            account, BankAccount.Status.ACTIVE if approve else BankAccount.Status.REJECTED
        )
        account.decided_by = actor
        account.decided_at = timezone.now()
        account.decision_note = note.strip()
        account.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit.record(
            actor=actor,
            action="supplier.bank_change_approved" if approve else "supplier.bank_change_rejected",
            obj=account.supplier,
            before={
                "cbu": previous.cbu if previous else None,
                "status": BankAccount.Status.PENDING,
            },
            after={
                "cbu": account.cbu,
                "status": account.status,
                "note": account.decision_note,
                "first_approval": account.first_approved_by.email
                if account.first_approved_by
                else None,
            },
        )
        _rematch_supplier_holds(account.supplier)
    return account


def _rematch_supplier_holds(supplier: Supplier) -> None:
    """Bank holds follow the account's state: check the supplier's held invoices again."""
    from .matching import match_invoices

    held = list(
        Invoice.objects.filter(
            supplier=supplier, status__in=[Invoice.Status.ON_HOLD, Invoice.Status.MATCHED]
        ).values_list("pk", flat=True)
    )
    if held:
        match_invoices(held)
