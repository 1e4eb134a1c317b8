from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.core import checks as django_checks

        from . import checks, slots  # noqa: F401 - importing registers the system checks
        from .health import static_files_deploy_check

        django_checks.register(
            static_files_deploy_check, django_checks.Tags.staticfiles, deploy=True
        )
        slots.declare(
            "core.home", "The home page, after its heading (search, greeting...). Gets nothing."
        )
        slots.declare(
            "core.main_nav",
            "Items (<li>) of the main navigation, after the resident's own pages. Gets nothing "
            "(use request.user).",
        )
        slots.declare(
            "core.footer", "Links in the site footer, above the licence line. Gets nothing."
        )
