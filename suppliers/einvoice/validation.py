"""Arithmetic consistency of an invoice's totals (EN 16931 rules BR-CO-10 to BR-CO-16)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .errors import InvoiceRejected
from .model import ParsedAllowanceCharge, ParsedInvoice

TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class TotalNames:
    """How one syntax names each total, so rejections point at the element to fix."""

    net: str
    allowances: str
    charges: str
    tax_exclusive: str
    tax: str
    tax_inclusive: str
    prepaid: str
    rounding: str
    payable: str


EN16931_NAMES = TotalNames(
    net="BT-106",
    allowances="BT-107",
    charges="BT-108",
    tax_exclusive="BT-109",
    tax="BT-110",
    tax_inclusive="BT-112",
    prepaid="BT-113",
    rounding="BT-114",
    payable="BT-115",
)


def _allowance_charge_sum(items: Iterable[ParsedAllowanceCharge], *, is_charge: bool) -> Decimal:
    return sum((item.amount for item in items if item.is_charge is is_charge), Decimal(0))


def declared_or_listed(
    declared: Decimal | None, items: Iterable[ParsedAllowanceCharge], *, is_charge: bool
) -> Decimal:
    """The stated allowance (BT-107) or charge (BT-108) total, else the listed items' sum."""
    return declared if declared is not None else _allowance_charge_sum(items, is_charge=is_charge)


def _expect(formula: object, computed: Decimal, name: str, declared: Decimal) -> None:
    if abs(computed - declared) > TOLERANCE:
        raise InvoiceRejected(
            "totals-mismatch",
            _("%(formula)s = %(computed)s but %(name)s is %(declared)s."),
            params={"formula": formula, "computed": computed, "name": name, "declared": declared},
        )


def validate_totals(invoice: ParsedInvoice, names: TotalNames = EN16931_NAMES) -> None:
    """Raise ``InvoiceRejected`` unless lines, allowances, charges, tax, prepaid amount
    and amount due add up, each within ``TOLERANCE``."""
    net, tax_exclusive, tax = invoice.net_total, invoice.tax_exclusive_total, invoice.tax_total
    if net is None or tax_exclusive is None or tax is None:
        raise InvoiceRejected(
            "missing-field",
            _(
                "The net total (%(net)s), tax exclusive total (%(tax_exclusive)s) and "
                "tax total (%(tax)s) are all needed to check the invoice."
            ),
            params={"net": names.net, "tax_exclusive": names.tax_exclusive, "tax": names.tax},
        )
    line_sum = sum((line.net_amount for line in invoice.lines), Decimal(0))
    if abs(line_sum - net) > TOLERANCE:
        raise InvoiceRejected(
            "line-sum-mismatch",
            _("The %(count)s line net amounts add up to %(sum)s but %(name)s is %(net)s."),
            params={"count": len(invoice.lines), "sum": line_sum, "name": names.net, "net": net},
        )
    for is_charge, name, declared in (
        (False, names.allowances, invoice.allowance_total),
        (True, names.charges, invoice.charge_total),
    ):
        _expect(
            _("The document-level charges") if is_charge else _("The document-level allowances"),
            _allowance_charge_sum(invoice.allowance_charges, is_charge=is_charge),
            name,
            declared,
        )
    allowances, charges = invoice.allowance_total, invoice.charge_total
    _expect(
        f"{names.net} {net} - {names.allowances} {allowances} + {names.charges} {charges}",
        net - allowances + charges,
        names.tax_exclusive,
        tax_exclusive,
    )
    _expect(
        f"{names.tax_exclusive} {tax_exclusive} + {names.tax} {tax}",
        tax_exclusive + tax,
        names.tax_inclusive,
        invoice.tax_inclusive_total,
    )
    prepaid, rounding = invoice.prepaid_total, invoice.rounding_amount
    _expect(
        f"{names.tax_inclusive} {invoice.tax_inclusive_total} - {names.prepaid} {prepaid}"
        f" + {names.rounding} {rounding}",
        invoice.tax_inclusive_total - prepaid + rounding,
        names.payable,
        invoice.payable_total,
    )
