"""Work that follows a commit (e-mails, documents), persisted before it is dispatched.

``enqueue`` writes a PendingWork row in the caller's transaction and asks
Celery to run it once that transaction commits. If the broker is down then,
the row stays pending and ``dispatch_pending`` (run periodically by Celery
beat) sends it later. The task marks the row done, so running it twice does
the work once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Case, PendingWork

log = logging.getLogger(__name__)

# A dispatched row not done after this long is dispatched again by the sweep.
REDISPATCH_AFTER = timedelta(minutes=10)
# Younger rows are still being dispatched by their own on_commit hook.
GRACE = timedelta(minutes=1)


def enqueue(case: Case, kind: str, payload: dict | None = None) -> PendingWork:
    item = PendingWork.objects.create(case=case, kind=kind, payload=payload or {})
    transaction.on_commit(lambda: dispatch(item.pk))
    return item


def dispatch(work_id: int) -> bool:
    """Hand one item to Celery; False (and the row stays pending) if the broker is down."""
    from ..tasks import run_pending_work

    try:
        run_pending_work.delay(work_id)
    except Exception as exc:  # noqa: BLE001 - any broker failure: the sweep retries
        log.warning("could not dispatch pending work %s: %s", work_id, exc)
        PendingWork.objects.filter(pk=work_id).update(last_error=f"dispatch: {exc}"[:2000])
        return False
    PendingWork.objects.filter(pk=work_id).update(dispatched_at=timezone.now())
    return True


def dispatch_pending() -> int:
    """Dispatch what never reached the broker, or seems lost; returns how many were sent."""
    now = timezone.now()
    ids = list(
        PendingWork.objects.filter(done_at__isnull=True, created_at__lt=now - GRACE)
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - REDISPATCH_AFTER))
        .values_list("pk", flat=True)[:500]
    )
    return sum(dispatch(pk) for pk in ids)


def run(work_id: int) -> None:
    """Do one item of work exactly once, whatever the number of deliveries."""
    from . import notifications, outputs

    handlers = {
        PendingWork.Kind.NOTIFY: notifications.notify_applicant,
        PendingWork.Kind.PRODUCE_OUTPUT: outputs.produce_output,
    }
    with transaction.atomic():
        item = (
            PendingWork.objects.select_for_update()
            .select_related("case")
            .filter(pk=work_id, done_at__isnull=True)
            .first()
        )
        if item is None:
            return  # done already, or gone with its case
        item.attempts += 1
        handlers[item.kind](item.case, **item.payload)
        item.done_at = timezone.now()
        item.last_error = ""
        item.save(update_fields=["attempts", "done_at", "last_error"])
