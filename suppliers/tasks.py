from celery import shared_task


@shared_task(name="suppliers.tasks.recheck_afip")
def recheck_afip() -> int:
    """Invoices AFIP did not answer for are asked about again (Celery beat)."""
    from .services.afip_check import recheck_waiting

    return recheck_waiting()


@shared_task(name="suppliers.tasks.recheck_afip_register")
def recheck_afip_register() -> int:
    """Suppliers AFIP's register did not answer for, or due again before a payment, are
    looked up (Celery beat)."""
    from .services.afip_register import recheck_registers

    return recheck_registers()
