from django.urls import path

from . import views, webhooks

app_name = "contact"

urlpatterns = [
    path("", views.contact_form, name="form"),
    path("webhooks/whatsapp/", webhooks.whatsapp_webhook, name="whatsapp_webhook"),
    path("calificar/<str:token>/", views.rate, name="rate"),
    path("mis-consultas/", views.my_conversations, name="mine"),
    path("mis-consultas/nueva/", views.new_conversation, name="mine_new"),
    path("mis-consultas/<int:pk>/", views.my_conversation, name="mine_detail"),
    path(
        "mis-consultas/<int:pk>/adjuntos/<str:token>/", views.my_attachment, name="mine_attachment"
    ),
]
