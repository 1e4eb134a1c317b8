from django.urls import path

from . import views

app_name = "suppliers"

urlpatterns = [
    path("", views.home, name="home"),
    path("registro/", views.register, name="register"),
    path("invitacion/<str:token>/", views.invitation, name="invitation"),
    path("organizacion/", views.organisation, name="organisation"),
    path("organizacion/invitar/", views.invite, name="invite"),
    path("organizacion/cuenta-bancaria/", views.bank_account, name="bank_account"),
    path("ordenes/", views.orders, name="orders"),
    path("ordenes/<int:pk>/", views.order_detail, name="order"),
    path("ordenes/<int:pk>/facturar/", views.order_invoice, name="order_invoice"),
    path("facturas/", views.invoices, name="invoices"),
    path("facturas/nueva/", views.invoice_new, name="invoice_new"),
    path("facturas/<int:pk>/", views.invoice_detail, name="invoice"),
    path("facturas/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("facturas/<int:pk>/responder/", views.invoice_reply, name="invoice_reply"),
    path("facturas/<int:pk>/retirar/", views.invoice_withdraw, name="invoice_withdraw"),
]
