"""What a case asks for after its transaction commits (e-mails, its output), through core.outbox.

``notify_later`` and ``produce_output_later`` write an outbox item in the
caller's transaction; the handlers below run it once that commits, taking the
case by id and doing nothing if the case is gone.
"""

from __future__ import annotations

from core import outbox

from ..models import Case

NOTIFY = "procedures.notify"
PRODUCE_OUTPUT = "procedures.produce_output"


def notify_later(case: Case, event: str) -> None:
    """E-mail the applicant about ``event`` (submitted, correction, approved...)."""
    outbox.enqueue(NOTIFY, {"case_id": case.pk, "event": event}, subject=case)


def produce_output_later(case: Case) -> None:
    outbox.enqueue(PRODUCE_OUTPUT, {"case_id": case.pk}, subject=case)


def _case(case_id: int) -> Case | None:
    return Case.objects.select_related("version", "applicant").filter(pk=case_id).first()


def _notify(*, case_id: int, event: str) -> None:
    from .notifications import notify_applicant

    case = _case(case_id)
    if case is not None:
        notify_applicant(case, event=event)


def _produce_output(*, case_id: int) -> None:
    from .outputs import produce_output

    case = _case(case_id)
    if case is not None:
        produce_output(case)


def register_handlers() -> None:
    outbox.register(NOTIFY, _notify)
    outbox.register(PRODUCE_OUTPUT, _produce_output)
