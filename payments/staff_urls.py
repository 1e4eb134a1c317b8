from django.urls import path

from . import staff_views

app_name = "payments_staff"

urlpatterns = [
    path("", staff_views.orders, name="orders"),
    path("orden/<str:reference>/", staff_views.order, name="order"),
    path("orden/<str:reference>/registrar/", staff_views.record, name="record"),
    path("pago/<int:payment_id>/devolver/", staff_views.refund, name="refund"),
    path("rendiciones/", staff_views.settlements, name="settlements"),
    path("rendiciones/<int:pk>/", staff_views.settlement, name="settlement"),
    path("conciliacion/", staff_views.reconciliation, name="reconciliation"),
    path("duplicados/", staff_views.duplicates, name="duplicates"),
]
