"""A case's e-mails go through the outbox: kept while the broker is down, sent once."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from core import outbox
from core.models import OutboxItem
from core.tasks import run_outbox_item
from tests.engine.test_versions import submitted_case

pytestmark = pytest.mark.django_db


def test_work_is_kept_when_the_broker_is_down_and_sent_by_the_sweep(
    version, applicant, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(run_outbox_item, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(version, applicant)
    item = OutboxItem.objects.get(subject_type="procedures.case", subject_id=str(case.pk))
    assert (item.kind, item.payload) == (
        "procedures.notify",
        {"case_id": case.pk, "event": "submitted"},
    )
    assert item.done_at is None and "broker unreachable" in item.last_error
    assert mail.outbox == []

    monkeypatch.undo()
    assert outbox.dispatch_pending() == 0  # within the grace period its own hook may still run
    OutboxItem.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert outbox.dispatch_pending() == 1
    item.refresh_from_db()
    assert item.done_at is not None
    assert len(mail.outbox) == 1 and case.reference in mail.outbox[0].subject


def test_running_the_same_work_twice_does_it_once(version, applicant):
    case = submitted_case(version, applicant)
    item = OutboxItem.objects.get(subject_id=str(case.pk), kind="procedures.notify")
    outbox.run(item.pk)
    outbox.run(item.pk)
    assert len(mail.outbox) == 1
    item.refresh_from_db()
    assert item.attempts == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_does_the_post_submit_work(celery_worker_process, version, applicant):
    import time

    case = submitted_case(version, applicant)  # commits: the on_commit hook sends to Redis
    item = OutboxItem.objects.get(subject_id=str(case.pk), kind="procedures.notify")
    deadline = time.monotonic() + 30
    while item.done_at is None and time.monotonic() < deadline:
        time.sleep(0.2)
        item.refresh_from_db()
    assert item.done_at is not None, item.last_error
    assert item.attempts == 1
