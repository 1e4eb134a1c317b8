"""Purchase orders: created by employees of a department, by hand or from a CSV file, and
the receptions recorded against their lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department, User
from core import audit, numbering
from core.columns import check_fits
from core.errors import ActionRefused
from core.files import CsvUnreadable, read_csv
from core.identifiers import InvalidIdentifier, normalize_cuit
from core.money import UnreadableNumber, parse_amount

from ..models import Invoice, PurchaseOrder, PurchaseOrderLine, Reception, Supplier
from .matching import match_invoices


@dataclass(frozen=True)
class LineData:
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal = Decimal(0)
    unit: str = "C62"
    kind: str = PurchaseOrderLine.Kind.GOODS
    item_code: str = ""


@dataclass(frozen=True)
class OrderData:
    supplier: Supplier
    department: Department
    issue_date: date
    lines: list[LineData]
    currency: str = "ARS"
    description: str = ""
    number: str = ""
    """Empty: the next number, OC-<year>-<sequence>."""


def next_number(year: int) -> str:
    prefix = f"OC-{year}-"
    last = (
        PurchaseOrder.objects.filter(number__startswith=prefix)
        .aggregate(last=Max("number"))
        .get("last")
    )
    sequence = (
        int(last.removeprefix(prefix)) + 1 if last and last.removeprefix(prefix).isdigit() else 1
    )
    return f"{prefix}{sequence:06d}"


def _check_columns(number: str, line: LineData) -> None:
    """Every value fits its column (length, digits, decimal places; no NaN)."""
    try:
        if number:
            check_fits(PurchaseOrder, "number", number)
        for name in ("item_code", "description", "unit", "quantity", "unit_price", "tax_rate"):
            check_fits(PurchaseOrderLine, name, getattr(line, name))
    except ValidationError as exc:
        raise ActionRefused(" ".join(exc.messages)) from None


def _check_line(line: LineData) -> None:
    if line.quantity <= 0:
        raise ActionRefused(_("Quantities must be greater than zero."))
    if line.unit_price < 0:
        raise ActionRefused(_("Unit prices cannot be negative."))
    if not 0 <= line.tax_rate <= 100:
        raise ActionRefused(_("The VAT rate is a percentage between 0 and 100."))


def create_order(*, data: OrderData, actor: User) -> PurchaseOrder:
    if not data.lines:
        raise ActionRefused(_("An order needs at least one line."))
    if data.supplier.status != Supplier.Status.ACTIVE:
        raise ActionRefused(
            _("%(supplier)s is not verified yet: orders go to active suppliers only.")
            % {"supplier": data.supplier}
        )
    for line in data.lines:
        _check_columns(data.number.strip(), line)
        _check_line(line)
    with transaction.atomic():
        # Numbers are given in sequence and are unique across departments: one order is
        # numbered and created at a time.
        numbering.hold("suppliers.purchaseorder")
        number = data.number.strip() or next_number(data.issue_date.year)
        if PurchaseOrder.objects.filter(number=number).exists():
            raise ActionRefused(_("Purchase order %(number)s already exists.") % {"number": number})
        order = PurchaseOrder.objects.create(
            number=number,
            supplier=data.supplier,
            department=data.department,
            currency=data.currency.upper(),
            issue_date=data.issue_date,
            description=data.description,
            created_by=actor,
        )
        PurchaseOrderLine.objects.bulk_create(
            PurchaseOrderLine(
                order=order,
                line_number=position,
                item_code=line.item_code,
                description=line.description,
                kind=line.kind,
                quantity=line.quantity,
                unit=line.unit or "C62",
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
            )
            for position, line in enumerate(data.lines, 1)
        )
        audit.record(
            actor=actor,
            action="purchase_order.created",
            obj=order,
            after={
                "number": number,
                "supplier": data.supplier.cuit,
                "department": data.department.code,
                "currency": order.currency,
                "lines": len(data.lines),
                "net": str(
                    sum((line.quantity * line.unit_price for line in data.lines), Decimal(0))
                ),
            },
        )
    return order


def set_order_status(*, order: PurchaseOrder, status: str, actor: User) -> PurchaseOrder:
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == status:
            raise ActionRefused(_("The order already has that status."))
        before = PurchaseOrder.STATES.move(order, status)
        order.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="purchase_order.status_changed",
            obj=order,
            before={"status": before},
            after={"status": status},
        )
    return order


def record_receptions(
    *,
    order: PurchaseOrder,
    quantities: dict[int, Decimal],
    received_on: date,
    note: str,
    actor: User,
) -> list[Reception]:
    """Record what was received per line (partial deliveries welcome), then check again
    the order's invoices held for quantities not yet received."""
    quantities = {line_id: qty for line_id, qty in quantities.items() if qty}
    if not quantities:
        raise ActionRefused(_("Enter the quantity received on at least one line."))
    if received_on > timezone.localdate():
        raise ActionRefused(_("The reception date cannot be in the future."))
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        if order.status != PurchaseOrder.Status.OPEN:
            raise ActionRefused(_("The order is not open."))
        lines = {
            line.pk: line
            for line in PurchaseOrderLine.objects.select_for_update()
            .filter(order=order, pk__in=list(quantities))
            .order_by("pk")
        }
        receptions = []
        for line_id, quantity in quantities.items():
            line = lines.get(line_id)
            if line is None:
                raise ActionRefused(_("That line is not on this order."))
            if line.received_quantity + quantity < 0:
                raise ActionRefused(
                    _("Line %(line)s cannot have received less than nothing.")
                    % {"line": line.line_number}
                )
            line.received_quantity += quantity
            receptions.append(
                Reception(
                    line=line,
                    quantity=quantity,
                    received_on=received_on,
                    note=note,
                    recorded_by=actor,
                )
            )
        PurchaseOrderLine.objects.bulk_update(lines.values(), ["received_quantity"])
        Reception.objects.bulk_create(receptions)
        audit.record(
            actor=actor,
            action="purchase_order.received",
            obj=order,
            after={
                "received_on": received_on.isoformat(),
                "lines": {str(lines[pk].line_number): str(qty) for pk, qty in quantities.items()},
                "note": note,
            },
        )
        held = list(
            Invoice.objects.filter(
                purchase_order=order, status=Invoice.Status.ON_HOLD, released=False
            ).values_list("pk", flat=True)
        )
        if held:
            match_invoices(held)
    return receptions


