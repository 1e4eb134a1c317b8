from celery import shared_task

from .services import work


@shared_task(
    name="procedures.tasks.run_pending_work",
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def run_pending_work(work_id: int) -> None:
    work.run(work_id)


@shared_task(name="procedures.tasks.dispatch_pending_work")
def dispatch_pending_work() -> int:
    return work.dispatch_pending()
