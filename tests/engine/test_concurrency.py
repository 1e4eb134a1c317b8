"""Two people acting at the same instant, on PostgreSQL with two real connections."""

from __future__ import annotations

import os
import threading

import pytest
from django.conf import settings
from django.db import connection
from viewflow.workflow.models import Process, Task

from core.errors import ActionRefused
from procedures.flows import StandardProcedureFlow
from procedures.models import Case, CaseEvent
from procedures.services import cases, review
from tests.engine.conftest import make_employee, make_resident, pdf_file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        raise RuntimeError("REQUIRE_SERVICES=1 but the suite is not on PostgreSQL")
    pytestmark.append(pytest.mark.skip(reason="row locks need PostgreSQL"))


def at_once(*actions) -> list[object]:
    """Run each action in its own thread and connection, released together; results or errors."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def draft_ready(version):
    applicant = make_resident("vecina@example.com", "30111222")
    case = cases.start_draft(version=version, applicant=applicant, filed_by=applicant)
    cases.save_section(
        case=case,
        section_index=0,
        actor=applicant,
        uploads={},
        answers={"nombre_fantasia": "Kiosco", "superficie": "10", "tiene_cartel": "no"},
    )
    cases.save_section(
        case=case,
        section_index=1,
        actor=applicant,
        uploads={},
        answers={"cuit_titular": "20123456786"},
    )
    upload = pdf_file()
    upload.sniffed_type = "application/pdf"
    cases.save_documents(case=case, uploads={"dni": upload}, actor=applicant)
    return case, applicant


def test_double_submit_from_two_connections_files_once(version):
    case, applicant = draft_ready(version)
    results = at_once(
        lambda: cases.submit(case=case, actor=applicant),
        lambda: cases.submit(case=case, actor=applicant),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ActionRefused), results
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert Process.objects.count() == 1
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.SUBMITTED).count() == 1


def test_two_employees_claiming_the_same_task_one_wins(version):
    case, applicant = draft_ready(version)
    cases.submit(case=case, actor=applicant)
    first = make_employee("mesa1@example.com", "mesa-de-entradas")
    second = make_employee("mesa2@example.com", "mesa-de-entradas")
    task = Task.objects.get(
        process_id=Case.objects.get().process_id, status="NEW", flow_task_type="HUMAN"
    )
    results = at_once(
        lambda: review.claim(task_id=task.pk, user=first),
        lambda: review.claim(task_id=task.pk, user=second),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ActionRefused), results
    task.refresh_from_db()
    assert task.owner in (first, second) and task.status == "ASSIGNED"


def test_a_double_clicked_approval_advances_the_case_once(version):
    case, applicant = draft_ready(version)
    cases.submit(case=case, actor=applicant)
    clerk = make_employee("mesa1@example.com", "mesa-de-entradas")
    task = Task.objects.get(
        process_id=Case.objects.get().process_id, status="NEW", flow_task_type="HUMAN"
    )
    review.claim(task_id=task.pk, user=clerk)
    results = at_once(
        lambda: review.decide(task_id=task.pk, user=clerk, decision="approve"),
        lambda: review.decide(task_id=task.pk, user=clerk, decision="approve"),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ActionRefused), results
    case = Case.objects.get()
    assert case.current_step == 1
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.STEP_APPROVED).count() == 1
    assert (
        Task.objects.filter(
            process_id=case.process_id, flow_task_type="HUMAN", status="NEW"
        ).count()
        == 1
    )


def test_while_someone_holds_the_flow_lock_a_click_is_answered_try_again(
    version, client, monkeypatch
):
    """viewflow gives up on a lock held by another connection (FlowLockFailed): the employee
    is told someone else is acting and nothing changed, instead of a server error."""
    case, applicant = draft_ready(version)
    cases.submit(case=case, actor=applicant)
    clerk = make_employee("mesa1@example.com", "mesa-de-entradas")
    case = Case.objects.get()
    task = Task.objects.get(process_id=case.process_id, status="NEW", flow_task_type="HUMAN")
    # One try instead of viewflow's five with back-off: the answer comes at once.
    monkeypatch.setattr(StandardProcedureFlow.lock_impl, "attempts", 1)
    holding, done = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with StandardProcedureFlow.lock(case.process_id):
                holding.set()
                done.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert holding.wait(30)
    client.force_login(clerk)
    try:
        busy = client.post(f"/gestion/tareas/{task.pk}/tomar/", follow=True)
    finally:
        done.set()
        holder.join(30)
    assert busy.status_code == 200
    assert "Otra persona está actuando sobre esto en este momento" in busy.content.decode()
    task.refresh_from_db()
    assert task.status == "NEW" and task.owner_id is None

    again = client.post(f"/gestion/tareas/{task.pk}/tomar/", follow=True)
    assert "La tarea es tuya" in again.content.decode()
    task.refresh_from_db()
    assert task.status == "ASSIGNED" and task.owner_id == clerk.pk
