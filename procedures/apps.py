from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Procedures")

    def ready(self) -> None:
        from core import pagecache, slots

        from . import signals
        from .models import Category, ProcedureType, ProcedureVersion
        from .services import fees, outputs, payment_documents, work

        signals.connect()
        # What the home, the catalog and a procedure's page show (core.pagecache).
        for model in (Category, ProcedureType, ProcedureVersion):
            pagecache.watch(model)

        work.register_handlers()
        outputs.register_hooks()
        fees.register_hooks()
        payment_documents.register()
        from accounts.personal_data import EXPORTERS

        from .personal_data import cases_of

        EXPORTERS.register("cases", cases_of)
        slots.contribute(
            "core.home", key="procedures.search", template="procedures/_home_search.html", order=10
        )
        slots.contribute(
            "core.home",
            key="procedures.most_used",
            template="procedures/_home_most_used.html",
            context=_home_most_used,
            order=20,
        )
        slots.declare(
            "procedures.procedure_page",
            "A procedure's catalog page, after its requirements. Gets: version, definition.",
        )
        slots.declare(
            "procedures.procedure_notices",
            "A procedure's catalog page, under its summary (service notices). Gets: version.",
        )
        slots.declare(
            "procedures.case_page",
            "The resident's page of their case, after its status and result. Gets: case.",
        )
        slots.declare(
            "procedures.staff_nav",
            "Items (<li>) of the staff's work tabs, after the queues. Gets: box (the current tab).",
        )
        slots.declare(
            "procedures.staff_case_page",
            "The staff's case and task pages, after the answers. Gets: case.",
        )
        slots.contribute(
            "procedures.case_page",
            key="payments.orders",
            template="procedures/_payments.html",
            context=fees.panel_context,
            order=10,
        )
        slots.contribute(
            "procedures.staff_case_page",
            key="payments.orders",
            template="procedures/staff/_payments.html",
            context=fees.staff_panel_context,
        )


def _home_most_used(request) -> dict:
    from .models import Category
    from .selectors import catalog_stamp, most_used_versions

    # The same for everyone: the template caches it under the catalog's stamp (a publication
    # shows at once); the count over a year of cases runs only when it renders (a callable).
    return {
        "stamp": catalog_stamp(),
        "most_used": most_used_versions,
        "categories": Category.objects.filter(procedure_types__audience="resident").distinct(),
    }
