"""Withholding taxes from payment orders, the province's padrón and the tax office export.

``withhold`` runs inside the transaction that creates a payment order: it reads the month's
earlier withholdings of the supplier (locked by the supplier row, so two orders of one
supplier are computed one after the other), computes with ``payables.withholdings`` and
stores one row per rule. Certificates are numbered when the order is paid, so a cancelled
order leaves no gap in their series.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from core import audit, numbering
from core.errors import ActionRefused
from core.identifiers import InvalidIdentifier, normalize_cuit
from core.money import UnreadableNumber, parse_amount
from suppliers.models import Invoice, InvoiceLine, PurchaseOrderLine, Supplier

from .. import withholdings
from ..models import PaymentOrder, ProvincialRate, Withholding

ZERO = Decimal(0)


def _line_bases(invoices: list[Invoice]) -> list[withholdings.LineBase]:
    lines = InvoiceLine.objects.filter(invoice__in=invoices).select_related("po_line", "invoice")
    return [
        withholdings.LineBase(
            is_goods=line.po_line is None or line.po_line.kind == PurchaseOrderLine.Kind.GOODS,
            net=line.net_amount * line.invoice.sign,
            vat_rate=line.tax_rate
            if line.tax_rate is not None
            else (line.po_line.tax_rate if line.po_line else ZERO),
        )
        for line in lines
    ]


def provincial_rate(cuit: str, day: date) -> Decimal | None:
    row = (
        ProvincialRate.objects.filter(cuit=cuit, valid_from__lte=day, valid_to__gte=day)
        .order_by("-published", "-valid_from")
        .first()
    )
    return row.rate if row else None


def _certificate_number(day: date) -> str:
    prefix = f"RET-{day.year}-"
    numbering.hold(f"payables.withholding:{prefix}")
    last = Withholding.objects.filter(certificate_number__startswith=prefix).aggregate(
        last=Max("certificate_number")
    )["last"]
    return f"{prefix}{int(last.removeprefix(prefix)) + 1 if last else 1:06d}"


def number_certificates(orders: list[PaymentOrder], day: date) -> None:
    """The orders are paid: their withholdings get certificate numbers, in sequence."""
    rows = list(
        Withholding.objects.filter(order__in=orders, amount__gt=0, certificate_number="").order_by(
            "order_id", "pk"
        )
    )
    for row in rows:
        row.certificate_number = _certificate_number(day)
        row.save(update_fields=["certificate_number"])


def withhold(*, order: PaymentOrder, invoices: list[Invoice], day: date) -> Decimal:
    """Store the order's withholdings and return their total (to deduct from the gross)."""
    supplier = Supplier.objects.select_for_update().get(pk=order.supplier_id)
    month = day.replace(day=1)
    so_far: dict[str, withholdings.MonthSoFar] = {}
    for row in (
        Withholding.objects.filter(supplier=supplier, month=month)
        .values("tax", "regime")
        .annotate(base=Sum("base"), withheld=Sum("amount"))
    ):
        so_far[f"{row['tax']}:{row['regime']}"] = withholdings.MonthSoFar(
            row["base"], row["withheld"]
        )
    computed = withholdings.compute(
        rules=withholdings.load_rules(),
        taxes=settings.PAYABLES_WITHHOLDING_TAXES,
        condition=supplier.tax_condition,
        day=day,
        lines=_line_bases(invoices),
        month_so_far=so_far,
        padron_rate=provincial_rate(supplier.cuit, day),
    )
    rows = [
        Withholding(
            order=order,
            supplier=supplier,
            tax=item.rule.tax,
            regime=item.rule.regime,
            description=item.rule.description,
            month=month,
            base=item.base,
            taxable=item.taxable,
            rate=item.rate,
            amount=item.amount,
        )
        for item in computed
    ]
    Withholding.objects.bulk_create(rows)
    return sum((row.amount for row in rows), ZERO)


# --- The province's padrón (ARBA "PadronRGSRet<MMYYYY>.txt") ---------------------------------

MAX_ERRORS = 50


@dataclass
class PadronReport:
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _padron_date(text: str) -> date:
    text = text.strip()
    if len(text) != 8 or not text.isdigit():
        raise ValueError(text)
    return date(int(text[4:]), int(text[2:4]), int(text[:2]))


