"""Writing the audit trail. Call ``record`` from services, inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import connection, models

from .models import AuditEvent

SYSTEM_ACTOR = "system"


def _check_transaction() -> None:
    if not connection.in_atomic_block:
        # An event outside the change's transaction could survive a rolled-back change.
        raise RuntimeError("audit.record must run inside the transaction of the change")


def event(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """The event ``record`` writes, unsaved: for ``record_many``."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent(
        actor=actor if authenticated else None,
        actor_label=actor.email if authenticated else SYSTEM_ACTOR,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:300],
        before=before,
        after=after,
    )


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    _check_transaction()
    recorded = event(
        actor=actor, action=action, obj=obj, summary=summary, before=before, after=after
    )
    recorded.save(force_insert=True)
    return recorded


def record_many(events: list[AuditEvent]) -> None:
    """Write events built with ``event`` in a few statements (a file of many changes)."""
    _check_transaction()
    AuditEvent.objects.bulk_create(events, batch_size=2000)


def changed_fields(
    instance: models.Model, new_values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (before, after) pair restricted to the fields whose value changes."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in new_values.items():
        old = getattr(instance, name)
        if old != value:
            before[name], after[name] = old, value
    return before, after
