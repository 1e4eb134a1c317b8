"""The outbox: work that follows a commit (e-mails, signing, notices), persisted so none is lost.

``enqueue`` writes an ``OutboxItem`` row in the caller's transaction; once
that transaction commits the item's id goes to Celery. If the broker is down
then, the row simply stays undone and ``dispatch_pending`` (Celery beat,
every minute) sends it later; a worker that died half-way is covered the same
way (``REDISPATCH_AFTER``). ``run`` does an item under its row lock and marks
it done, so an item delivered twice is done once. A failing handler leaves a
trace that survives its own rollback: the item's ``attempts`` and
``last_error``, and the handler's ``on_failure``, run in the same transaction.

Each app registers its handlers by kind, from its ``AppConfig.ready``::

    outbox.register("procedures.notify", notify_applicant)      # notify_applicant(**payload)
    outbox.enqueue("procedures.notify", {"case_id": case.pk, "event": "submitted"}, subject=case)

Handlers take the payload as keyword arguments (ids, not objects) and must be
idempotent: check, under a lock, whether the work is still to do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxItem
from .registry import Registry

log = logging.getLogger(__name__)

# A dispatched item not done after this long is dispatched again by the sweep.
REDISPATCH_AFTER = timedelta(minutes=10)
# Younger items are still being dispatched by their own on_commit hook.
GRACE = timedelta(minutes=1)
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Handler:
    kind: str
    run: Callable[..., Any]
    queue: str = "default"
    on_failure: Callable[..., None] | None = None
    """Called as ``on_failure(error=..., **payload)`` after a failed attempt, in the
    transaction that records it: what the app wants people to see of the failure."""


HANDLERS: Registry[Handler] = Registry("outbox handler")


def register(
    kind: str,
    run: Callable[..., Any],
    *,
    queue: str = "default",
    on_failure: Callable[..., None] | None = None,
) -> Handler:
    return HANDLERS.register(kind, Handler(kind, run, queue, on_failure))


def enqueue(
    kind: str, payload: dict[str, Any] | None = None, *, subject: models.Model | None = None
) -> OutboxItem:
    """Persist work in the caller's transaction; it is dispatched once that commits."""
    HANDLERS.get(kind)  # an unknown kind fails here, in the change, not later in a worker
    item = OutboxItem.objects.create(
        kind=kind,
        payload=payload or {},
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
    )
    transaction.on_commit(lambda: dispatch(item.pk))
    return item


def dispatch(item_id: int) -> bool:
    """Hand one item to Celery; False (and it stays undone) if the broker does not take it."""
    from .tasks import run_outbox_item

    kind = OutboxItem.objects.filter(pk=item_id).values_list("kind", flat=True).first()
    if kind is None:
        return False
    handler = HANDLERS.find(kind)
    # Marked before sending: an eager run (no broker) that fails clears it again, so the
    # next sweep retries it instead of waiting REDISPATCH_AFTER.
    OutboxItem.objects.filter(pk=item_id).update(dispatched_at=timezone.now())
    try:
        run_outbox_item.apply_async(args=[item_id], queue=handler.queue if handler else "default")
    except Exception as exc:  # noqa: BLE001 - any broker failure: the sweep sends it again
        log.warning("could not dispatch outbox item %s (%s): %s", item_id, kind, exc)
        OutboxItem.objects.filter(pk=item_id).update(
            dispatched_at=None, last_error=f"dispatch: {exc}"[:2000]
        )
        return False
    return True


def forget_dispatch(item_id: int) -> None:
    """The item ran in-process and failed: the next sweep may send it again."""
    OutboxItem.objects.filter(pk=item_id, done_at__isnull=True).update(dispatched_at=None)


def dispatch_pending() -> int:
    """Dispatch what never reached the broker, or seems lost; how many were sent."""
    now = timezone.now()
    ids = list(
        OutboxItem.objects.filter(done_at__isnull=True, created_at__lt=now - GRACE)
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - REDISPATCH_AFTER))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(dispatch(pk) for pk in ids)


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def run(item_id: int) -> None:
    """Do one item, once however often it is delivered; a failure is recorded, then re-raised."""
    failure: BaseException | None = None
    with transaction.atomic():
        item = (
            OutboxItem.objects.select_for_update().filter(pk=item_id, done_at__isnull=True).first()
        )
        if item is None:
            return  # done already
        handler = HANDLERS.get(item.kind)
        try:
            # A savepoint: a failing handler's writes roll back, the record of its failure stays.
            with transaction.atomic():
                handler.run(**item.payload)
        except Exception as exc:  # noqa: BLE001 - recorded here, re-raised below for the retry
            failure = exc
            OutboxItem.objects.filter(pk=item.pk).update(
                attempts=F("attempts") + 1, last_error=_error_text(exc)
            )
            if handler.on_failure is not None:
                try:
                    with transaction.atomic():
                        handler.on_failure(error=_error_text(exc), **item.payload)
                except Exception:  # the item's own record of the failure must stay
                    log.exception("on_failure of outbox item %s (%s) failed", item.pk, item.kind)
        else:
            OutboxItem.objects.filter(pk=item.pk).update(
                attempts=F("attempts") + 1, last_error="", done_at=timezone.now()
            )
    if failure is not None:
        raise failure
