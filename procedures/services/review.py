"""What employees do on review tasks: claim, release, assign, decide, annotate.

Each action runs under the flow's lock through ``core.workflow`` (the task
and the case re-read under it), so of two employees acting at once exactly
one wins and the other is told why.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables
from viewflow.workflow.models import Task

from accounts.models import User
from core import audit, workflow
from core.errors import ActionRefused
from documents import services as documents

from ..flows import StandardProcedureFlow
from ..models import Case, CaseEvent
from . import outputs, work
from .catalog import definition_of

NOT_YOUR_STEP = gettext_lazy("Your departments cannot act on this step.")


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


def _task_under_lock(task_id: int) -> AbstractContextManager[workflow.LockedTask[Case]]:
    # Only the case row is locked: locking its version too would serialise every decision
    # on the procedure while one of them signs a resolution.
    return workflow.task_under_lock(
        task_id=task_id,
        flow_class=StandardProcedureFlow,
        subject_model=Case,
        related=("version",),
    )


def claim(*, task_id: int, user: User) -> Task:
    with _task_under_lock(task_id) as locked:
        workflow.claim(locked, user=user, not_allowed=NOT_YOUR_STEP)
    return locked.task


def release(*, task_id: int, user: User) -> Task:
    with _task_under_lock(task_id) as locked:
        workflow.release(locked, user=user)
    return locked.task


def assign_to(*, task_id: int, assignee: User, actor: User) -> Task:
    """Give a task to a colleague who can act on its step."""
    with _task_under_lock(task_id) as locked:
        workflow.assign(locked, assignee=assignee, actor=actor, not_allowed=NOT_YOUR_STEP)
    return locked.task


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
    except documents.WrongPin:
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
        raise ActionRefused(_("Unknown decision."))
    if decision in (Decision.CORRECTION, Decision.REJECT) and not message.strip():
        raise ActionRefused(_("Write a message for the applicant explaining why."))
    with _task_under_lock(task_id) as locked:
        workflow.require_owner(locked, user=user)
        task, case = locked.task, locked.subject
        definition = definition_of(case.version)
        step = definition.review_steps[case.current_step]
        before = {"status": case.status, "step": case.current_step}
        today = timezone.localdate()
        if decision == Decision.APPROVE:
            if needs_signature(case):
                # First, so that a refused signature (SigningRefused) leaves all as it was.
                outputs.sign_resolution(case=case, official=user, pin=pin)
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
            Case.STATES.move(case, Case.Status.CORRECTION)
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
            work.notify_later(case, "correction")
        else:
            Case.STATES.move(case, Case.Status.REJECTED)
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
            work.notify_later(case, "rejected")
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
        workflow.complete(locked)
        case.refresh_from_db()
    return case


def complete_approved_case(case: Case) -> None:
    """The last step approved: close the case and produce its output (called by the flow)."""
    case = Case.objects.select_for_update().select_related("version").get(pk=case.pk)
    Case.STATES.move(case, Case.Status.APPROVED)
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
        work.produce_output_later(case)
    work.notify_later(case, "approved")


def add_note(*, case: Case, user: User, text: str) -> CaseEvent:
    if not text.strip():
        raise ActionRefused(_("The note is empty."))
    with transaction.atomic():
        event = CaseEvent.objects.create(
            case=case, actor=user, kind=CaseEvent.Kind.NOTE, message=text.strip(), public=False
        )
        audit.record(actor=user, action="case.note_added", obj=case, after={"note": text.strip()})
    return event
