"""Headless viewflow task actions, the one way every app drives its flows' human tasks.

The portal's own pages act on tasks (claim, release, assign, complete) through
services, not viewflow's views. Each action runs under the flow's lock on the
process row, re-reads the task and the subject (the case, the invoice...)
under it, and refuses with ``ActionRefused`` what the task no longer allows:
of two people acting at once exactly one wins, and the other is told why.
When the lock cannot be had (someone else holds it for longer than viewflow
waits) the answer is ``FlowBusy`` ("someone else is acting on this"), not a
server error.

    with workflow.task_under_lock(task_id=..., flow_class=MyFlow, subject_model=Thing) as locked:
        workflow.claim(locked, user=user, not_allowed=_("You cannot act on this."))
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from . import audit
from .errors import ActionRefused, FlowBusy

S = TypeVar("S", bound=models.Model)


@contextmanager
def flow_lock(flow_class: Any, process_id: int) -> Iterator[None]:
    """The flow's lock on one process, inside a transaction; ``FlowBusy`` if it is taken."""
    try:
        with flow_class.lock(process_id):
            yield
    except FlowLockFailed:
        raise FlowBusy() from None


@dataclass
class LockedTask(Generic[S]):
    """A task and its subject, both re-read under the flow's lock."""

    task: Task
    subject: S

    @cached_property
    def activation(self) -> Any:
        return self.task.flow_task.activation_class(self.task)


@contextmanager
def task_under_lock(
    *,
    task_id: int,
    flow_class: Any,
    subject_model: type[S],
    related: Sequence[str] = (),
) -> Iterator[LockedTask[S]]:
    """The task and the row of ``subject_model`` whose ``process`` it belongs to, locked."""
    process_id = Task.objects.values_list("process_id", flat=True).get(pk=task_id)
    with flow_lock(flow_class, process_id):
        task = Task.objects.select_related("process", "owner").get(pk=task_id)
        # Only the subject's own row: locking related rows would serialise unrelated work.
        subject = (
            subject_model._default_manager.select_for_update(of=("self",))
            .select_related(*related)
            .get(process_id=process_id)
        )
        yield LockedTask(task, subject)


def _mark_assigned(task: Task) -> None:
    Task.objects.filter(pk=task.pk).update(assigned=timezone.now())


def claim(locked: LockedTask, *, user: Any, not_allowed: str) -> None:
    """Take an open task; ``not_allowed`` is the refusal for someone the step is not for."""
    activation = locked.activation
    if not activation.assign.can_proceed():
        raise ActionRefused(_("This task was already taken by someone else."))
    if not activation.assign.has_perm(user):
        raise ActionRefused(not_allowed)
    activation.assign(user)
    _mark_assigned(locked.task)
    audit.record(
        actor=user,
        action="task.claimed",
        obj=locked.subject,
        after={"task": locked.task.pk, "owner": user.email},
    )


def release(locked: LockedTask, *, user: Any) -> None:
    """Give a task one holds back to the queue."""
    activation = locked.activation
    if not activation.unassign.can_proceed() or not activation.unassign.has_perm(user):
        raise ActionRefused(_("Only the person working on this task can release it."))
    previous = locked.task.owner.email
    activation.unassign()
    audit.record(
        actor=user,
        action="task.released",
        obj=locked.subject,
        before={"owner": previous},
        after={"task": locked.task.pk, "owner": None},
    )


def assign(locked: LockedTask, *, assignee: Any, actor: Any, not_allowed: str) -> None:
    """Give a task to a colleague whose permissions cover it (new or reassigned)."""
    task = locked.task
    if not (actor.is_superuser or actor.has_perm(task.owner_permission)):
        raise ActionRefused(not_allowed)
    if not assignee.is_active or not assignee.has_perm(task.owner_permission):
        raise ActionRefused(
            _("%(name)s cannot act on this step.")
            % {"name": assignee.get_full_name() or assignee.email}
        )
    before = task.owner.email if task.owner_id else None
    if task.status == STATUS.NEW:
        locked.activation.assign(assignee)
    elif task.status == STATUS.ASSIGNED:
        locked.activation.reassign(assignee)
    else:
        raise ActionRefused(_("This task has already moved on."))
    _mark_assigned(task)
    audit.record(
        actor=actor,
        action="task.assigned",
        obj=locked.subject,
        before={"owner": before},
        after={"task": task.pk, "owner": assignee.email},
    )


def require_owner(locked: LockedTask, *, user: Any) -> None:
    """Only the person holding the task may decide it (a stale page or a double click may not)."""
    task = locked.task
    if task.status != STATUS.ASSIGNED or task.owner_id != user.pk:
        raise ActionRefused(
            _("This task is not assigned to you any more, or it has already moved on.")
        )


def complete(locked: LockedTask) -> None:
    """Finish the task; the flow moves on to its next node."""
    locked.activation.start(None)
    locked.activation.execute()


def open_task(process_id: int, node: Any) -> Task:
    """The open (new) task of ``node`` on a process, e.g. a Handle waiting for a reply."""
    return Task.objects.get(process_id=process_id, flow_task=node, status=STATUS.NEW)
