from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("perfil/", views.profile, name="profile"),
    path("mis-datos/", views.my_data, name="my_data"),
    path("privacidad/", views.privacy, name="privacy"),
]
