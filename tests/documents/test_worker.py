"""The signing queue on a real Celery worker (Redis): a killed worker and a TSA outage lose nothing."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from django.db import transaction

from documents import services
from documents.models import SignedDocument
from documents.signing.verify import verify_pdf
from procedures.services import outputs
from tests.engine.conftest import make_resident

from .cases import case_of, documents_of, submitted_case, sync_versions
from .support import files_of

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def requested(tmp_path: Path) -> SignedDocument:
    """A certificate requested in a committed transaction: its id goes to Redis on commit."""
    versions = sync_versions(tmp_path / "catalog")
    case = submitted_case(versions["certificate"], make_resident("vecina@example.com", "30111222"))
    with transaction.atomic():
        return outputs.produce_output(case)


def reloaded(document: SignedDocument) -> SignedDocument:
    return SignedDocument.objects.get(pk=document.pk)


def pool_processes(worker_pid: int) -> list[int]:
    children = Path(f"/proc/{worker_pid}/task/{worker_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def test_a_worker_killed_mid_signature_leaves_exactly_one_signed_document(
    celery_worker_process, tmp_path, tsa_switch, trust_roots
):
    tsa_switch.set("hang")  # the TSA holds the worker inside the signature
    document = requested(tmp_path)
    assert tsa_switch.hanging.wait(60), "the worker never asked the TSA"
    [child] = pool_processes(celery_worker_process.pid)
    os.kill(child, signal.SIGKILL)
    tsa_switch.set("up")

    # acks_late + reject_on_worker_lost: the task goes back to the queue and runs again.
    wait_for(lambda: reloaded(document).level == "B-LTA")
    document = reloaded(document)
    assert document.status == SignedDocument.Status.ISSUED
    assert documents_of(case_of(document)).count() == 1
    assert files_of(document) == [f"{document.code}-lta.pdf"]
    report = verify_pdf(services.read_file(document), trust_roots)
    assert report.authentic, report.reason
    assert child not in pool_processes(celery_worker_process.pid)


def test_a_tsa_outage_is_retried_with_back_off_and_shown_until_it_is_over(
    celery_worker_process, tmp_path, tsa_switch
):
    tsa_switch.set("down")
    document = requested(tmp_path)
    wait_for(lambda: reloaded(document).attempts >= 3)
    failing = reloaded(document)
    assert failing.status == SignedDocument.Status.PENDING
    assert "TimestampRequestError" in failing.last_error  # what staff see on the case page

    tsa_switch.set("up")
    # Issued at the next retry, then extended: the worker is idle again after that.
    wait_for(lambda: reloaded(document).level == "B-LTA")
    document = reloaded(document)
    assert (document.status, document.last_error) == (SignedDocument.Status.ISSUED, "")
    assert documents_of(case_of(document)).count() == 1
