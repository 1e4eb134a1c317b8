from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = _("Suppliers")

    def ready(self) -> None:
        from core import slots

        from . import afip, notifications
        from .services import afip_check, afip_register

        afip.register_plugins()
        afip_check.register()
        afip_register.register()
        notifications.register()

        slots.contribute(
            "core.main_nav",
            key="suppliers.portal",
            template="suppliers/_main_nav_item.html",
            context=lambda request: {} if _sees_suppliers(request.user) else None,
        )
        slots.declare(
            "suppliers.invoice_page",
            "The supplier's page of one invoice, after its facts. Gets: invoice.",
        )
        slots.declare(
            "suppliers.portal_nav",
            "Items (<li>) of the supplier portal's tabs, before Organisation. Gets: nothing.",
        )
        slots.declare(
            "suppliers.staff_supplier_page",
            "The staff's page of one supplier, after its facts. Gets: supplier.",
        )
        slots.declare(
            "suppliers.staff_nav",
            "Items (<li>) of the staff's supplier tabs. Gets: section (the current tab).",
        )


def _sees_suppliers(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_supplier_user:
        return True
    # Only staff hold these permissions: a resident's pages skip reading them.
    return (user.is_employee or user.is_superuser) and any(
        user.has_perm(f"suppliers.{codename}")
        for codename in ("accounts_payable", "purchasing", "approve_payment_batches")
    )
