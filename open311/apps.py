from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "open311"
    verbose_name = _("Open311 API")

    def ready(self) -> None:
        from core import slots

        from . import panels

        slots.contribute(
            "procedures.staff_case_page",
            key="open311.request",
            template="open311/_staff_case_panel.html",
            context=panels.staff_case_panel,
        )
