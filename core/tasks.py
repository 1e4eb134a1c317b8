import os
import socket

from celery import shared_task
from django.core import management


@shared_task(name="core.tasks.ping")
def ping() -> dict[str, object]:
    """Answer with the worker's identity: operators use it to see a worker is alive."""
    return {"pong": True, "hostname": socket.gethostname(), "pid": os.getpid()}


@shared_task(name="core.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")
