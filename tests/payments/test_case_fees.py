"""Procedure fees through payments: a case with a fee waits for it (on_filing) or its output
does (before_output); the confirmed payment moves the case on in its own transaction and
yields a signed receipt; a duplicate opens a treasury adjustment case."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task

from core.models import AuditEvent
from documents.models import SignedDocument
from payments import selectors as payment_selectors
from payments import services as payments
from payments.models import Payment, PaymentOrder
from payments.providers import ProviderPayment
from procedures.catalog import load_catalog
from procedures.models import Case, CaseEvent
from procedures.services import cases, review
from procedures.services.adjustments import ADJUSTMENT_TYPE
from procedures.services.catalog import sync_catalog
from tests.documents.cases import run_pending_work
from tests.engine.conftest import CATALOG, FIXTURES, make_catalog_dir, make_employee, make_resident
from tests.engine.test_versions import submitted_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("collect_fees")]


def _catalog(tmp_path, when: str | None = None):
    directory = make_catalog_dir(
        tmp_path / "catalog",
        FIXTURES / "habilitacion-de-prueba.yaml",
        CATALOG / "types" / f"{ADJUSTMENT_TYPE}.yaml",
    )
    if when:
        path = directory / "types" / "habilitacion-de-prueba.yaml"
        path.write_text(
            path.read_text().replace(
                "  unit_field: superficie\n", f"  unit_field: superficie\n  when: {when}\n"
            )
        )
    sync_catalog(load_catalog(directory))
    from procedures.models import ProcedureVersion

    return ProcedureVersion.objects.get(
        procedure_type__code="habilitacion-de-prueba", status=ProcedureVersion.Status.PUBLISHED
    )


def _pay(order: PaymentOrder, amount: Decimal | None = None, payment_id: str = "1") -> Payment:
    return payments.record_provider_payment(
        channel=Payment.Channel.MERCADOPAGO,
        fetched=ProviderPayment(
            id=payment_id,
            status="approved",
            external_reference=order.external_reference,
            amount=amount if amount is not None else order.amount,
            paid_at=timezone.now(),
        ),
    )


def test_a_fee_on_filing_holds_the_case_until_paid_then_review_starts(tmp_path):
    version = _catalog(tmp_path)
    applicant = make_resident("vecina@example.com", "30111222")
    case = submitted_case(version, applicant)
    assert case.status == Case.Status.PAYMENT_PENDING
    assert case.due_date is None and case.process is None  # no clock, nobody reviews it
    order = payment_selectors.open_order_for(case)
    assert order.amount == case.fee_amount == Decimal("1500.00")
    assert order.payer == applicant

    _pay(order)
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert case.due_date > timezone.localdate()
    assert Task.objects.filter(process_id=case.process_id, status="NEW").exists()
    assert case.events.filter(kind=CaseEvent.Kind.PAYMENT_RECEIVED).exists()
    receipt = SignedDocument.objects.get(subject_id=str(case.pk), kind="payment_receipt")
    assert receipt.facts["amount_display"] == "$\xa01.500,00"
    assert "case.fee_paid" in AuditEvent.objects.filter(object_id=str(case.pk)).values_list(
        "action", flat=True
    )


def test_less_than_the_fee_keeps_the_case_waiting(tmp_path):
    case = submitted_case(_catalog(tmp_path), make_resident("vecina@example.com", "30111222"))
    order = payment_selectors.open_order_for(case)
    _pay(order, Decimal("1000.00"))
    case.refresh_from_db()
    assert case.status == Case.Status.PAYMENT_PENDING
    assert PaymentOrder.objects.get(pk=order.pk).status == PaymentOrder.Status.PARTLY_PAID


def test_withdrawing_a_case_waiting_for_its_fee_cancels_the_order(tmp_path):
    applicant = make_resident("vecina@example.com", "30111222")
    case = submitted_case(_catalog(tmp_path), applicant)
    cases.withdraw(case=case, actor=applicant)
    assert payment_selectors.orders_for(case).get().status == PaymentOrder.Status.CANCELLED


def test_a_fee_before_output_reviews_first_and_releases_the_output_once_paid(
    tmp_path, django_capture_on_commit_callbacks
):
    version = _catalog(tmp_path, when="before_output")
    case = submitted_case(version, make_resident("vecina@example.com", "30111222"))
    assert case.status == Case.Status.SUBMITTED
    for department in ("mesa-de-entradas", "rentas"):
        employee = make_employee(f"{department}@example.com", department)
        task = Task.objects.get(process_id=case.process_id, status="NEW", flow_task_type="HUMAN")
        review.claim(task_id=task.pk, user=employee)
        case = review.decide(task_id=task.pk, user=employee, decision="approve", pin="")
    assert case.status == Case.Status.APPROVED
    with django_capture_on_commit_callbacks(execute=True):
        run_pending_work(case)
    assert case.output is None  # not paid yet

    with django_capture_on_commit_callbacks(execute=True):
        _pay(payment_selectors.open_order_for(case))
    with django_capture_on_commit_callbacks(execute=True):
        run_pending_work(case)
    case.refresh_from_db()
    assert case.output is not None and case.output.kind == "certificate"


def test_a_second_payment_opens_an_adjustment_case_for_treasury(tmp_path):
    applicant = make_resident("vecina@example.com", "30111222")
    case = submitted_case(_catalog(tmp_path), applicant)
    order = payment_selectors.open_order_for(case)
    _pay(order, payment_id="1")
    duplicate = _pay(order, payment_id="2")
    assert duplicate.is_duplicate
    adjustment = Case.objects.get(version__procedure_type__code=ADJUSTMENT_TYPE)
    assert adjustment.status == Case.Status.SUBMITTED
    assert adjustment.current_department == "tesoreria"
    assert adjustment.applicant == applicant  # the resident sees it among their cases
    assert adjustment.answers["orden"] == order.external_reference
    assert adjustment.answers["importe"] == "1500.00"
    assert case.events.filter(message__contains=adjustment.reference).exists()
    # Still one receipt per payment, the case moved on once.
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert case.events.filter(kind=CaseEvent.Kind.PAYMENT_RECEIVED).count() == 1


def test_the_adjustment_case_page_links_treasury_to_the_order(tmp_path, client):

    applicant = make_resident("vecina@example.com", "30111222")
    case = submitted_case(_catalog(tmp_path), applicant)
    order = payment_selectors.open_order_for(case)
    _pay(order, payment_id="1")
    _pay(order, payment_id="2")
    adjustment = Case.objects.get(version__procedure_type__code=ADJUSTMENT_TYPE)
    treasurer = make_employee("tesoreria@example.com", "tesoreria")
    assert treasurer.has_perm("payments.manage_payments")  # granted by the catalog sync
    task = Task.objects.get(process_id=adjustment.process_id, status="NEW", flow_task_type="HUMAN")
    client.force_login(treasurer)
    page = client.get(f"/gestion/tareas/{task.pk}/").content.decode()
    assert f"/gestion/pagos/orden/{order.external_reference}/" in page
