"""Celery application.

Tasks are acknowledged after they finish (``acks_late``) and re-queued when
the worker process dies, so a killed worker never loses work; every task must
therefore be idempotent. Work after a commit goes through ``core.outbox``, whose
handlers name their queue: document signing has its own, so that a slow token
never delays e-mail and case processing.
"""

import os

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tramites")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_default_queue="default",
    task_queues=(Queue("default"), Queue("signing")),
    broker_connection_retry_on_startup=True,
    # Redis redelivers unacknowledged tasks after this; longer than any task runs.
    broker_transport_options={"visibility_timeout": 3600},
    beat_schedule={
        "clear-expired-sessions": {
            "task": "core.tasks.clear_expired_sessions",
            "schedule": crontab(hour=4, minute=15),
        },
        "close-expired-notices": {
            "task": "notices.tasks.close_expired_notices",
            "schedule": 300.0,
        },
        "contact-service-levels": {
            "task": "contact.tasks.alert_breaches",
            "schedule": 300.0,
        },
        "contact-daily-figures": {
            "task": "contact.tasks.daily_figures",
            "schedule": crontab(minute=5),
        },
        "dispatch-outbox": {
            "task": "core.tasks.dispatch_outbox",
            "schedule": 60.0,
        },
        "appointments-reminders": {
            "task": "appointments.tasks.queue_reminders",
            "schedule": 300.0,
        },
        "appointments-daily-waits": {
            "task": "appointments.tasks.compute_daily_waits",
            "schedule": crontab(minute="*/30"),
        },
        "refresh-indicators": {
            "task": "indicators.tasks.refresh_indicators",
            "schedule": crontab(minute="*/30"),
        },
        "weekly-backlog-emails": {
            "task": "indicators.tasks.queue_weekly_backlog_emails",
            "schedule": crontab(day_of_week="mon", hour=7, minute=0),
        },
        "recheck-afip": {
            "task": "suppliers.tasks.recheck_afip",
            "schedule": 300.0,
        },
        "recheck-afip-register": {
            "task": "suppliers.tasks.recheck_afip_register",
            "schedule": 300.0,
        },
    },
)
app.autodiscover_tasks()
