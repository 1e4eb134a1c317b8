from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.core import checks as django_checks
        from django.db.models.signals import post_migrate

        from . import checks, pagecache, privatepages, slots  # noqa: F401 - importing registers the system checks
        from .health import static_files_deploy_check

        # A release (templates, translations, offices.yaml) migrates: pages from before go.
        post_migrate.connect(pagecache.new_generation, dispatch_uid="pagecache.migrated")
        privatepages.connect()

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
            "core.footer",
            "Links in the site footer, above the licence line. Gets nothing; the same for "
            "everyone (a template without context, rendered once per language).",
            same_for_everyone=True,
        )
        slots.contribute(
            "core.footer", key="core.accessibility", template="core/_footer_links.html", order=90
        )
        slots.contribute(
            "core.home",
            key="core.help",
            template="core/_home_help.html",
            context=_home_help,
            order=90,
        )


def _home_help(request) -> dict:
    """Where to get help: the contact centre, and the offices that file with you."""
    from .offices import directory

    offices = directory()
    return {
        "centre": offices.contact_centre,
        "assisted": [office for office in offices.offices if office.assisted_filing],
    }