def import_provincial_padron(*, content: bytes, actor: User) -> PadronReport:
    """Import the province's withholding list, all or nothing.

    One line per CUIT, ``;``-separated: R; published (ddmmyyyy); valid from; valid to;
    CUIT; type; alta flag; rate-change flag; rate (comma decimal); group. Rows of the same
    validity period replace the ones imported before.
    """
    report = PadronReport()
    rows: list[ProvincialRate] = []
    text = content.decode("latin-1")  # as the province publishes it
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        values = raw.strip().split(";")
        try:
            if len(values) < 10 or values[0] != "R":
                raise ValueError(
                    _("Expected 10 values separated by “;” starting with R (retention).")
                )
            try:
                published, valid_from, valid_to = (_padron_date(v) for v in values[1:4])
            except ValueError:
                raise ValueError(_("The dates are written ddmmyyyy.")) from None
            try:
                cuit = normalize_cuit(values[4])
            except InvalidIdentifier as exc:
                raise ValueError(str(exc)) from None
            try:
                rate = parse_amount(values[8])
            except UnreadableNumber:
                raise ValueError(
                    _("The rate “%(rate)s” is not a number.") % {"rate": values[8]}
                ) from None
            if not 0 <= rate <= 100 or rate.as_tuple().exponent < -3:
                raise ValueError(
                    _("The rate %(rate)s is not a percentage with up to 3 decimals.")
                    % {"rate": values[8]}
                )
            if valid_to < valid_from:
                raise ValueError(_("The validity ends before it starts."))
            rows.append(
                ProvincialRate(
                    cuit=cuit,
                    rate=rate,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    group=values[9].strip()[:4],
                    published=published,
                )
            )
        except ValueError as exc:
            report.errors.append((number, str(exc)))
            if len(report.errors) >= MAX_ERRORS:
                break
    if not rows and not report.errors:
        report.errors.append((1, _("The file has no rows.")))
    if report.errors:
        return report
    periods = {(row.valid_from, row.valid_to) for row in rows}
    with transaction.atomic():
        query = Q()
        for start, end in periods:
            query |= Q(valid_from=start, valid_to=end)
        ProvincialRate.objects.filter(query).delete()
        ProvincialRate.objects.bulk_create(rows, batch_size=5000)
        audit.record(
            actor=actor,
            action="payables.padron_imported",
            obj=rows[0],
            after={"rows": len(rows), "periods": sorted(f"{a}..{b}" for a, b in periods)},
        )
    report.imported = len(rows)
    return report


# --- The tax office's import files: SICORE and SIRE ------------------------------------------
#
# Since RG 4523/2019 VAT withholdings are declared in SIRE (form F.2005), and SUSS ones since
# RG 3726/2015 (F.2004); income tax stays in SICORE. Gross-income (IIBB) and municipal
# withholdings go to the province and to the municipality, not to AFIP. The layouts, and the
# sources of each field, are in docs/tax-office-exports.md.

SICORE_TAXES = {"ganancias": "0217"}
SICORE_VOUCHER_PAYMENT_ORDER = "06"


@dataclass(frozen=True)
class SireCodes:
    form: str
    tax: str
    regimes: dict[str, str]


# AFIP's form and tax codes for SIRE by our tax, and the regime code by our rule's regime.
# 212 and 214 are the F.2005 regimes in use for RG 2854 withholdings (831 is RG 3164's, for
# cleaning and security services); which of them is goods (50 %) and which services (80 %),
# and 755 for RG 1784, rest on one source each (docs/tax-office-exports.md, "SIRE").
SIRE = {
    "iva": SireCodes(form="2005", tax="216", regimes={"RG2854-B": "214", "RG2854-S": "212"}),
    "suss": SireCodes(form="2004", tax="353", regimes={"RG1784": "755"}),
}
SIRE_FORMS = {codes.form: tax for tax, codes in SIRE.items()}
SIRE_VERSION = "0100"
SIRE_CONDITIONS = {"ri": "01"}  # F.2005 condition: 01 VAT registered, 02 not registered
SIRE_VOUCHER_PAYMENT_ORDER = "06"
SIRE_LINE_LENGTHS = {"2004": 191, "2005": 305}
# F.2005 files in use write a decimal comma; F.2004 keeps the point of the sibling F.2003
# file in use, unconfirmed (docs/tax-office-exports.md, "SIRE").
SIRE_DECIMAL_SEPARATORS = {"2004": ".", "2005": ","}


def _sicore_amount(value: Decimal, width: int) -> str:
    return f"{value:.2f}".replace(".", ",").rjust(width, "0")


def _declared(month: date, taxes: list[str]):
    """The month's paid withholdings of these taxes with an amount, in certificate order."""
    return (
        Withholding.objects.filter(
            month=month.replace(day=1),
            tax__in=taxes,
            amount__gt=0,
            order__status=PaymentOrder.Status.PAID,
        )
        .select_related("order", "supplier")
        .order_by("order__paid_on", "certificate_number")
    )


def _voucher_number(order: PaymentOrder) -> str:
    digits = "".join(ch for ch in order.reference if ch.isdigit())
    return digits.rjust(16, "0")[-16:]


def sicore_lines(month: date) -> list[str]:
    """The month's income tax withholdings, one 145-character line each (RG 2233 layout;
    decimal comma), for the tax office's import."""
    lines = []
    for row in _declared(month, list(SICORE_TAXES)):
        paid_on = row.order.paid_on or row.created_at.date()
        line = "".join(
            [
                SICORE_VOUCHER_PAYMENT_ORDER,
                f"{paid_on:%d/%m/%Y}",
                _voucher_number(row.order),
                _sicore_amount(row.order.gross_amount or row.order.amount, 16),
                SICORE_TAXES[row.tax],
                row.regime.rjust(3, "0")[-3:],
                "1",
                _sicore_amount(row.taxable, 14),
                f"{paid_on:%d/%m/%Y}",
                "01",
                "0",
                _sicore_amount(row.amount, 14),
                "000,00",
                " " * 10,
                "80",
                row.supplier.cuit.ljust(20),
                "0" * 14,
            ]
        )
        lines.append(line)
    return lines


