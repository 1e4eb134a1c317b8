from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Procedures")

    def ready(self) -> None:
        from .services import outputs, work

        work.register_handlers()
        outputs.register_hooks()
