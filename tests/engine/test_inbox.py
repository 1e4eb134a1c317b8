"""An employee's inbox: the tasks they hold, through the case's copy of its holder
(Case.assignee), in the queue's order, counted."""

from __future__ import annotations

import datetime
import importlib
import re

import pytest
from django.apps import apps
from viewflow.workflow.models import Task

from accounts.models import User
from procedures import selectors
from procedures.models import Case
from procedures.services import cases, review
from tests.engine.conftest import make_employee
from tests.engine.test_query_counts import clone_case
from tests.engine.test_queue_order import open_review_task
from tests.engine.test_versions import submitted_case

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r">(EXP-\d{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</a>")


def inbox_of(client, user: User) -> str:
    client.force_login(user)
    return client.get("/gestion/").content.decode()


def assignee(case: Case) -> int | None:
    return Case.objects.values_list("assignee_id", flat=True).get(pk=case.pk)


@pytest.fixture
def colleague(version) -> User:
    return make_employee("mesa2@example.com", "mesa-de-entradas")


def test_a_claimed_task_is_in_its_holders_inbox_until_given_away_or_released(
    client, version, applicant, desk_clerk, colleague
):
    case = submitted_case(version, applicant)
    task = open_review_task(case)
    assert assignee(case) is None
    assert case.reference not in inbox_of(client, desk_clerk)

    review.claim(task_id=task.pk, user=desk_clerk)
    assert assignee(case) == desk_clerk.pk
    assert case.reference in inbox_of(client, desk_clerk)

    review.assign_to(task_id=task.pk, assignee=colleague, actor=desk_clerk)
    assert assignee(case) == colleague.pk
    assert case.reference not in inbox_of(client, desk_clerk)
    assert case.reference in inbox_of(client, colleague)

    review.release(task_id=task.pk, user=colleague)
    assert assignee(case) is None
    assert case.reference not in inbox_of(client, colleague)


@pytest.mark.parametrize("decision", [review.Decision.APPROVE, review.Decision.CORRECTION])
def test_a_decided_task_leaves_the_inbox(client, version, applicant, desk_clerk, decision):
    case = submitted_case(version, applicant)
    task = open_review_task(case)
    review.claim(task_id=task.pk, user=desk_clerk)
    review.decide(
        task_id=task.pk,
        user=desk_clerk,
        decision=decision,
        message="Falta el DNI." if decision == review.Decision.CORRECTION else "",
        correction_fields=["dni"] if decision == review.Decision.CORRECTION else None,
    )
    assert assignee(case) is None
    assert case.reference not in inbox_of(client, desk_clerk)


def test_a_withdrawn_case_leaves_the_inbox(client, version, applicant, desk_clerk):
    case = submitted_case(version, applicant)
    review.claim(task_id=open_review_task(case).pk, user=desk_clerk)
    cases.withdraw(case=Case.objects.get(pk=case.pk), actor=applicant)
    assert assignee(case) is None
    assert case.reference not in inbox_of(client, desk_clerk)


def test_the_inbox_lists_its_tasks_in_the_queues_order_and_counts_them(
    client, version, applicant, desk_clerk, colleague
):
    clone_case(submitted_case(version, applicant), 39)
    today = datetime.date(2026, 12, 1)
    for i, case in enumerate(Case.objects.order_by("pk")):
        case.due_date = today + datetime.timedelta(days=(i * 7) % 13)  # some shared
        case.save(update_fields=["due_date"])
    tasks = list(Task.objects.filter(status="NEW", flow_task_type="HUMAN").order_by("pk"))
    for i, task in enumerate(tasks):  # 30 for the clerk, 10 for a colleague
        review.claim(task_id=task.pk, user=colleague if i % 4 == 3 else desk_clerk)
    expected = [
        t.process.case.reference
        for t in Task.objects.filter(owner=desk_clerk, status="ASSIGNED")
        .select_related("process__case")
        .order_by("process__case__due_date", "created", "pk")
    ]
    assert len(expected) == 30

    client.force_login(desk_clerk)
    first = client.get("/gestion/").content.decode()
    assert "30 tareas" in first
    after = re.search(r'href="\?despues=(\d+)[^"]*" rel="next"', first)
    second = client.get("/gestion/", {"despues": after.group(1), "pagina": 2}).content.decode()
    assert REFERENCE.findall(first) + REFERENCE.findall(second) == expected
    assert selectors.staff_task_summary(desk_clerk, box="inbox")[0] == 30
    assert selectors.staff_task_summary(colleague, box="inbox")[0] == 10


def test_the_migration_copies_the_holder_of_each_claimed_case(version, applicant, desk_clerk):
    claimed, waiting = submitted_case(version, applicant), submitted_case(version, applicant)
    review.claim(task_id=open_review_task(claimed).pk, user=desk_clerk)
    Case.objects.update(assignee=None)  # as before the column was filled
    migration = importlib.import_module("procedures.migrations.0011_case_assignee")
    migration.copy_from_assigned_tasks(apps, None)
    assert assignee(claimed) == desk_clerk.pk and assignee(waiting) is None
