"""Copies kept in step with viewflow's tables, which this app does not own."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from viewflow.workflow.models import Task

from .flows import StandardProcedureFlow
from .models import Case


def queued_since_the_review_task(
    sender: type[Task], instance: Task, created: bool, **kwargs: Any
) -> None:
    """A new review task (filing, a step approved, corrections sent): its case waits in the
    queue since then. Every way viewflow creates a task saves it, so none is missed."""
    if created and instance.flow_task == StandardProcedureFlow.review:
        Case.objects.filter(process_id=instance.process_id).update(queued_at=instance.created)


def connect() -> None:
    post_save.connect(
        queued_since_the_review_task, sender=Task, dispatch_uid="procedures.queued_at"
    )
