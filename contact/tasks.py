from celery import shared_task

from . import figures, services


@shared_task(name="contact.tasks.alert_breaches")
def alert_breaches() -> int:
    return services.alert_breaches()


@shared_task(name="contact.tasks.daily_figures")
def daily_figures() -> int:
    return figures.compute_yesterday_and_today()
