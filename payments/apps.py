from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from core import slots

        from . import providers, services

        providers.register_plugins()
        services.register_handlers()
        slots.declare(
            "payments.staff_nav",
            "Items (<li>) of treasury's tabs, after the payments ones. Gets: section.",
        )
        slots.contribute(
            "core.main_nav", key="payments.what_i_owe", template="payments/_nav.html", order=40
        )
