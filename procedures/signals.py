"""Copies kept in step with viewflow's tables, which this app does not own, and the scopes of
logged-in pages kept in the cache (core.privatepages) that their changes renew."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from viewflow.workflow.models import Task

from core import privatepages

from .flows import StandardProcedureFlow
from .models import Case


def queued_since_the_review_task(
    sender: type[Task], instance: Task, created: bool, **kwargs: Any
) -> None:
    """A new review task (filing, a step approved, corrections sent): its case waits in the
    queue since then. Every way viewflow creates a task saves it, so none is missed."""
    if created and instance.flow_task == StandardProcedureFlow.review:
        Case.objects.filter(process_id=instance.process_id).update(queued_at=instance.created)


def department_scopes_of_task(task: Task) -> list[str]:
    """A review task changed: its department's queue (core.privatepages)."""
    prefix = "procedures.act_for_"
    permission = task.owner_permission or ""
    if not permission.startswith(prefix):
        return []
    return [department_scope(permission[len(prefix) :].replace("_", "-"))]


def department_scopes_of_case(case: Case) -> list[str]:
    return [department_scope(case.current_department)] if case.current_department else []


def department_scope(code: str) -> str:
    return f"department:{code}"


def connect() -> None:
    privatepages.resolve(Task, department_scopes_of_task)
    privatepages.resolve(Case, department_scopes_of_case)
    post_save.connect(
        queued_since_the_review_task, sender=Task, dispatch_uid="procedures.queued_at"
    )
