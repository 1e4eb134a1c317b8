"""Chosen read-only pages read from a PostgreSQL streaming replica; everything else, and
every write, stays on the primary.

Enabled by DATABASE_REPLICA_URL (config/settings.py adds the "replica" alias and this
router). Only views wrapped in `reads_from_replica` read there: pages that only read
aggregates and can show data a second or two old (replication lag), such as the
indicators' dashboard and the public transparency pages. A page that writes, or reads
what it has just written, must not be wrapped: its reads would not see its own writes.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps

from django.conf import settings

REPLICA = "replica"

_on_replica: ContextVar[bool] = ContextVar("reads_on_replica", default=False)


def reads_from_replica(view: Callable) -> Callable:
    """The view's queries read from the replica when one is configured."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        token = _on_replica.set(request.method in ("GET", "HEAD"))
        try:
            return view(request, *args, **kwargs)
        finally:
            _on_replica.reset(token)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if _on_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None  # the primary

    def db_for_write(self, model, **hints) -> str | None:
        return None  # always the primary

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        return True  # the replica holds the primary's rows: the same database

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return db != REPLICA  # the replica follows the primary's schema
