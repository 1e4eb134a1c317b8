"""Every published procedure type: filed with valid answers, walked through every review step."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
import yaml
from django.http import QueryDict
from django.utils import timezone
from pypdf import PdfReader
from viewflow.workflow.models import Task

from core.models import AuditEvent
from documents.demo import enroll_demo_official
from payments import selectors as payment_selectors
from payments import services as payments
from payments.models import Payment
from procedures.catalog import CATALOG_DIR, load_catalog
from procedures.forms import DocumentsForm, SectionForm
from procedures.models import Case, ProcedureVersion
from procedures.services import cases, review
from procedures.services.catalog import definition_of
from tests.catalog.answers import document_files, section_data
from tests.documents.cases import run_pending_work
from tests.engine.conftest import make_employee, make_resident

pytestmark = pytest.mark.django_db

CATALOG = load_catalog()
CODES = sorted(CATALOG.procedures)


def as_post(data: dict) -> QueryDict:
    post = QueryDict(mutable=True)
    for key, value in data.items():
        post.setlist(key, value if isinstance(value, list) else [value])
    return post


def fee_as_the_file_states_it(code: str, answers: dict) -> Decimal:
    """The fee worked out here from the YAML file and the answers typed, not by FeeSpec:
    base + per_unit × unit_field + by_choice amount, rounded half-up to cents."""
    fee = yaml.safe_load((CATALOG_DIR / "types" / f"{code}.yaml").read_text())["fee"]
    if fee["kind"] == "none":
        return Decimal("0.00")
    if fee["kind"] == "fixed":
        return Decimal(fee["amount"])
    total = Decimal(fee.get("base") or 0)
    if fee.get("unit_field"):
        total += Decimal(fee["per_unit"]) * Decimal(answers[fee["unit_field"]])
    if fee.get("by_choice"):
        chosen = answers[fee["by_choice"]["field"]]
        total += Decimal(fee["by_choice"]["amounts"][chosen])
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def pay_at_the_cash_desk(case: Case) -> None:
    """Treasury records the fee paid at the municipal cash desk: the case goes to review."""
    order = payment_selectors.open_order_for(case)
    payments.record_manual_payment(
        order=order,
        channel=Payment.Channel.CASH_DESK,
        amount=order.amount,
        paid_on=timezone.localdate(),
        evidence=f"Caja 1, recibo {case.pk}",
        actor=make_employee("tesoreria@example.com", "tesoreria"),
    )


def staff_for(department: str, cache: dict):
    if department not in cache:
        cache[department] = make_employee(f"{department}@example.com", department)
    return cache[department]


@pytest.mark.parametrize("code", CODES)
def test_procedure_can_be_filed_and_walked_to_completion(
    code, real_catalog, django_capture_on_commit_callbacks, collect_fees
):
    version = ProcedureVersion.objects.get(procedure_type__code=code, status="published")
    definition = definition_of(version)
    applicant = make_resident("vecina@example.com", "30111222")
    filer = applicant
    if definition.audience == "internal":
        filer = applicant = make_employee("agente@example.com", "mesa-de-entradas")
    case = cases.start_draft(version=version, applicant=applicant, filed_by=filer)

    for index, section in enumerate(definition.sections):
        data, files = section_data(definition, section, case.answers)
        form = SectionForm(
            as_post(data), files, definition=definition, section=section, known_answers=case.answers
        )
        assert form.is_valid(), (section.title.es, form.errors.as_json())
        case = cases.save_section(
            case=case,
            section_index=index,
            answers=form.answers(),
            uploads=form.uploads(),
            actor=filer,
        )
    if definition.documents:
        form = DocumentsForm(
            {}, document_files(definition.documents), documents=definition.documents, present=set()
        )
        assert form.is_valid(), form.errors.as_json()
        cases.save_documents(case=case, uploads=form.uploads(), actor=filer)

    case = cases.submit(case=case, actor=filer)
    assert case.fee_amount == fee_as_the_file_states_it(code, case.answers)
    if case.fee_amount and definition.fee.paid_when == "on_filing":
        assert case.status == Case.Status.PAYMENT_PENDING and case.due_date is None
        pay_at_the_cash_desk(case)
        case.refresh_from_db()
    assert case.due_date > timezone.localdate()

    employees: dict = {}
    for step in definition.review_steps:
        task = Task.objects.get(process_id=case.process_id, status="NEW", flow_task_type="HUMAN")
        assert task.owner_permission.endswith(step.department.replace("-", "_"))
        employee = staff_for(step.department, employees)
        review.claim(task_id=task.pk, user=employee)
        pin = ""
        if review.needs_signature(case):  # the approving official signs the resolution
            pin = "2468"
            enroll_demo_official(employee, role="Responsable del área", pin=pin)
        case = review.decide(task_id=task.pk, user=employee, decision="approve", pin=pin)
    assert case.status == Case.Status.APPROVED
    assert case.process.status == "DONE"

    with django_capture_on_commit_callbacks(execute=True):  # documents are signed after commit
        run_pending_work(case)
    if definition.output.kind == "none":
        assert not hasattr(case, "output") or case.output is None
    else:
        case.refresh_from_db()
        text = "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(case.output.file.read())).pages
        )
        assert case.reference in text
        assert definition.output.title.es.split()[0] in text

    actions = list(
        AuditEvent.objects.filter(
            object_type="procedures.case", object_id=str(case.pk)
        ).values_list("action", flat=True)
    )
    assert actions.count("case.approve") == len(definition.review_steps)
    assert {"case.draft_created", "case.submitted", "case.approved"} <= set(actions)
    assert ("case.output_produced" in actions) == (definition.output.kind != "none")
