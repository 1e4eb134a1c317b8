from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Service notices")

    def ready(self) -> None:
        from core import outbox, pagecache, slots

        from . import panels, selectors, services
        from .models import Area, Notice

        # The home and procedure pages show the notices in force (core.pagecache).
        pagecache.watch(Notice)
        pagecache.watch(Area)
        pagecache.changes_at(selectors.next_notice_end)

        outbox.register("notices.email_followers", services.email_followers)
        slots.contribute(
            "core.home",
            key="notices.current",
            template="notices/_home_notices.html",
            context=panels.home_notices,
            order=5,
        )
        slots.contribute(
            "procedures.procedure_notices",
            key="notices.procedure",
            template="notices/_procedure_notices.html",
            context=panels.procedure_notices,
        )
        slots.contribute(
            "core.footer", key="notices.link", template="notices/_footer_link.html", order=20
        )
        slots.contribute(
            "procedures.staff_nav",
            key="notices.staff",
            template="notices/_staff_nav_item.html",
            context=panels.staff_nav_item,
            order=50,
        )
