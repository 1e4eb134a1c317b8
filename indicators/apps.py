from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from core import outbox, slots

        from . import panels, parts, sources
        from .services import alerts

        parts.register_installed()
        sources.register_defaults()
        outbox.register("indicators.backlog_email", alerts.send_backlog_email)
        slots.contribute(
            "procedures.staff_nav",
            key="indicators.dashboard",
            template="indicators/_staff_nav_item.html",
            context=panels.staff_nav_item,
        )
        slots.contribute(
            "core.footer",
            key="indicators.transparency",
            template="indicators/_footer_link.html",
            order=50,
        )
        slots.contribute(
            "procedures.case_page",
            key="indicators.satisfaction",
            template="indicators/_satisfaction_question.html",
            context=panels.satisfaction_question,
        )
