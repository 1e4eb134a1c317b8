"""What employees do on review tasks: claim, release, assign, decide, annotate.

Each action takes the flow's lock on the process row (SELECT ... FOR UPDATE
on PostgreSQL), re-reads the task under it and refuses, with a message, an
action the task no longer allows: of two employees acting at once, exactly
one wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import User
from core import audit
from documents import services as documents

from ..flows import StandardProcedureFlow
from ..models import Case, CaseEvent, PendingWork
from . import work
from .catalog import definition_of


class TaskActionError(Exception):
    """The task cannot take this action now; the message says why."""


class SignatureRefused(TaskActionError):
    """Approving needs the official's signature, which could not be made: nothing changed."""

    def __init__(self, message: str, *, wrong_pin: bool = False) -> None:
        super().__init__(message)
        self.wrong_pin = wrong_pin


def needs_signature(case: Case) -> bool:
    """Approving this case's current step signs its resolution with the official's key."""
    definition = definition_of(case.version)
    return (
        case.is_open
        and case.current_step == len(definition.review_steps) - 1
        and definition.output.kind == "resolution"
    )


class Decision:
    APPROVE = "approve"
    CORRECTION = "correction"
    REJECT = "reject"
    CHOICES = (APPROVE, CORRECTION, REJECT)


def _activation(task: Task):
    return task.flow_task.activation_class(task)


@contextmanager
def _task_under_lock(task_id: int) -> Iterator[tuple[Task, Case]]:
    """The task and its case, re-read while holding the flow lock on the process."""
    process_id = Task.objects.values_list("process_id", flat=True).get(pk=task_id)
    with StandardProcedureFlow.lock(process_id):
        task = Task.objects.select_related("process", "owner").get(pk=task_id)
        # Only the case row: locking its version too would serialize every decision on the
        # procedure while one of them signs a resolution.
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("version")
            .get(process_id=process_id)
        )
        yield task, case


def claim(*, task_id: int, user: User) -> Task:
    with _task_under_lock(task_id) as (task, case):
        activation = _activation(task)
        if not activation.assign.can_proceed():
            raise TaskActionError(_("This task was already taken by someone else."))
        if not activation.assign.has_perm(user):
            raise TaskActionError(_("Your departments cannot act on this step."))
        activation.assign(user)
        Task.objects.filter(pk=task.pk).update(assigned=timezone.now())
        audit.record(
            actor=user,
            action="task.claimed",
            obj=case,
            after={"task": task.pk, "owner": user.email},
        )
    return task


def release(*, task_id: int, user: User) -> Task:
    with _task_under_lock(task_id) as (task, case):
        activation = _activation(task)
        if not activation.unassign.can_proceed() or not activation.unassign.has_perm(user):
            raise TaskActionError(_("Only the person working on this task can release it."))
        previous = task.owner.email
        activation.unassign()
        audit.record(
            actor=user,
            action="task.released",
            obj=case,
            before={"owner": previous},
            after={"task": task.pk, "owner": None},
        )
    return task


def assign_to(*, task_id: int, assignee: User, actor: User) -> Task:
    """Give a task to a colleague who can act on its step."""
    with _task_under_lock(task_id) as (task, case):
        activation = _activation(task)
        if not (actor.has_perm(task.owner_permission) or actor.is_superuser):
            raise TaskActionError(_("Your departments cannot act on this step."))
        if not assignee.is_active or not assignee.has_perm(task.owner_permission):
            raise TaskActionError(
                _("%(name)s cannot act on this step.")
                % {"name": assignee.get_full_name() or assignee.email}
            )
        before = task.owner.email if task.owner_id else None
        if task.status == STATUS.NEW:
            activation.assign(assignee)
        elif task.status == STATUS.ASSIGNED:
            activation.reassign(assignee)
        else:
            raise TaskActionError(_("This task has already moved on."))
        Task.objects.filter(pk=task.pk).update(assigned=timezone.now())
        audit.record(
            actor=actor,
            action="task.assigned",
            obj=case,
            before={"owner": before},
            after={"task": task.pk, "owner": assignee.email},
        )
    return task


@sensitive_variables("pin")
def decide(
    *,
    task_id: int,
    user: User,
    decision: str,
    message: str = "",
    correction_fields: list[str] | None = None,
    pin: str = "",
) -> Case:
    """Record the decision; approving the last step of a resolution signs it with ``pin``.

    A wrong PIN changes nothing but is counted (and audited) once the decision's transaction
    has rolled back: too many in a row lock the official's signing for a while.
    """
    try:
        return _decide(
            task_id=task_id,
            user=user,
            decision=decision,
            message=message,
            correction_fields=correction_fields,
            pin=pin,
        )
    except SignatureRefused as exc:
        if exc.wrong_pin:
            documents.record_wrong_pin(official=user)
        raise


