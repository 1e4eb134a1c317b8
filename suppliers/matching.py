"""Line-level matching of one invoice against purchase order lines. Pure: no database.

``match_lines`` assigns each invoice line to an order line, checks price and quantity
(3-way against received for goods, 2-way against ordered for services) and the total,
and says which quantities the invoice adds to the order lines. An invoice with any hold
adds nothing: only clean (or released) invoices count as invoiced, so what is invoiced
never exceeds what was ordered or received beyond the tolerance.

Quantities are signed: a credit note (or a corrective invoice with negative lines)
takes quantities back, never more than the order line has been invoiced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
ZERO = Decimal(0)
# Rounding each line's amount to the cent may shift a total by up to a cent per line.
ROUNDING_PER_LINE = CENT


@dataclass(frozen=True)
class Tolerance:
    """Percentages; 0 means strict, None means unlimited."""

    price_percent: Decimal | None = ZERO
    quantity_percent: Decimal | None = ZERO
    total_percent: Decimal | None = ZERO

    @staticmethod
    def limit(base: Decimal, percent: Decimal | None) -> Decimal | None:
        """``base`` plus the tolerance, or None when unlimited."""
        if percent is None:
            return None
        return base + abs(base) * percent / HUNDRED


@dataclass
class OrderLineState:
    """An order line and the quantities it has received and been invoiced so far."""

    id: int
    line_number: int
    item_code: str
    description: str
    is_goods: bool
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    received: Decimal
    invoiced: Decimal


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    description: str = ""
    po_line_reference: str = ""
    seller_item_id: str = ""
    tax_rate: Decimal | None = None
    """The VAT rate the invoice states for the line (None: it states none)."""


@dataclass(frozen=True)
class TaxInput:
    """What the invoice says about VAT, for the ``vat`` checks."""

    tax_total: Decimal | None
    allowance_total: Decimal = ZERO
    charge_total: Decimal = ZERO
    allowed_rates: frozenset[Decimal] | None = None
    """The rates the law allows (None: any rate)."""


@dataclass(frozen=True)
class Finding:
    code: str
    line_index: int | None = None
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class MatchResult:
    order_line_ids: list[int | None]
    applied: list[Decimal]
    """Signed quantity each invoice line adds to its order line (all zero when held)."""
    findings: list[Finding]

    @property
    def clean(self) -> bool:
        return not self.findings


def assign_order_lines(
    lines: Sequence[LineInput], order_lines: Sequence[OrderLineState]
) -> list[OrderLineState | None]:
    """The order line each invoice line bills: by the order line reference (BT-132, or
    the line the supplier chose), the item code, the description, and last by an unused
    line with the same unit price."""
    by_number = {str(line.line_number): line for line in order_lines}
    by_code = {line.item_code.casefold(): line for line in order_lines if line.item_code}
    by_description = {line.description.casefold(): line for line in order_lines}
    used: set[int] = set()
    assigned: list[OrderLineState | None] = []
    for line in lines:
        found = (
            (line.po_line_reference and by_number.get(line.po_line_reference.strip()))
            or (line.seller_item_id and by_code.get(line.seller_item_id.casefold()))
            or (line.description and by_description.get(line.description.casefold()))
            or next(
                (
                    candidate
                    for candidate in order_lines
                    if candidate.id not in used and candidate.unit_price == line.unit_price
                ),
                None,
            )
        )
        if found is not None:
            used.add(found.id)
        assigned.append(found or None)
    return assigned


def match_lines(
    lines: Sequence[LineInput],
    order_lines: Sequence[OrderLineState],
    *,
    sign: int,
    tolerance: Tolerance,
    invoice_total: Decimal | None,
    total_includes_tax: bool = False,
    tax: TaxInput | None = None,
) -> MatchResult:
    """Check an invoice's lines against its order lines.

    ``sign`` is -1 for a credit note (its quantities are stated positive). The total
    compared is the invoice's total without VAT, or with VAT when
    ``total_includes_tax`` (an AFIP QR states only that one).

    With ``tax``, VAT is checked too (hold ``vat``): each line's rate against its order
    line's and the rates the law allows, and the invoice's VAT total against the VAT of
    its lines at the order's rates. Document-level allowances and charges carry VAT at a
    rate the invoice does not tie to a line, so they widen the accepted VAT total by their
    amount at the highest rate of the lines.
    """
    assigned = assign_order_lines(lines, order_lines)
    findings: list[Finding] = []
    pending: dict[int, Decimal] = {}
    expected_total = ZERO
    expected_tax = ZERO
    for index, (line, order_line) in enumerate(zip(lines, assigned, strict=True)):
        if order_line is None:
            findings.append(Finding("no_po_line", index, {"description": line.description}))
            continue
        params = {"line": str(order_line.line_number)}
        if tax is not None:
            findings.extend(_rate_findings(index, line, order_line, tax, params))
            expected_tax += (
                line.quantity * line.unit_price * order_line.tax_rate / HUNDRED
            ).quantize(CENT)
        price_limit = Tolerance.limit(order_line.unit_price, tolerance.price_percent)
        if price_limit is not None:
            allowed = price_limit - order_line.unit_price
            if abs(line.unit_price - order_line.unit_price) > allowed:
                findings.append(
                    Finding(
                        "price",
                        index,
                        {
                            **params,
                            "invoiced": _plain(line.unit_price),
                            "ordered": _plain(order_line.unit_price),
                        },
                    )
                )
        signed = line.quantity * sign
        before = order_line.invoiced + pending.get(order_line.id, ZERO)
        after = before + signed
        pending[order_line.id] = pending.get(order_line.id, ZERO) + signed
        if signed < 0 and after < 0:
            findings.append(
                Finding(
                    "qty_invoiced",
                    index,
                    {**params, "credited": _plain(-signed), "invoiced": _plain(before)},
                )
            )
        elif signed > 0:
            ordered_limit = Tolerance.limit(order_line.quantity, tolerance.quantity_percent)
            received_limit = Tolerance.limit(order_line.received, tolerance.quantity_percent)
            if ordered_limit is not None and after > ordered_limit:
                findings.append(
                    Finding(
                        "qty_ordered",
                        index,
                        {
                            **params,
                            "invoiced": _plain(after),
                            "ordered": _plain(order_line.quantity),
                        },
                    )
                )
            elif order_line.is_goods and received_limit is not None and after > received_limit:
                findings.append(
                    Finding(
                        "qty_received",
                        index,
                        {
                            **params,
                            "invoiced": _plain(after),
                            "received": _plain(order_line.received),
                        },
                    )
                )
        net = (line.quantity * order_line.unit_price).quantize(CENT)
        if total_includes_tax:
            net += (net * order_line.tax_rate / HUNDRED).quantize(CENT)
        expected_total += net
    if invoice_total is not None and all(assigned) and lines:
        total_limit = Tolerance.limit(expected_total, tolerance.total_percent)
        if total_limit is not None:
            allowed = total_limit - expected_total + ROUNDING_PER_LINE * len(lines)
            if abs(invoice_total - expected_total) > allowed:
                findings.append(
                    Finding(
                        "total",
                        None,
                        {"invoiced": _plain(invoice_total), "expected": _plain(expected_total)},
                    )
                )
    if tax is not None and all(assigned) and lines:
        finding = _tax_total_finding(tax, expected_tax, assigned, len(lines))
        if finding is not None:
            findings.append(finding)
    applied = (
        [
            line.quantity * sign if order_line else ZERO
            for line, order_line in zip(lines, assigned, strict=True)
        ]
        if not findings
        else [ZERO] * len(lines)
    )
    return MatchResult(
        order_line_ids=[order_line.id if order_line else None for order_line in assigned],
        applied=applied,
        findings=findings,
    )


def _rate_findings(
    index: int, line: LineInput, order_line: OrderLineState, tax: TaxInput, params: dict
) -> list[Finding]:
    rate = order_line.tax_rate if line.tax_rate is None else line.tax_rate
    if line.tax_rate is not None and line.tax_rate != order_line.tax_rate:
        return [
            Finding(
                "vat",
                index,
                {
                    **params,
                    "check": "rate",
                    "invoiced": _plain(line.tax_rate),
                    "ordered": _plain(order_line.tax_rate),
                },
            )
        ]
    if tax.allowed_rates is not None and rate not in tax.allowed_rates:
        return [
            Finding(
                "vat",
                index,
                {
                    **params,
                    "check": "legal",
                    "invoiced": _plain(rate),
                    "allowed": ", ".join(_plain(r) for r in sorted(tax.allowed_rates)),
                },
            )
        ]
    return []


def _tax_total_finding(
    tax: TaxInput, expected: Decimal, assigned: Sequence[OrderLineState | None], count: int
) -> Finding | None:
    stated = tax.tax_total or ZERO
    highest = max(line.tax_rate for line in assigned if line is not None) / HUNDRED
    allowed = (abs(tax.allowance_total) + abs(tax.charge_total)) * highest + ROUNDING_PER_LINE * (
        count + 1
    )
    if abs(stated - expected) <= allowed:
        return None
    return Finding(
        "vat", None, {"check": "total", "invoiced": _plain(stated), "expected": _plain(expected)}
    )


def apply(result: MatchResult, order_lines: Sequence[OrderLineState]) -> None:
    """Add the result's quantities to the order lines' invoiced quantities."""
    by_id = {line.id: line for line in order_lines}
    for order_line_id, quantity in zip(result.order_line_ids, result.applied, strict=True):
        if order_line_id is not None and quantity:
            by_id[order_line_id].invoiced += quantity


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros, for messages: 20, 5.5, 3.3333."""
    return f"{value.normalize():f}"
