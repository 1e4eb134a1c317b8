from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Signed documents")

    def ready(self) -> None:
        from celery.signals import worker_process_init
        from django.test.signals import setting_changed

        from . import (
            checks,  # noqa: F401 - registers the deploy check
            keys,
            services,
        )

        # Each worker process opens its own token session and loads its own keys.
        worker_process_init.connect(keys.forget, weak=False)
        setting_changed.connect(keys.forget_on_setting_change, weak=False)
        services.register_handlers()
        keys.register_plugins()
        from core import slots

        slots.contribute(
            "core.footer",
            key="documents.verify",
            template="documents/_footer_verify.html",
            order=50,
        )
