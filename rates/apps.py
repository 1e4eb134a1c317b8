from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatesConfig(AppConfig):
    name = "rates"
    verbose_name = _("Municipal rates")

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in

        from core import slots

        from . import services

        services.register_hooks()
        slots.contribute(
            "payments.staff_nav", key="rates.bills", template="rates/_staff_nav_item.html"
        )
        # Bills imported before the resident had an account become theirs when they log in.
        user_logged_in.connect(services.claim_on_login, dispatch_uid="rates.claim_bills")