@sensitive_variables("pin")
def _decide(
    *,
    task_id: int,
    user: User,
    decision: str,
    message: str,
    correction_fields: list[str] | None,
    pin: str,
) -> Case:
    if decision not in Decision.CHOICES:
        raise TaskActionError(_("Unknown decision."))
    if decision in (Decision.CORRECTION, Decision.REJECT) and not message.strip():
        raise TaskActionError(_("Write a message for the applicant explaining why."))
    with _task_under_lock(task_id) as (task, case):
        if task.status != STATUS.ASSIGNED or task.owner_id != user.pk:
            raise TaskActionError(
                _("This task is not assigned to you any more, or it has already moved on.")
            )
        definition = definition_of(case.version)
        step = definition.review_steps[case.current_step]
        before = {"status": case.status, "step": case.current_step}
        today = timezone.localdate()
        if decision == Decision.APPROVE:
            if needs_signature(case):
                # First, so that a refused signature leaves the case and the task as they were.
                try:
                    documents.sign_resolution(case=case, official=user, pin=pin)
                except documents.SigningRefused as exc:
                    wrong_pin = isinstance(exc, documents.WrongPin)
                    raise SignatureRefused(str(exc), wrong_pin=wrong_pin) from None
            CaseEvent.objects.create(
                case=case,
                actor=user,
                kind=CaseEvent.Kind.STEP_APPROVED,
                step_name=step.name.es,
                message=message.strip(),
            )
            case.current_step += 1
            following = definition.review_steps[case.current_step : case.current_step + 1]
            case.current_department = following[0].department if following else ""
        elif decision == Decision.CORRECTION:
            case.status = Case.Status.CORRECTION
            case.correction_message = message.strip()
            case.correction_fields = list(correction_fields or [])
            case.paused_since = today
            CaseEvent.objects.create(
                case=case,
                actor=user,
                step_name=step.name.es,
                kind=CaseEvent.Kind.CORRECTION_REQUESTED,
                message=message.strip(),
            )
            work.enqueue(case, PendingWork.Kind.NOTIFY, {"event": "correction"})
        else:
            case.status = Case.Status.REJECTED
            case.decision_reason = message.strip()
            case.resolved_at = timezone.now()
            case.current_department = ""
            CaseEvent.objects.create(
                case=case,
                actor=user,
                kind=CaseEvent.Kind.REJECTED,
                step_name=step.name.es,
                message=message.strip(),
            )
            work.enqueue(case, PendingWork.Kind.NOTIFY, {"event": "rejected"})
        case.save()
        audit.record(
            actor=user,
            action=f"case.{decision}",
            obj=case,
            before=before,
            after={
                "status": case.status,
                "step": case.current_step,
                "message": message.strip(),
                "task": task.pk,
            },
        )
        activation = _activation(task)
        activation.start(None)
        activation.execute()
        case.refresh_from_db()
    return case


def complete_approved_case(case: Case) -> None:
    """The last step approved: close the case and produce its output (called by the flow)."""
    case = Case.objects.select_for_update().select_related("version").get(pk=case.pk)
    case.status = Case.Status.APPROVED
    case.resolved_at = timezone.now()
    case.current_department = ""
    case.save(update_fields=["status", "resolved_at", "current_department", "updated_at"])
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.APPROVED)
    audit.record(
        actor=None,
        action="case.approved",
        obj=case,
        before={"status": Case.Status.SUBMITTED},
        after={"status": case.status},
    )
    if definition_of(case.version).output.kind != "none":
        work.enqueue(case, PendingWork.Kind.PRODUCE_OUTPUT)
    work.enqueue(case, PendingWork.Kind.NOTIFY, {"event": "approved"})


def add_note(*, case: Case, user: User, text: str) -> CaseEvent:
    if not text.strip():
        raise TaskActionError(_("The note is empty."))
    with transaction.atomic():
        event = CaseEvent.objects.create(
            case=case, actor=user, kind=CaseEvent.Kind.NOTE, message=text.strip(), public=False
        )
        audit.record(actor=user, action="case.note_added", obj=case, after={"note": text.strip()})
    return event
