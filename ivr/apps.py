from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IvrConfig(AppConfig):
    name = "ivr"
    verbose_name = _("Phone menu")

    def ready(self) -> None:
        from django.core import checks

        from core import slots

        from .checks import menu_file_check
        from .panels import contact_figures

        checks.register(menu_file_check)
        slots.contribute(
            "contact.figures",
            key="ivr.phone",
            template="ivr/_contact_figures.html",
            context=contact_figures,
        )
