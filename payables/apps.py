from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayablesConfig(AppConfig):
    name = "payables"
    verbose_name = _("Supplier payments")

    def ready(self) -> None:
        from core import slots

        from . import emails, exporters, notices, panels, refunds

        emails.register()
        exporters.register_plugins()
        notices.register_hooks()
        refunds.register()
        slots.contribute(
            "suppliers.invoice_page",
            key="payables.payment",
            template="payables/_invoice_payment.html",
            context=panels.invoice_payment,
        )
        slots.contribute(
            "suppliers.staff_nav",
            key="payables.payments",
            template="payables/_staff_nav_item.html",
            context=panels.staff_nav_item,
        )
