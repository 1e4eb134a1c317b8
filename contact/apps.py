from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactConfig(AppConfig):
    name = "contact"
    verbose_name = _("Contact centre")

    def ready(self) -> None:
        from anymail.signals import inbound

        from core import slots

        from . import channels, checks, email_inbound, panels, services  # noqa: F401

        slots.declare(
            "contact.figures",
            "The supervisors' figures page, after the written channels (the phone). Gets: nothing.",
        )
        channels.register_plugins()
        services.register_handlers()
        inbound.connect(email_inbound.on_inbound, dispatch_uid="contact.email_inbound")
        slots.contribute(
            "core.main_nav", key="contact.mine", template="contact/_main_nav_item.html", order=20
        )
        slots.contribute(
            "core.footer", key="contact.form", template="contact/_footer_link.html", order=20
        )
        slots.contribute(
            "procedures.staff_case_page",
            key="contact.conversations",
            template="contact/_case_conversations.html",
            context=panels.case_conversations,
        )
        slots.contribute(
            "procedures.staff_nav",
            key="contact.inbox",
            template="contact/_staff_nav_item.html",
            context=panels.staff_nav_item,
        )
