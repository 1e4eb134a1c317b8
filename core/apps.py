from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.core import checks

        from .health import static_files_deploy_check

        checks.register(static_files_deploy_check, checks.Tags.staticfiles, deploy=True)
