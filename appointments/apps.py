from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from core import pagecache, slots

        from . import notices, panels
        from .models import Service

        # A procedure's page offers booking when its counter service is active.
        pagecache.watch(Service)

        notices.register_handlers()
        slots.contribute(
            "core.home", key="appointments.book", template="appointments/_home_panel.html", order=30
        )
        slots.contribute(
            "core.main_nav",
            key="appointments.book",
            template="appointments/_main_nav_item.html",
        )
        slots.contribute(
            "procedures.staff_nav",
            key="appointments.counter",
            template="appointments/_staff_nav_item.html",
            context=panels.staff_nav_item,
        )
        slots.contribute(
            "procedures.procedure_page",
            key="appointments.book",
            template="appointments/_book_panel.html",
            context=panels.procedure_page,
        )
        slots.contribute(
            "procedures.case_page",
            key="appointments.book",
            template="appointments/_book_panel.html",
            context=panels.case_page,
        )
