from django.urls import path

from . import staff_views as views

app_name = "suppliers_staff"

urlpatterns = [
    path("", views.index, name="index"),
    path("bandeja/<slug:queue>/", views.queue, name="queue"),
    path("tareas/<int:task_id>/", views.invoice_task, name="task"),
    path("tareas/<int:task_id>/tomar/", views.task_claim, name="task_claim"),
    path("tareas/<int:task_id>/liberar/", views.task_release, name="task_release"),
    path("tareas/<int:task_id>/decidir/", views.task_decide, name="task_decide"),
    path("facturas/<int:pk>/", views.invoice_detail, name="invoice"),
    path("facturas/<int:pk>/archivo/<slug:kind>/", views.invoice_file, name="invoice_file"),
    path("facturas/<int:pk>/nota/", views.invoice_note, name="invoice_note"),
    path("ordenes/", views.orders, name="orders"),
    path("ordenes/nueva/", views.order_new, name="order_new"),
    path("ordenes/importar/", views.order_import, name="order_import"),
    path("ordenes/<int:pk>/", views.order_detail, name="order"),
    path("ordenes/<int:pk>/recepcion/", views.order_receive, name="order_receive"),
    path("ordenes/<int:pk>/estado/", views.order_status, name="order_status"),
    path("empresas/", views.suppliers, name="suppliers"),
    path("empresas/<int:pk>/", views.supplier_detail, name="supplier"),
    path("empresas/<int:pk>/estado/", views.supplier_status, name="supplier_status"),
    path("cuentas/<int:pk>/decidir/", views.bank_decide, name="bank_decide"),
    path("cuentas/<int:pk>/documento/", views.bank_document, name="bank_document"),
]