# --- CSV import --------------------------------------------------------------------------

CSV_COLUMNS = (
    "order",
    "supplier_cuit",
    "department",
    "currency",
    "issue_date",
    "item_code",
    "description",
    "kind",
    "quantity",
    "unit",
    "unit_price",
    "tax_rate",
)
REQUIRED_COLUMNS = ("order", "supplier_cuit", "description", "quantity", "unit_price")
KINDS = {
    "goods": PurchaseOrderLine.Kind.GOODS,
    "bien": PurchaseOrderLine.Kind.GOODS,
    "bienes": PurchaseOrderLine.Kind.GOODS,
    "service": PurchaseOrderLine.Kind.SERVICE,
    "servicio": PurchaseOrderLine.Kind.SERVICE,
    "servicios": PurchaseOrderLine.Kind.SERVICE,
}


@dataclass
class ImportReport:
    """Errors by CSV row (1 is the header), and the orders created when there were none."""

    errors: list[tuple[int, str]] = field(default_factory=list)
    orders: list[PurchaseOrder] = field(default_factory=list)
    rows: int = 0


def _number(text: str, what: str) -> Decimal:
    try:
        return parse_amount(text)
    except UnreadableNumber:
        raise ValueError(
            _("%(what)s “%(value)s” is not a number (write it like 1234,50 or 1.234,50).")
            % {"what": what, "value": text}
        ) from None


def _issue_date(text: str) -> date:
    # date.fromisoformat's own messages ("month must be in 1..12") are Python's, in English.
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            _("The issue date “%(value)s” is not a date (write it like 2025-03-31).")
            % {"value": text}
        ) from None


