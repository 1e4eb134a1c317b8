import logging
import os
import socket

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.core import management

from . import outbox

log = logging.getLogger(__name__)

# A broker or a service down: retried after 1, 2, 4... seconds (with jitter), at most 10 minutes
# apart; after the last retry the sweep keeps sending the item again every REDISPATCH_AFTER.
MAX_RETRIES = 12
BACKOFF_MAX = 600


@shared_task(name="core.tasks.ping")
def ping() -> dict[str, object]:
    """Answer with the worker's identity: operators use it to see a worker is alive."""
    return {"pong": True, "hostname": socket.gethostname(), "pid": os.getpid()}


@shared_task(name="core.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")


@shared_task(bind=True, name="core.tasks.run_outbox_item")
def run_outbox_item(self, item_id: int) -> None:
    """Takes an id, is idempotent: ``outbox.run`` re-checks the item under its row lock."""
    try:
        outbox.run(item_id)
    except Exception as exc:
        if self.request.is_eager:
            # Nothing waits in-process (no broker): the failure is recorded; the sweep retries.
            log.warning("outbox item %s failed: %s", item_id, exc)
            outbox.forget_dispatch(item_id)
            return
        countdown = get_exponential_backoff_interval(
            factor=1, retries=self.request.retries, maximum=BACKOFF_MAX, full_jitter=True
        )
        raise self.retry(exc=exc, countdown=countdown, max_retries=MAX_RETRIES) from exc


@shared_task(name="core.tasks.dispatch_outbox")
def dispatch_outbox() -> int:
    return outbox.dispatch_pending()
