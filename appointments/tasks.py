"""Celery beat tasks: reminders 24 h before, and yesterday's waits for the dashboard."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from . import selectors, services


@shared_task
def queue_reminders() -> int:
    return services.queue_reminders()


@shared_task
def compute_daily_waits() -> int:
    """Yesterday's figures (final) and today's so far."""
    today = selectors.local_today()
    return len(services.compute_daily_waits(today - timedelta(days=1))) + len(
        services.compute_daily_waits(today)
    )
