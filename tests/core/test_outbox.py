"""The outbox: work persisted with the change, done once, and failures that leave a trace."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from core import outbox
from core.errors import ActionRefused
from core.models import AuditEvent, OutboxItem

pytestmark = pytest.mark.django_db(transaction=True)

done: list[dict] = []


def _record_and_fail(*, note: str) -> None:
    # The handler writes, then fails: its own write must roll back, the failure must stay.
    AuditEvent.objects.create(
        actor_label="test", action="test.written", object_type="t", object_id="1"
    )
    raise ConnectionError(f"service down ({note})")


def _failure_seen(*, note: str, error: str) -> None:
    done.append({"note": note, "error": error})


@pytest.fixture
def kinds():
    outbox.register("tests.ok", lambda *, note: done.append({"note": note}))
    outbox.register("tests.fails", _record_and_fail, on_failure=_failure_seen)
    done.clear()
    yield
    outbox.HANDLERS.unregister("tests.ok")
    outbox.HANDLERS.unregister("tests.fails")


def test_work_exists_only_if_the_change_committed(kinds):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("tests.ok", {"note": "rolled back"})
        raise RuntimeError("the change failed")
    assert not OutboxItem.objects.exists() and done == []

    with transaction.atomic():
        outbox.enqueue("tests.ok", {"note": "committed"})
        assert done == []  # nothing runs before the commit
    assert done == [{"note": "committed"}]
    item = OutboxItem.objects.get()
    assert item.done_at is not None and item.dispatched_at is not None and item.attempts == 1


def test_an_unknown_kind_fails_in_the_change_not_later_in_a_worker(kinds):
    with pytest.raises(LookupError, match="tests.typo"), transaction.atomic():
        outbox.enqueue("tests.typo", {})
    assert not OutboxItem.objects.exists()


def test_a_failing_handler_leaves_attempts_and_its_error_and_tells_its_app(kinds):
    with transaction.atomic():
        item = outbox.enqueue("tests.fails", {"note": "first"})
    # Eager Celery here: the dispatch ran it at once, and it failed.
    item.refresh_from_db()
    assert item.done_at is None
    assert (item.attempts, item.last_error) == (1, "ConnectionError: service down (first)")
    assert done == [{"note": "first", "error": "ConnectionError: service down (first)"}]
    assert not AuditEvent.objects.filter(action="test.written").exists()  # its write rolled back

    with pytest.raises(ConnectionError):
        outbox.run(item.pk)  # a worker's retry: recorded, then raised for Celery's back-off
    item.refresh_from_db()
    assert item.attempts == 2 and item.done_at is None


def test_the_sweep_sends_what_the_broker_never_took_and_skips_what_is_done(kinds, monkeypatch):
    from core.tasks import run_outbox_item

    monkeypatch.setattr(
        run_outbox_item, "apply_async", lambda *a, **k: (_ for _ in ()).throw(OSError("down"))
    )
    with transaction.atomic():
        outbox.enqueue("tests.ok", {"note": "late"})
    item = OutboxItem.objects.get()
    assert item.dispatched_at is None and item.last_error == "dispatch: down"
    monkeypatch.undo()
    OutboxItem.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert outbox.dispatch_pending() == 1
    assert done == [{"note": "late"}]
    assert outbox.dispatch_pending() == 0


def test_a_handler_may_refuse_like_any_service(kinds):
    def refuses(**payload):
        raise ActionRefused("no")

    outbox.register("tests.refuses", refuses)
    try:
        with transaction.atomic():
            item = outbox.enqueue("tests.refuses", {})
        item.refresh_from_db()
        assert item.last_error == "ActionRefused: no" and item.done_at is None
    finally:
        outbox.HANDLERS.unregister("tests.refuses")
