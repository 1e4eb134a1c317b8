from celery import shared_task
from django.utils import timezone

from .services import aggregates, alerts


@shared_task
def refresh_indicators() -> int:
    """Recompute the daily figures of the days touched since the last run."""
    return len(aggregates.refresh())


@shared_task
def queue_weekly_backlog_emails() -> int:
    return alerts.schedule_weekly_backlog(timezone.localdate())
