from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayablesConfig(AppConfig):
    name = "payables"
    verbose_name = _("Supplier payments")

    def ready(self) -> None:
        from core import slots

        from . import certificates, emails, exporters, notices, panels, refunds

        emails.register()
        exporters.register_plugins()
        notices.register_hooks()
        certificates.register_hooks()
        refunds.register()
        slots.contribute(
            "suppliers.invoice_page",
            key="payables.payment",
            template="payables/_invoice_payment.html",
            context=panels.invoice_payment,
        )
        slots.contribute(
            "suppliers.portal_nav",
            key="payables.statement",
            template="payables/_portal_nav_item.html",
            context=panels.portal_nav_item,
        )
        slots.contribute(
            "suppliers.staff_supplier_page",
            key="payables.statement",
            template="payables/_staff_supplier_statement.html",
            context=panels.staff_supplier_statement,
        )
        slots.contribute(
            "suppliers.staff_nav",
            key="payables.payments",
            template="payables/_staff_nav_item.html",
            context=panels.staff_nav_item,
        )
