from celery import shared_task


@shared_task(name="suppliers.tasks.recheck_afip")
def recheck_afip() -> int:
    """Invoices AFIP did not answer for are asked about again (Celery beat)."""
    from .services.afip_check import recheck_waiting

    return recheck_waiting()
