"""Case.queued_at, the queue's order within a due date, follows the case's open review task."""

from __future__ import annotations

import pytest
from viewflow.workflow.models import Task

from procedures.models import Case
from procedures.services import cases, review
from tests.engine.test_versions import submitted_case

pytestmark = pytest.mark.django_db


def open_review_task(case: Case) -> Task:
    return Task.objects.get(
        process_id=case.process_id, status__in=["NEW", "ASSIGNED"], flow_task_type="HUMAN"
    )


def queued_at(case: Case):
    return Case.objects.values_list("queued_at", flat=True).get(pk=case.pk)


def test_queued_since_each_new_review_task(version, applicant, desk_clerk):
    case = submitted_case(version, applicant)
    first = open_review_task(case)
    assert queued_at(case) == first.created  # filed

    review.claim(task_id=first.pk, user=desk_clerk)
    assert queued_at(case) == first.created  # claiming keeps its place

    review.decide(
        task_id=first.pk,
        user=desk_clerk,
        decision=review.Decision.CORRECTION,
        message="Falta el DNI.",
        correction_fields=["dni"],
        pin="",
    )
    case = cases.resubmit(case=Case.objects.get(pk=case.pk), actor=applicant, answers={})
    again = open_review_task(case)
    assert again.pk != first.pk and queued_at(case) == again.created  # corrections sent

    review.claim(task_id=again.pk, user=desk_clerk)
    review.decide(
        task_id=again.pk,
        user=desk_clerk,
        decision=review.Decision.APPROVE,
        message="",
        correction_fields=None,
        pin="",
    )
    following = open_review_task(case)
    assert following.pk != again.pk and queued_at(case) == following.created  # next step


def test_the_staff_case_page_names_the_departments_and_links_the_open_task(
    client, version, applicant, desk_clerk
):
    """Read by the case's own query: the steps' department names and the open task."""
    from accounts.models import Department

    case = submitted_case(version, applicant)
    client.force_login(desk_clerk)
    page = client.get(f"/gestion/expedientes/{case.reference}/").content.decode()
    for code in {step["department"] for step in case.version.steps}:
        assert f"({Department.objects.get(code=code).name})" in page
    assert f'href="/gestion/tareas/{open_review_task(case).pk}/"' in page
    Task.objects.filter(process_id=case.process_id, status="NEW").update(status="CANCELED")
    page = client.get(f"/gestion/expedientes/{case.reference}/").content.decode()
    assert "/gestion/tareas/" not in page