def sicore_file(month: date) -> bytes:
    return "".join(f"{line}\r\n" for line in sicore_lines(month)).encode("ascii")


def _sire_amount(value: Decimal | None, form: str, width: int = 14) -> str:
    """An amount as SIRE's import takes it: two decimals, the form's separator, zeros on
    the left."""
    return f"{value or ZERO:.2f}".replace(".", SIRE_DECIMAL_SEPARATORS[form]).rjust(width, "0")


def _sire_traceability(certificate_number: str, width: int) -> str:
    """Our certificate number as the agent's traceability code SIRE returns with its own
    certificate number; only its digits (year and sequence) when it does not fit."""
    text = certificate_number
    if len(text) > width:
        text = "".join(ch for ch in text if ch.isdigit())[-width:]
    return text.ljust(width)


def _sire_f2004_line(row: Withholding) -> str:
    codes = SIRE[row.tax]
    paid_on = row.order.paid_on or row.created_at.date()
    return "".join(
        [
            codes.form,
            SIRE_VERSION,
            _sire_traceability(row.certificate_number, 10),
            "".join(ch for ch in settings.MUNICIPALITY_CUIT if ch.isdigit()),
            codes.tax,
            codes.regimes.get(row.regime, row.regime).rjust(3, "0")[-3:],
            row.supplier.cuit,
            f"{paid_on:%d/%m/%Y}",
            SIRE_VOUCHER_PAYMENT_ORDER,
            f"{paid_on:%d/%m/%Y}",
            _sire_voucher_number(row.order),
            _sire_amount(row.order.gross_amount or row.order.amount, codes.form),
            _sire_amount(row.amount, codes.form),
            " " * 25,  # original certificate (credit notes only): number,
            " " * 10,  # date
            " " * 14,  # and amount
            " " * 30,  # other data
        ]
    )


def _sire_f2005_line(row: Withholding) -> str:
    codes = SIRE[row.tax]
    paid_on = row.order.paid_on or row.created_at.date()
    return "".join(
        [
            SIRE_VERSION,
            _sire_traceability(row.certificate_number, 36),
            codes.tax,
            codes.regimes.get(row.regime, row.regime).rjust(3, "0")[-3:],
            f"{paid_on:%d/%m/%Y}",
            SIRE_CONDITIONS.get(row.supplier.tax_condition, "02"),
            "0",  # the withholding could be made
            " " * 30,  # so no reason for not making it
            _sire_amount(row.amount, codes.form),
            _sire_amount(row.taxable, codes.form),
            "0",  # no exclusion regime
            _sire_amount(ZERO, codes.form, 6),  # exclusion percentage
            " " * 10,  # publication date of the exclusion
            SIRE_VOUCHER_PAYMENT_ORDER,
            f"{paid_on:%d/%m/%Y}",
            _sire_voucher_number(row.order),
            " " * 12,  # COE
            " " * 12,  # original COE
            " " * 14,  # CAE
            _sire_amount(row.order.gross_amount or row.order.amount, codes.form),
            " " * 30,  # credit note reason
            row.supplier.cuit,
            " " * 25,  # original certificate (credit notes and cancellations): number,
            " " * 10,  # date
            " " * 14,  # and amount
            " ",  # cancellation reason
        ]
    )


def _sire_voucher_number(order: PaymentOrder) -> str:
    digits = "".join(ch for ch in order.reference if ch.isdigit())
    return digits[-16:].ljust(16)


def sire_lines(month: date, form: str) -> list[str]:
    """The month's withholdings of one SIRE form, one line each, in SIRE's batch import
    layout: F.2004 (social security, 191 characters) or F.2005 (VAT, 305 characters)."""
    line_of = {"2004": _sire_f2004_line, "2005": _sire_f2005_line}[form]
    lines = []
    for row in _declared(month, [SIRE_FORMS[form]]):
        line = line_of(row)
        # A field too long (an amount over 11 digits, a malformed CUIT) would shift every
        # field after it: better no file than one SIRE reads wrongly.
        if len(line) != SIRE_LINE_LENGTHS[form]:
            raise ActionRefused(
                _(
                    "Withholding %(certificate)s does not fit SIRE's form %(form)s (an amount "
                    "or a CUIT too long): no SIRE file was made. Check it with the tax office."
                )
                % {"certificate": row.certificate_number, "form": form}
            )
        lines.append(line)
    return lines


def sire_file(month: date, form: str) -> bytes:
    return "".join(f"{line}\r\n" for line in sire_lines(month, form)).encode("ascii")
