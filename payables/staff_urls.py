from django.urls import path

from . import account_views
from . import staff_views as views

app_name = "payables"

urlpatterns = [
    path("", views.index, name="index"),
    path("preparar/", views.prepare, name="prepare"),
    path("ordenes/<int:pk>/cancelar/", views.order_cancel, name="order_cancel"),
    path("ordenes/<int:pk>/no-pagada/", views.order_not_paid, name="order_not_paid"),
    path("lotes/nuevo/", views.batch_new, name="batch_new"),
    path("lotes/<int:pk>/", views.batch_detail, name="batch"),
    path("lotes/<int:pk>/aprobar/", views.batch_approve, name="batch_approve"),
    path("lotes/<int:pk>/exportar/", views.batch_export, name="batch_export"),
    path("lotes/<int:pk>/archivo/", views.batch_file, name="batch_file"),
    path("lotes/<int:pk>/pagado/", views.batch_paid, name="batch_paid"),
    path("lotes/<int:pk>/cancelar/", views.batch_cancel, name="batch_cancel"),
    path("extracto/", views.statement, name="statement"),
    path("proveedores/<int:pk>/cuenta/", account_views.staff_statement, name="supplier_statement"),
    path("retenciones/", views.withholdings, name="withholdings"),
    path("retenciones/sicore/", views.sicore, name="sicore"),
    path("retenciones/sire/<str:form>/", views.sire, name="sire"),
]
