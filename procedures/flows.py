"""One generic workflow for every procedure type.

The route is not hard-wired: it follows the review steps of the procedure
version the case was filed under (snapshotted into the process data when the
case starts). The services in ``procedures.services`` change the case; the
flow only routes on the case's state:

    start -> route -+-> review -> after_review -+-> route           (step approved)
                    |                           +-> await_correction -> review
                    |                           +-> rejected (end)
                    +-> finish -> approved (end)
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from .models import Case


def step_permission(activation) -> str:
    """The department permission of the step the case is at (see department_permission)."""
    from .services.catalog import department_permission

    case = activation.process.case
    steps = activation.process.data["steps"]
    return department_permission(steps[case.current_step]["department"], qualified=True)


def _case(activation) -> Case:
    return activation.process.case


class StandardProcedureFlow(flow.Flow):
    process_title = _("Standard procedure")
    process_description = _("Review steps taken from the procedure version of each case.")
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_case).Next(this.route)

    route = (
        flow.Switch()
        .Case(this.review, lambda a: _case(a).current_step < len(a.process.data["steps"]))
        .Default(this.finish)
    )

    review = (
        flow.View("procedures.staff_views.task_detail")
        .Permission(step_permission)
        .Next(this.after_review)
    )

    after_review = (
        flow.Switch()
        .Case(this.await_correction, lambda a: _case(a).status == Case.Status.CORRECTION)
        .Case(this.rejected, lambda a: _case(a).status == Case.Status.REJECTED)
        .Default(this.route)
    )

    await_correction = flow.Handle().Next(this.review)

    finish = flow.Function(this.finish_case).Next(this.approved)

    approved = flow.End()
    rejected = flow.End()

    def start_case(self, activation, case: Case):
        activation.process.data = {"steps": case.version.steps, "case_reference": case.reference}
        activation.process.save()
        case.process = activation.process
        case.save(update_fields=["process"])
        return activation.process

    def finish_case(self, activation):
        from .services.review import complete_approved_case

        complete_approved_case(_case(activation))
