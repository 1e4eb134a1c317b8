from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IvrConfig(AppConfig):
    name = "ivr"
    verbose_name = _("Phone menu")

    def ready(self) -> None:
        from django.core import checks

        from .checks import menu_file_check

        checks.register(menu_file_check)