def import_orders_csv(
    *,
    content: bytes,
    departments: list[Department],
    actor: User,
    default_department: Department | None = None,
) -> ImportReport:
    """Create purchase orders from a CSV file, all or none.

    One row per line; rows with the same ``order`` form one order. Every row is checked
    and every problem reported with its row number; nothing is created unless all rows
    are right. ``departments`` are those the employee may create orders for.
    """
    report = ImportReport()
    try:
        rows = list(read_csv(content, required=REQUIRED_COLUMNS))
    except CsvUnreadable as exc:
        report.errors.append((exc.row, str(exc)))
        return report
    by_code = {department.code: department for department in departments}
    suppliers: dict[str, Supplier | None] = {}
    orders: dict[str, dict] = {}
    for csv_row in rows:
        report.rows += 1
        row_number, row = csv_row.number, csv_row.values
        if csv_row.error:
            report.errors.append((row_number, csv_row.error))
            continue
        try:
            number = row["order"]
            if not number:
                raise ValueError(_("The order number is empty."))
            try:
                cuit = normalize_cuit(row["supplier_cuit"])
            except InvalidIdentifier as exc:
                raise ValueError(str(exc)) from None
            if cuit not in suppliers:
                suppliers[cuit] = Supplier.objects.filter(
                    cuit=cuit, status=Supplier.Status.ACTIVE
                ).first()
            supplier = suppliers[cuit]
            if supplier is None:
                raise ValueError(_("No active supplier has CUIT %(cuit)s.") % {"cuit": cuit})
            department_code = row.get("department", "")
            department = by_code.get(department_code) if department_code else default_department
            if department is None:
                raise ValueError(
                    _("You cannot create orders for department “%(code)s”.")
                    % {"code": department_code}
                )
            kind = KINDS.get((row.get("kind") or "goods").lower())
            if kind is None:
                raise ValueError(_("Kind must be goods or service."))
            issue_date = (
                _issue_date(row["issue_date"]) if row.get("issue_date") else timezone.localdate()
            )
            line = LineData(
                description=row["description"] or _("(no description)"),
                quantity=_number(row["quantity"], _("Quantity")),
                unit_price=_number(row["unit_price"], _("Unit price")),
                tax_rate=_number(row.get("tax_rate") or "0", _("VAT rate")),
                unit=row.get("unit") or "C62",
                kind=kind,
                item_code=row.get("item_code", ""),
            )
            try:
                _check_columns(number, line)
                _check_line(line)
            except ActionRefused as exc:
                raise ValueError(str(exc)) from None
            currency = (row.get("currency") or "ARS").upper()
            if len(currency) != 3 or not currency.isalpha():
                raise ValueError(_("The currency is a three-letter code such as ARS."))
            order = orders.setdefault(
                number,
                {
                    "supplier": supplier,
                    "department": department,
                    "currency": currency,
                    "issue_date": issue_date,
                    "lines": [],
                    "row": row_number,
                },
            )
            if (order["supplier"], order["department"], order["currency"]) != (
                supplier,
                department,
                currency,
            ):
                raise ValueError(
                    _(
                        "Order %(number)s has another supplier, department or currency on row %(row)s."
                    )
                    % {"number": number, "row": order["row"]}
                )
            order["lines"].append(line)
        except (ValueError, KeyError) as exc:
            report.errors.append((row_number, str(exc)))
    existing = set(
        PurchaseOrder.objects.filter(number__in=list(orders)).values_list("number", flat=True)
    )
    for number in sorted(existing):
        report.errors.append(
            (
                orders[number]["row"],
                _("Purchase order %(number)s already exists.") % {"number": number},
            )
        )
    if not report.rows:
        report.errors.append((1, _("The file has no rows.")))
    if report.errors:
        report.errors.sort()
        return report
    with transaction.atomic():
        for number, order in orders.items():
            report.orders.append(
                create_order(
                    data=OrderData(
                        supplier=order["supplier"],
                        department=order["department"],
                        issue_date=order["issue_date"],
                        lines=order["lines"],
                        currency=order["currency"],
                        number=number,
                    ),
                    actor=actor,
                )
            )
    return report
