from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("", views.what_i_owe, name="what_i_owe"),
    path("webhooks/mercadopago/", views.webhook_mercadopago, name="webhook_mercadopago"),
    path("pagar-varios/", views.pay_several, name="pay_several"),
    path("conjunto/<str:reference>/", views.combined_checkout, name="combined"),
    path("<str:reference>/", views.order_detail, name="order"),
    path("<str:reference>/pagar/", views.pay, name="pay"),
    path("<str:reference>/boleta/", views.slip, name="slip"),
    path("<str:reference>/continuar/", views.checkout, name="checkout"),
    path("demo/<str:reference>/", views.demo_checkout, name="demo_checkout"),
]
