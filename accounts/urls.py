from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("perfil/", views.profile, name="profile"),
    path("perfil/telefono/codigo/", views.phone_code, name="phone_code"),
    path("perfil/telefono/confirmar/", views.phone_confirm, name="phone_confirm"),
    path("mis-datos/", views.my_data, name="my_data"),
    path("privacidad/", views.privacy, name="privacy"),
]
