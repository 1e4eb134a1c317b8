"""Copies kept in step with viewflow's tables, which this app does not own, and the scopes of
logged-in pages kept in the cache (core.privatepages) that their changes renew."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from core import privatepages

from .flows import StandardProcedureFlow
from .models import Case
from .services.catalog import department_of_permission


def copied_from_the_review_task(
    sender: type[Task], instance: Task, created: bool, **kwargs: Any
) -> None:
    """The case's copies of its open review task, in one update. Viewflow saves a task at
    every change (created, claimed, assigned, released, completed, cancelled), so none is
    missed; a case has one open review task at a time, the one saved last.

    queued_at: a new review task (filing, a step approved, corrections sent), the case waits
    in the queue since then. assignee: its owner while assigned, nobody once released,
    decided or cancelled."""
    if instance.flow_task != StandardProcedureFlow.review:
        return
    copies: dict[str, Any] = {
        "assignee_id": instance.owner_id if instance.status == STATUS.ASSIGNED else None
    }
    if created:
        copies["queued_at"] = instance.created
    Case.objects.filter(process_id=instance.process_id).update(**copies)


def department_scopes_of_task(task: Task) -> list[str]:
    """A review task changed: its department's queue (core.privatepages)."""
    code = department_of_permission(task.owner_permission or "")
    return [department_scope(code)] if code else []


def department_scopes_of_case(case: Case) -> list[str]:
    return [department_scope(case.current_department)] if case.current_department else []


def department_scope(code: str) -> str:
    return f"department:{code}"


def connect() -> None:
    privatepages.resolve(Task, department_scopes_of_task)
    privatepages.resolve(Case, department_scopes_of_case)
    post_save.connect(
        copied_from_the_review_task, sender=Task, dispatch_uid="procedures.review_task_copies"
    )
