import os

import pytest

from core.tasks import ping


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_executes_tasks_from_redis(celery_worker_process):
    result = ping.delay().get(timeout=30)
    assert result["pong"] is True
    assert result["pid"] != os.getpid()
