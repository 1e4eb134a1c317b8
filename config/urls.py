from django.contrib import admin
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("", include("core.urls")),
    path("", include("procedures.urls")),
    path("", include("documents.urls")),
    path("pagos/", include("payments.urls")),
    path("cuenta/", include("allauth.urls")),
    path("cuenta/", include("accounts.urls")),
    path("gestion/pagos/", include("payments.staff_urls")),
    path("gestion/tributos/", include("rates.staff_urls")),
    path("gestion/", include("procedures.staff_urls")),
    path("avisos/", include("notices.urls")),
    path("gestion/avisos/", include("notices.staff_urls")),
    path("open311/v2/", include("open311.urls")),
    path("telefono/", include("ivr.urls")),
    path("gestion/turnos/", include("appointments.staff_urls")),
    path("", include("indicators.urls")),
    path("gestion/proveedores/pagos/", include("payables.staff_urls")),
    path("gestion/proveedores/", include("suppliers.staff_urls")),
    path("proveedores/cuenta/", include("payables.portal_urls")),
    path("proveedores/", include("suppliers.urls")),
    path("turnos/", include("appointments.urls")),
    path("contacto/", include("contact.urls")),
    path("gestion/contacto/", include("contact.staff_urls")),
    path("anymail/", include("contact.inbound_urls")),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
