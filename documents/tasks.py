"""Signing-queue tasks (``documents.tasks.*`` route to the "signing" queue). They take ids and
are idempotent: the services re-check the document under its row lock."""

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from . import services

# TSA or token down: retried after 1, 2, 4... seconds (with jitter) up to 5 minutes apart;
# after the last retry the periodic sweep keeps sending the document again.
MAX_RETRIES = 20
BACKOFF_MAX = 300


def _retry(task, exc: Exception):
    if task.request.is_eager:
        # Nothing waits in-process: the caller records the failure and the sweep retries.
        raise exc
    countdown = get_exponential_backoff_interval(
        factor=1, retries=task.request.retries, maximum=BACKOFF_MAX, full_jitter=True
    )
    return task.retry(exc=exc, countdown=countdown, max_retries=MAX_RETRIES)


@shared_task(bind=True, name="documents.tasks.issue_document")
def issue_document(self, document_id: int) -> None:
    try:
        services.issue(document_id)
    except Exception as exc:
        raise _retry(self, exc) from exc


@shared_task(bind=True, name="documents.tasks.extend_document")
def extend_document(self, document_id: int) -> None:
    try:
        services.extend(document_id)
    except Exception as exc:
        raise _retry(self, exc) from exc


@shared_task(name="documents.tasks.dispatch_pending_documents")
def dispatch_pending_documents() -> int:
    return services.dispatch_pending()
