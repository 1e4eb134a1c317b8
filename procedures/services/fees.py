"""A case's fee: its payment order (``payments``), and what the case does when it is paid.

``on_filing`` (the default): submitting a case with a fee opens an order and leaves the
case in "payment pending", its deadline not running and nobody reviewing it; the
confirmed payment starts the review in the payment's transaction. ``before_output``:
the case is reviewed at once and its output is produced once the order is paid. Every
confirmed payment yields a signed receipt; a duplicate or excess payment opens an
internal adjustment case routed to treasury.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core import audit, privatepages
from core.calendar import add_business_days
from core.money import format_money
from payments import hooks
from payments import selectors as payment_selectors
from payments import services as payments
from payments.models import Payment, PaymentOrder

from ..models import Case, CaseEvent
from . import work
from .catalog import definition_of


def collects(case: Case) -> bool:
    """Whether this case's fee is paid through the portal."""
    return settings.PAYMENTS_COLLECT_FEES and case.fee_amount > 0


def open_order(case: Case, *, actor: User) -> PaymentOrder:
    """The order of the case's fee (in the submission's transaction)."""
    with translation.override("es"):
        concept = _("Fee of case %(reference)s (%(procedure)s)") % {
            "reference": case.reference,
            "procedure": definition_of(case.version).name.es,
        }
    return payments.create_order(
        subject=case, payer=case.applicant, amount=case.fee_amount, concept=concept, actor=actor
    )


def waits_for_payment(case: Case) -> bool:
    """The fee is paid on filing: the case waits for it before review."""
    return collects(case) and definition_of(case.version).fee.paid_when == "on_filing"


def output_waits_for_payment(case: Case) -> bool:
    """A before_output fee not paid yet: the output is produced once it is."""
    if definition_of(case.version).fee.paid_when != "before_output":
        return False
    orders = payment_selectors.orders_for(case)
    return orders.filter(status__in=PaymentOrder.OPEN_STATUSES).exists()


def start_review(case: Case) -> None:
    """The fee is paid: the deadline starts today and the case goes to its first step."""
    from ..flows import StandardProcedureFlow

    definition = definition_of(case.version)
    Case.STATES.move(case, Case.Status.SUBMITTED)
    case.due_date = add_business_days(timezone.localdate(), definition.deadline_business_days)
    case.current_step = 0
    case.current_department = definition.review_steps[0].department
    case.save()
    StandardProcedureFlow.start.run(case=case)


def _method(payment: Payment) -> str:
    with translation.override("es"):
        return str(payment.get_channel_display())


class CaseFees(hooks.SubjectHooks):
    """What a case does when its order is paid, overpaid or refunded."""

    def paid(self, subject: Case, order: PaymentOrder, payment: Payment) -> None:
        case = Case.objects.select_for_update().select_related("version").get(pk=subject.pk)
        before = case.status
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.PAYMENT_RECEIVED,
            message=f"{format_money(order.amount_paid)} ({_method(payment)})",
        )
        if case.status == Case.Status.PAYMENT_PENDING:
            start_review(case)
        elif case.status == Case.Status.APPROVED and output_kind(case) != "none":
            work.produce_output_later(case)
        audit.record(
            actor=None,
            action="case.fee_paid",
            obj=case,
            before={"status": before},
            after={"status": case.status, "order": order.external_reference},
        )
        _receipt(case, order, payment)

    def overpaid(
        self, subject: Case, order: PaymentOrder, payment: Payment, excess: Decimal
    ) -> None:
        from .adjustments import open_adjustment

        open_adjustment(case=subject, order=order, payment=payment, excess=excess)

    def refunded(
        self, subject: Case, order: PaymentOrder, payment: Payment, amount: Decimal
    ) -> None:
        CaseEvent.objects.create(
            case=subject,
            kind=CaseEvent.Kind.NOTE,
            message=_("%(amount)s of a payment was refunded.") % {"amount": format_money(amount)},
        )

    def may_view(self, user: User, subject: Case, order: PaymentOrder) -> bool:
        from ..selectors import can_view_case

        return subject is not None and (
            subject.applicant_id == user.pk or can_view_case(user, subject)
        )

    def label(self, subject: Case, order: PaymentOrder) -> str:
        return order.concept

    def url(self, subject: Case, order: PaymentOrder) -> str:
        return reverse("procedures:case_detail", args=[subject.reference]) if subject else ""


def output_kind(case: Case) -> str:
    return definition_of(case.version).output.kind


def _receipt(case: Case, order: PaymentOrder, payment: Payment) -> None:
    from .outputs import request_payment_receipt

    paid_on = timezone.localdate(payment.paid_at or timezone.now())
    request_payment_receipt(
        case=case,
        payment_reference=f"{payment.channel}-{payment.provider_payment_id}",
        amount_display=format_money(payment.amount),
        method=_method(payment),
        paid_on=paid_on.isoformat(),
        concept=order.concept,
    )


def panel_context(request, case: Case) -> dict | None:
    """The case page's payment panel: its orders and receipts, or nothing without any."""
    from documents.selectors import documents_of

    from .outputs import PAYMENT_RECEIPT

    if not isinstance(case, Case):
        return None
    orders = list(payment_selectors.orders_for(case))
    if not orders:
        return None
    _shows_orders(request, orders)
    return {"orders": orders, "receipts": documents_of(case).filter(kind=PAYMENT_RECEIPT)}


def _shows_orders(request, orders: list[PaymentOrder]) -> None:
    """A payment renews its order's scope, not the case's: a cached page shows the orders."""
    privatepages.depends_on(request, *(privatepages.scope(order, order.pk) for order in orders))


# Departments whose staff record, reconcile and refund payments (payments.manage_payments).
TREASURY_DEPARTMENTS = ("tesoreria", "rentas")


def grant_treasury_permission() -> None:
    """Called by the catalog sync, after it creates the departments; idempotent."""
    from django.contrib.auth.models import Permission

    from accounts.models import Department

    permission = Permission.objects.get(
        content_type__app_label="payments", codename="manage_payments"
    )
    for department in Department.objects.filter(code__in=TREASURY_DEPARTMENTS):
        department.group.permissions.add(permission)


def staff_panel_context(request, case: Case) -> dict | None:
    """The staff case page: the case's orders, or for an adjustment case the order it adjusts
    (treasury refunds or credits it from the order's page)."""
    if not isinstance(case, Case):
        return None
    orders = list(payment_selectors.orders_for(case))
    adjusted = (
        (case.answers or {}).get("orden")
        if case.version.procedure_type.code == ("ajuste-pago-duplicado")
        else None
    )
    if adjusted:
        orders += list(PaymentOrder.objects.filter(external_reference=adjusted))
    _shows_orders(request, orders)
    return {"orders": orders} if orders else None


def register_hooks() -> None:
    hooks.register(Case, CaseFees())


def cancel_open_orders(case: Case, *, actor: User) -> None:
    for order in payment_selectors.orders_for(case).filter(status=PaymentOrder.Status.PENDING):
        payments.cancel_order(order=order, actor=actor, reason=_("The case was withdrawn."))
