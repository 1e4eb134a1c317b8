from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = _("Suppliers")

    def ready(self) -> None:
        from core import slots

        slots.declare(
            "suppliers.invoice_page",
            "The supplier's page of one invoice, after its facts. Gets: invoice.",
        )
        slots.declare(
            "suppliers.staff_nav",
            "Items (<li>) of the staff's supplier tabs. Gets: section (the current tab).",
        )
