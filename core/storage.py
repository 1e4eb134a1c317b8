"""Files stored inside a database transaction that rolls back are deleted with it.

A service writes a file (local disk or S3), then the rows that point to it; when something
later in the same transaction fails, the rows vanish with the rollback but the file would
stay behind, an orphan nobody can reach or clean. Store files through ``save`` (or call
``delete_if_rolled_back`` after writing one): the file then lives exactly as long as the
transaction, or the savepoint, that stored it commits.

How it knows: Django keeps a transaction's on-commit callbacks until it commits and drops
them when it (or the savepoint they were registered in) rolls back. The callback registered
here is the only reference to a small guard object; when Django drops the callback unrun,
the guard is freed at once and its finalizer deletes the file. Outside any transaction the
callback runs immediately and the file stays.
"""

from __future__ import annotations

import logging
import weakref

from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.fields.files import FieldFile

log = logging.getLogger(__name__)


class _Guard:
    """Deletes its file when it is freed, unless the transaction committed first."""

    def __init__(self, storage: Storage, name: str) -> None:
        self.outcome = {"committed": False}
        weakref.finalize(self, _delete_unless_committed, storage, name, self.outcome)

    def committed(self) -> None:
        self.outcome["committed"] = True


def _delete_unless_committed(storage: Storage, name: str, outcome: dict[str, bool]) -> None:
    if outcome["committed"]:
        return
    try:
        storage.delete(name)
    except Exception as exc:  # noqa: BLE001 - runs while Django rolls back: never raise there
        log.warning("could not delete %s, stored by a transaction that rolled back: %s", name, exc)
    else:
        log.info("deleted %s: the transaction that stored it rolled back", name)


def delete_if_rolled_back(
    name: str, *, storage: Storage = default_storage, using: str = DEFAULT_DB_ALIAS
) -> None:
    """Delete the stored file ``name`` if the current transaction does not commit."""
    transaction.on_commit(_Guard(storage, name).committed, using=using)


def save(field_file: FieldFile, name: str, content: File) -> str:
    """Store ``content`` in a model's file field (the model is saved by the caller, in the
    same transaction) and tie the stored file to that transaction; the name it got."""
    field_file.save(name, content, save=False)
    delete_if_rolled_back(field_file.name, storage=field_file.storage)
    return field_file.name
