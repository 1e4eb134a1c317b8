"""Importing rate bills from treasury's CSV, and their payment orders.

CSV columns (header row, UTF-8, comma or semicolon): ``tipo`` (inmueble, automotor,
comercio), ``cuenta``, ``periodo``, ``documento`` (DNI or CUIT of the taxpayer),
``titular``, ``importe`` (1.234,50), ``vencimiento`` (dd/mm/aaaa or aaaa-mm-dd). A bill is
one per (tipo, cuenta, periodo): importing the same file again changes nothing; a row
that names a known bill with another amount or date is refused, as is a bad row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from core import audit
from core.errors import ActionRefused
from core.files import CsvUnreadable, read_csv
from core.identifiers import InvalidIdentifier, normalize_cuit, normalize_dni
from core.money import UnreadableNumber, parse_amount
from payments import hooks
from payments import selectors as payment_selectors
from payments import services as payments

from .models import RateBill

COLUMNS = ("tipo", "cuenta", "periodo", "documento", "titular", "importe", "vencimiento")


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)


def _taxpayer_id(text: str) -> str:
    digits = "".join(c for c in text if c.isdigit())
    return normalize_cuit(digits) if len(digits) == 11 else normalize_dni(digits)


def _date(text: str) -> date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(text)


def _read(values: dict[str, str]) -> dict:
    if values["tipo"] not in RateBill.Kind.values:
        raise ValueError(
            _("Unknown rate %(kind)s (inmueble, automotor or comercio).") % {"kind": values["tipo"]}
        )
    for name in ("cuenta", "periodo", "titular"):
        if not values[name]:
            raise ValueError(_("The column %(name)s is empty.") % {"name": name})
    try:
        taxpayer = _taxpayer_id(values["documento"])
    except InvalidIdentifier as exc:
        raise ValueError(str(exc)) from None
    try:
        amount = parse_amount(values["importe"])
    except UnreadableNumber:
        raise ValueError(
            _("The amount %(amount)s cannot be read.") % {"amount": values["importe"]}
        ) from None
    if amount <= 0 or amount != amount.quantize(amount.__class__("0.01")):
        raise ValueError(_("The amount must be over zero, with at most two decimals."))
    try:
        due = _date(values["vencimiento"])
    except ValueError:
        raise ValueError(_("The due date is not dd/mm/aaaa.")) from None
    return {
        "kind": values["tipo"],
        "account": values["cuenta"][:30],
        "period": values["periodo"][:20],
        "taxpayer_id": taxpayer,
        "taxpayer_name": values["titular"][:200],
        "amount": amount,
        "due_date": due,
    }


PERSON_CUIT_PREFIXES = ("20", "23", "24", "27")
FIELD = "document_number"


def _dni_in(identifier: str) -> str:
    """The DNI a person's identifier holds: itself, or the middle of a person's CUIT."""
    if len(identifier) == 11:
        return identifier[2:10].lstrip("0") if identifier[:2] in PERSON_CUIT_PREFIXES else ""
    return identifier.lstrip("0")


def _same_taxpayer(dni: str, cuit: str = "") -> Q:
    """Identifiers of the same taxpayer: the CUIT itself, or the DNI alone or in a person's CUIT."""
    match = Q(pk__in=[])
    if cuit:
        match |= Q(**{FIELD: cuit})
    if dni:
        match |= Q(**{FIELD: dni}) | Q(**{f"{FIELD}__regex": rf"^(20|23|24|27)0*{dni}[0-9]$"})
    return match


def owner_of(bill: RateBill) -> User | None:
    """The resident whose DNI or CUIT is the bill's (a DNI also matches a CUIT holding it)."""
    cuit = bill.taxpayer_id if len(bill.taxpayer_id) == 11 else ""
    users = User.objects.filter(_same_taxpayer(_dni_in(bill.taxpayer_id), cuit))
    return users.order_by("pk").first()


def _open_order(bill: RateBill, owner: User, actor) -> None:
    if not payment_selectors.orders_for(bill).exists():
        payments.create_order(
            subject=bill,
            payer=owner,
            amount=bill.amount,
            concept=f"{bill.get_kind_display()} {bill.account} — {bill.period}",
            due_date=bill.due_date,
            actor=actor,
        )


def import_bills(*, content: bytes, actor) -> ImportReport:
    """Per-row report; each valid new row creates one bill (and its order if its owner has
    an account), in one transaction."""
    report = ImportReport()
    try:
        rows = list(read_csv(content, required=COLUMNS))
    except CsvUnreadable as exc:
        raise ActionRefused(str(exc)) from None
    with transaction.atomic():
        for row in rows:
            if row.error:
                report.refused.append((row.number, row.error))
                continue
            try:
                values = _read(row.values)
            except ValueError as exc:
                report.refused.append((row.number, str(exc)))
                continue
            key = {k: values[k] for k in ("kind", "account", "period")}
            bill = RateBill.objects.filter(**key).first()
            if bill is not None:
                if (bill.amount, bill.due_date, bill.taxpayer_id) == (
                    values["amount"],
                    values["due_date"],
                    values["taxpayer_id"],
                ):
                    report.unchanged += 1
                else:
                    report.refused.append(
                        (row.number, _("This bill was imported before with other data."))
                    )
                continue
            bill = RateBill.objects.create(**values)
            report.created += 1
            audit.record(
                actor=actor,
                action="rates.bill_imported",
                obj=bill,
                after={"amount": str(bill.amount), "taxpayer": bill.taxpayer_id},
            )
            owner = owner_of(bill)
            if owner is not None:
                _open_order(bill, owner, actor)
    return report


def claim_bills(user: User) -> None:
    """Orders for the bills of ``user`` imported before they had an account (idempotent)."""
    if not user.document_number:
        return
    dni = _dni_in(user.document_number)
    cuit = user.document_number if len(user.document_number) == 11 else ""
    match = Q(pk__in=[])
    if cuit:
        match |= Q(taxpayer_id=cuit)
    if dni:
        match |= Q(taxpayer_id=dni) | Q(taxpayer_id__regex=rf"^(20|23|24|27)0*{dni}[0-9]$")
    with transaction.atomic():
        for bill in RateBill.objects.filter(match):
            if owner_of(bill) == user:
                _open_order(bill, user, actor=user)


class BillPayments(hooks.SubjectHooks):
    def label(self, subject: RateBill, order) -> str:
        return str(subject) if subject else order.concept


def register_hooks() -> None:
    hooks.register(RateBill, BillPayments())


def claim_on_login(sender, request, user, **kwargs) -> None:
    claim_bills(user)
